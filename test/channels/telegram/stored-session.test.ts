// Sessions stored by the Telegram channel before it ran through the conversation host (no `text`
// field, the numeric chat id, the live prompt's message id) keep working: buttons, typed answers,
// /start and the review, with every answer kept.
import { expect, test } from "vitest";
import type { BotSession } from "../../../src/channels/telegram/index.js";
import type { Respondent } from "../../../src/demo/index.js";
import { answerUntilReview, createHarness, data, lastKeyboard, loadExample, press, sessionOf } from "./harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const A = 511;

test("a session stored in the pre-host shape continues: the live button, a typed answer, /start, the review and Submit", async () => {
  const h = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { ABCDE23456: "r1" } });
  await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
  await press(h, A, await data(h, A, { kind: "identity", confirm: true }));
  await press(h, A, await data(h, A, { kind: "attestation", accept: true }));
  await press(h, A, await data(h, A, { kind: "option", question: 0, option: 0 }));
  // Stored again as the Telegram channel stored it before: the same fields, without the host's `text`.
  const { text: _text, ...old } = (await sessionOf(h, A)) as BotSession & { text?: unknown };
  expect(old.chatId).toBe(A);
  await h.sessions.commit("migration:1", { session: old as BotSession });
  expect(await sessionOf(h, A)).not.toHaveProperty("text");
  expect(old.prompt).toMatchObject({ kind: "question", questionId: "a1_2", messageId: lastKeyboard(h, A).messageId });

  await press(h, A, await data(h, A, { kind: "option", question: 1, option: 1 }));
  expect((await sessionOf(h, A)).engine?.responses[0]?.answers.a1_2?.value).toBe("2");
  await h.send(h.updates.text(A, "/start"));
  expect(h.api.sentTexts(A).slice(-2)).toEqual(["Chào mừng Ông/Bà quay lại. Xin tiếp tục từ chỗ đã dừng.", expect.stringContaining("Câu 3/tối đa 30")]);
  await h.send(h.updates.text(A, "1"));
  expect((await sessionOf(h, A)).engine?.responses[0]?.answers.a1_3?.value).toBe("1");
  await answerUntilReview(h, A);
  await press(h, A, await data(h, A, { kind: "submit" }));
  const session = await sessionOf(h, A);
  expect(session.engine?.position.kind).toBe("completed");
  expect(Object.keys(session.engine!.responses[0]!.answers)).toEqual(expect.arrayContaining(["a1_1", "a1_2", "a1_3"]));
  expect(session.engine?.responses[0]?.submittedAt).toBe("2026-11-10T02:00:00.000Z");
});
