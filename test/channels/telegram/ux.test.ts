// Telegram through the conversation host: the same counter, typed help followed by the question
// (its own /help unchanged), edit N typed mid-questionnaire, and a typed "x" refused.
import { beforeEach, expect, test, vi } from "vitest";
import type { Respondent } from "../../../src/demo/index.js";
import { createHarness, data, lastKeyboard, loadExample, press, sessionOf, type Harness } from "./harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const A = 601;

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { ABCDE23456: "r1" } });
  await h.send(h.updates.text(A, "/start ABCDE23456"));
  await press(h, A, await data(h, A, { kind: "identity", confirm: true }));
  await press(h, A, await data(h, A, { kind: "attestation", accept: true }));
});

const answers = async () => (await sessionOf(h, A)).engine!.responses[0]!.answers;

test("the question's counter reads 'of at most'; a typed x is refused and nothing is stored", async () => {
  expect(h.api.sentTexts(A).at(-1)).toMatch(/\nCâu 1\/tối đa 30\nKế hoạch cải cách hành chính năm/);
  await h.send(h.updates.text(A, "x"));
  expect(h.api.sentTexts(A).at(-1)).toBe("“x” không phải là một phương án trong danh sách. Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 5); nếu Ông/Bà không đánh giá được, xin gõ 5.");
  expect(await answers()).toEqual({});
});

test("typed help: the help, then the question again with its buttons; /help keeps its own text", async () => {
  const before = h.api.sentTexts(A).length;
  await h.send(h.updates.text(A, "trợ giúp"));
  const sent = h.api.sentTexts(A).slice(before);
  expect(sent[0]).toMatch(/^Các lệnh Ông\/Bà có thể gõ/);
  expect(sent.at(-1)).toMatch(/Câu 1\/tối đa 30\nKế hoạch cải cách hành chính năm/);
  expect(lastKeyboard(h, A).keyboard.flat().map((b) => b.text)).toContain("5. Không đánh giá được");
  const helpCount = h.api.sentTexts(A).length;
  await h.send(h.updates.text(A, "/help"));
  expect(h.api.sentTexts(A)).toHaveLength(helpCount + 1);
});

test("edit 1 typed at question 3: question 1 with its buttons, then back to question 3", async () => {
  await press(h, A, await data(h, A, { kind: "option", question: 0, option: 0 }));
  await press(h, A, await data(h, A, { kind: "option", question: 1, option: 0 }));
  await h.send(h.updates.text(A, "sửa 1"));
  expect(h.api.sentTexts(A).slice(-2)[0]).toBe("Sửa câu 1: trả lời xong, Ông/Bà sẽ quay lại câu 3.");
  expect(h.api.sentTexts(A).at(-1)).toMatch(/Câu 1\/tối đa 30\n/);
  expect((await sessionOf(h, A)).engine!.position).toMatchObject({ questionId: "a1_1", mode: "edit" });
  await press(h, A, await data(h, A, { kind: "option", question: 0, option: 2 }));
  expect(h.api.sentTexts(A).at(-1)).toMatch(/Câu 3\/tối đa 30\n/);
  expect((await sessionOf(h, A)).engine!.position).toMatchObject({ questionId: "a1_3", mode: "flow" });
  expect((await answers())["a1_1"]).toMatchObject({ value: "3", changeCount: 1 });
});

test("the review and /status mid-survey name the counter's total ('of at most'), in vi and en", async () => {
  await press(h, A, await data(h, A, { kind: "option", question: 0, option: 0 }));
  await press(h, A, await data(h, A, { kind: "option", question: 1, option: 0 }));
  expect(h.api.sentTexts(A).at(-1)).toMatch(/Câu 3\/tối đa 30\n/);
  // Were "Đã trả lời 2/26 câu.": the total counted only the questions shown so far.
  await h.send(h.updates.text(A, "/review"));
  const review = h.api.sentTexts(A).at(-1)!;
  expect(review).toContain("\nĐã trả lời 2/tối đa 30 câu.\n");
  await h.send(h.updates.text(A, "/status"));
  expect(h.api.sentTexts(A).at(-1)).toMatch(/^Đã trả lời 2\/tối đa 30 câu\.\n/);
  await h.send(h.updates.text(A, "/lang en"));
  await h.send(h.updates.text(A, "/status"));
  expect(h.api.sentTexts(A).at(-1)).toMatch(/^2 of at most 30 questions answered\.\n/);
  await h.send(h.updates.text(A, "/review"));
  expect(h.api.sentTexts(A).at(-1)).toContain("\n2 of at most 30 questions answered.\n");
});

test("at the end of the questionnaire the review and /status are exact and agree with the last counter", async () => {
  for (let i = 0; i < 40 && (await sessionOf(h, A)).engine!.position.kind === "question"; i++) await h.send(h.updates.text(A, "2"));
  expect((await sessionOf(h, A)).engine!.position.kind).toBe("review");
  const counters = h.api.sentTexts(A).flatMap((text) => [...text.matchAll(/Câu (\d+)\/(tối đa )?(\d+)\n/g)].map((m) => ({ total: Number(m[3]), exact: m[2] === undefined })));
  const last = counters.at(-1)!;
  expect(last.exact).toBe(true);
  const answered = Object.keys(await answers()).length;
  expect(h.api.sentTexts(A).at(-1)).toContain(`\nĐã trả lời ${answered}/${last.total} câu.\n`);
  await h.send(h.updates.text(A, "/status"));
  expect(h.api.sentTexts(A).at(-1)).toMatch(new RegExp(`^Đã trả lời ${answered}/${last.total} câu\\.\\n`));
});

test("a pressed answer: the button is answered together with the edit and the next question (one round trip), the answer stored first", async () => {
  const { messageId } = lastKeyboard(h, A);
  const pressed = await data(h, A, { kind: "option", question: 0, option: 1 });
  h.api.clear();
  // Telegram is slow to answer the button's callback: the question's edit and the next question must not wait for it.
  const release = h.api.hold("answerCallbackQuery");
  const handling = h.send(h.updates.callback(A, pressed, messageId));
  try {
    await vi.waitFor(() => expect(h.api.callsOf("sendMessage")).toHaveLength(1), { timeout: 2_000 });
    expect(h.api.calls.map((c) => c.method).sort()).toEqual(["answerCallbackQuery", "editMessageText", "sendMessage"]);
    expect(h.api.sentTexts(A).at(-1)).toMatch(/Câu 2\/tối đa 30\n/);
    expect(h.api.callsOf("editMessageText")[0]!.payload.text).toMatch(/\n✓ Đồng ý$/);
    expect((await answers())["a1_1"]).toMatchObject({ value: "2" });
  } finally {
    release();
    await handling;
  }
  expect(h.api.callsOf("answerCallbackQuery")).toHaveLength(1);
});

test("a pressed button that is no step (the language chooser): answered and its chooser retired while the messages go out, the language stored first", async () => {
  const g = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { ABCDE23456: "r1" } });
  await g.send(g.updates.text(A, "/start ABCDE23456"));
  await g.send(g.updates.text(A, "/lang"));
  const { messageId, keyboard } = lastKeyboard(g, A);
  const english = keyboard.flat().find((b) => b.text.includes("English"));
  if (!english || !("callback_data" in english)) throw new Error(`no English button: ${JSON.stringify(keyboard)}`);
  g.api.clear();
  // Neither the button's answer nor the chooser's edit (its buttons removed) holds back the next message.
  const releases = [g.api.hold("answerCallbackQuery"), g.api.hold("editMessageReplyMarkup")];
  const handling = g.send(g.updates.callback(A, english.callback_data!, messageId));
  try {
    await vi.waitFor(() => expect(g.api.callsOf("sendMessage").length).toBeGreaterThan(0), { timeout: 2_000 });
    expect(g.api.callsOf("answerCallbackQuery")).toHaveLength(1);
    expect(g.api.callsOf("editMessageReplyMarkup").map((c) => c.payload.message_id)).toEqual([messageId]);
    expect((await sessionOf(g, A)).language).toBe("en");
  } finally {
    for (const release of releases) release();
    await handling;
  }
});

test("identity confirmed by its button: the attestation goes out while the identity question is marked answered", async () => {
  const g = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { ABCDE23456: "r1" } });
  await g.send(g.updates.text(A, "/start ABCDE23456"));
  const { messageId } = lastKeyboard(g, A);
  const yes = await data(g, A, { kind: "identity", confirm: true });
  g.api.clear();
  const releases = [g.api.hold("answerCallbackQuery"), g.api.hold("editMessageText")];
  const handling = g.send(g.updates.callback(A, yes, messageId));
  try {
    await vi.waitFor(() => expect(g.api.callsOf("sendMessage").length).toBeGreaterThan(0), { timeout: 2_000 });
    expect(g.api.callsOf("editMessageText").map((c) => c.payload.message_id)).toEqual([messageId]);
    expect(String(g.api.callsOf("editMessageText")[0]!.payload.text)).toContain("Nguyễn Văn An");
    expect((await sessionOf(g, A)).identityConfirmedAt).toBeDefined();
  } finally {
    for (const release of releases) release();
    await handling;
  }
  expect((await sessionOf(g, A)).prompt?.kind).toBe("attestation");
});
