import { beforeEach, describe, expect, test } from "vitest";
import type { Respondent } from "../../../src/demo/index.js";
import { answerUntilReview, createHarness, data, lastKeyboard, loadExample, press, sessionOf, TEST_TOKEN, type Harness } from "./harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const BINH: Respondent = { id: "r2", name: "Trần Thị Bình", unit: { id: "syt", name: "Sở Y tế" }, subjectUnits: [] };
const A = 501;
const B = 502;

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN, BINH], codes: { ABCDE23456: "r1", HJKMN78923: "r2" } });
});

async function toFirstQuestion(user: number, code: string): Promise<void> {
  await h.send(h.updates.text(user, `/start ${code}`));
  await press(h, user, await data(h, user, { kind: "identity", confirm: true }));
  await press(h, user, await data(h, user, { kind: "attestation", accept: true }));
}

describe("duplicates and stale or hostile buttons", () => {
  test("a redelivered update (same update_id) stores nothing and sends nothing", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    const { messageId } = lastKeyboard(h, A);
    const update = h.updates.callback(A, await data(h, A, { kind: "option", question: 0, option: 0 }), messageId);
    await h.send(update);
    const steps = h.sessions.steps.length;
    const calls = h.api.calls.length;
    const state = await sessionOf(h, A);
    await h.send(update);
    expect(h.sessions.steps.length).toBe(steps);
    expect(h.api.calls.slice(calls).map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(await sessionOf(h, A)).toEqual(state);

    const typed = h.updates.text(A, "hello");
    await h.send(typed);
    const after = h.api.calls.length;
    await h.send(typed);
    expect(h.api.calls.length).toBe(after);
  });

  test("a redelivered update that stores no session is not handled again (wrong code, /help)", async () => {
    const wrong = h.updates.text(A, "ZZZZZ22222");
    await h.send(wrong);
    await h.send(wrong);
    expect(h.api.sentTexts(A)).toEqual(["Không tìm thấy mã này. Xin Ông/Bà vui lòng kiểm tra lại (còn 4 lần thử)."]);
    expect(h.access.attempts).toHaveLength(1);

    const help = h.updates.text(B, "/help");
    await h.send(help);
    await h.send(help);
    expect(h.api.sentTexts(B)).toHaveLength(1);
    expect(h.sessions.processed.has(help.update_id)).toBe(true);
  });

  test("a button of an earlier question gets a short notice and the current question again; no answer changes", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    const first = lastKeyboard(h, A).messageId;
    await press(h, A, await data(h, A, { kind: "option", question: 0, option: 0 }));
    const state = await sessionOf(h, A);
    const calls = h.api.calls.length;
    await h.send(h.updates.callback(A, await data(h, A, { kind: "option", question: 0, option: 3 }), first));
    const sent = h.api.calls.slice(calls);
    expect(sent.map((c) => c.method)).toEqual(["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"]);
    expect(sent[0]!.payload.text).toBe("Nút này thuộc một câu hỏi cũ. Xin vui lòng trả lời câu hỏi mới nhất.");
    expect(sent[1]!.payload.message_id).toBe(state.prompt?.messageId);
    expect(String(sent[2]!.payload.text)).toContain("Câu 2/tối đa 30");
    const after = await sessionOf(h, A);
    expect(after.engine).toEqual(state.engine);
    expect(after.prompt).toEqual({ kind: "question", questionId: "a1_2", unit: expect.any(String), messageId: lastKeyboard(h, A).messageId });
    // Right message, wrong question (a forged index): refused, nothing sent again.
    const before = h.api.calls.length;
    await h.send(h.updates.callback(A, await data(h, A, { kind: "option", question: 5, option: 0 }), lastKeyboard(h, A).messageId));
    expect(h.api.calls.slice(before).map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(await sessionOf(h, A)).toEqual(after);
  });

  describe("a step stored but its next question never sent (a crash, a failed send)", () => {
    async function answeredButNotShown(): Promise<number> {
      await toFirstQuestion(A, "ABCDE23456");
      const first = lastKeyboard(h, A).messageId;
      h.api.fail({ method: "editMessageText", error_code: 400, description: "Bad Request: simulated" });
      h.api.fail({ method: "sendMessage", error_code: 400, description: "Bad Request: simulated" });
      await press(h, A, await data(h, A, { kind: "option", question: 0, option: 0 }));
      const session = await sessionOf(h, A);
      expect(session.engine?.position).toMatchObject({ kind: "question", questionId: "a1_2" });
      expect(session.prompt).toMatchObject({ kind: "question", questionId: "a1_1", messageId: first });
      return first;
    }

    test("pressing the old question's button shows the current question", async () => {
      const first = await answeredButNotShown();
      const state = await sessionOf(h, A);
      await h.send(h.updates.callback(A, await data(h, A, { kind: "option", question: 0, option: 3 }), first));
      expect(h.api.sentTexts(A).at(-1)).toContain("Câu 2/tối đa 30");
      const after = await sessionOf(h, A);
      expect(after.engine).toEqual(state.engine);
      expect(after.prompt).toMatchObject({ kind: "question", questionId: "a1_2" });
    });

    test("a typed answer is not filed under the question never received; that question is shown instead", async () => {
      await answeredButNotShown();
      const state = await sessionOf(h, A);
      await h.send(h.updates.text(A, "2"));
      expect(h.api.sentTexts(A).at(-1)).toContain("Câu 2/tối đa 30");
      expect((await sessionOf(h, A)).engine).toEqual(state.engine);
      // Once received, the same text answers it.
      await h.send(h.updates.text(A, "2"));
      expect(Object.keys((await sessionOf(h, A)).engine!.responses[0]!.answers)).toEqual(["a1_1", "a1_2"]);
    });
  });

  test.each([
    ["garbage", "hello"],
    ["another version", "2.abcdef.o.1.0"],
    ["an option index out of range", null],
    ["trailing parts", null],
    ["over 64 bytes", `1.abcdef.o.1.${"0".repeat(70)}`],
  ])("callback data that does not parse or fit (%s) is refused with a notice", async (_name, raw) => {
    await toFirstQuestion(A, "ABCDE23456");
    const tag = (await data(h, A, { kind: "review" })).split(".")[1];
    const payload = raw ?? (_name === "trailing parts" ? `1.${tag}.o.0.0.9` : `1.${tag}.o.0.z`);
    const state = await sessionOf(h, A);
    const calls = h.api.calls.length;
    await h.send(h.updates.callback(A, payload, lastKeyboard(h, A).messageId));
    const sent = h.api.calls.slice(calls);
    expect(sent.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(sent[0]!.payload.text).toMatch(/^(Nút này không còn hiệu lực\.|Nút này thuộc một câu hỏi cũ\. Xin vui lòng trả lời câu hỏi mới nhất\.)$/);
    expect(await sessionOf(h, A)).toEqual(state);
  });

  test("another respondent's button data (their session tag) changes nothing for either", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    await toFirstQuestion(B, "HJKMN78923");
    const aData = await data(h, A, { kind: "option", question: 0, option: 3 });
    const [aState, bState] = [await sessionOf(h, A), await sessionOf(h, B)];
    const calls = h.api.calls.length;
    await h.send(h.updates.callback(B, aData, lastKeyboard(h, B).messageId));
    expect(h.api.calls.slice(calls).map((c) => [c.method, c.payload.text])).toEqual([["answerCallbackQuery", "Nút này thuộc một câu hỏi cũ. Xin vui lòng trả lời câu hỏi mới nhất."]]);
    expect([await sessionOf(h, A), await sessionOf(h, B)]).toEqual([aState, bState]);
  });
});

describe("group chats", () => {
  /** `update` as if it came from a group the respondent added the bot to. */
  function inGroup(update: ReturnType<Harness["updates"]["text"]>, type: "group" | "supergroup" = "group"): typeof update {
    const chat = { id: -100123, type, title: "Phòng Nội vụ" };
    if (update.message) return { ...update, message: { ...update.message, chat } } as typeof update;
    return { ...update, callback_query: { ...update.callback_query!, message: { ...update.callback_query!.message!, chat } } } as typeof update;
  }

  test("a code, a typed answer, a command or a pressed button in a group gets no reply and changes nothing", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    const state = await sessionOf(h, A);
    const calls = h.api.calls.length;
    const steps = h.sessions.steps.length;
    const attempts = h.access.attempts.length;
    const { messageId } = lastKeyboard(h, A);
    const updates = [
      inGroup(h.updates.text(B, "/start HJKMN78923")),
      inGroup(h.updates.text(B, "HJKMN78923"), "supergroup"),
      inGroup(h.updates.text(A, "1")),
      inGroup(h.updates.text(A, "/status")),
      inGroup(h.updates.callback(A, await data(h, A, { kind: "option", question: 0, option: 0 }), messageId)),
    ];
    for (const update of updates) await h.send(update);
    expect(h.api.calls.slice(calls)).toEqual([]);
    expect(h.sessions.steps.length).toBe(steps);
    expect(h.access.attempts).toHaveLength(attempts);
    expect(await sessionOf(h, A)).toEqual(state);
    // B's code is still unspent: B redeems it in a private chat as if nothing happened.
    await h.send(h.updates.text(B, "/start HJKMN78923"));
    expect(h.api.sentTexts(B).at(-1)).toContain("Trần Thị Bình");
  });
});

describe("what is not an answer", () => {
  test("a sticker gets a hint", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    await h.send(h.updates.sticker(A));
    expect(h.api.sentTexts(A).at(-1)).toBe("Bot chỉ đọc được tin nhắn chữ và các nút bấm. Xin vui lòng trả lời bằng nút bấm hoặc gõ câu trả lời.");
  });

  test("typed text while the identity buttons wait asks to use them", async () => {
    await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
    await h.send(h.updates.text(A, "vâng"));
    expect(h.api.sentTexts(A).at(-1)).toBe("Xin Ông/Bà vui lòng bấm một trong các nút bên dưới tin nhắn trên.");
    expect((await sessionOf(h, A)).stage).toBe("identity");
  });

  test("commands before any code ask for the code", async () => {
    await h.send(h.updates.text(A, "/review"));
    expect(h.api.sentTexts(A)).toEqual(["Ông/Bà chưa nhập mã khảo sát. Xin vui lòng gửi mã ghi trên giấy mời."]);
  });
});

describe("codes refused politely", () => {
  test.each([
    ["ABCDE2345", "Mã khảo sát có 10 ký tự (dạng ABCDE-FGHJK), mã vừa gửi có 9 ký tự. Xin vui lòng kiểm tra lại."],
    ["ABCDE2345O", "Mã khảo sát không dùng số 0 và chữ O (ký tự thứ 10). Xin vui lòng kiểm tra lại."],
    ["ZZZZZ22222", "Không tìm thấy mã này. Xin Ông/Bà vui lòng kiểm tra lại (còn 4 lần thử)."],
  ])("%s", async (code, reply) => {
    await h.send(h.updates.text(A, code));
    expect(h.api.sentTexts(A)).toEqual([reply]);
    expect(await h.sessions.findLatest(`telegram:${A}`)).toBeUndefined();
  });

  test("the fifth wrong code locks the account with the remaining wait", async () => {
    for (let i = 0; i < 5; i++) await h.send(h.updates.text(A, "ZZZZZ22222"));
    expect(h.api.sentTexts(A).at(-1)).toBe("Ông/Bà đã nhập sai mã quá nhiều lần. Xin vui lòng thử lại sau 60 phút.");
    h.clock.now = new Date(h.clock.now.getTime() + 45 * 60_000 + 30_000);
    await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
    expect(h.api.sentTexts(A).at(-1)).toBe("Ông/Bà đã nhập sai mã quá nhiều lần. Xin vui lòng thử lại sau 15 phút.");
  });

  test("a code bound to another account is refused and the attempt recorded", async () => {
    await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
    await h.send(h.updates.text(B, "/start KS_ABCDE23456"));
    expect(h.api.sentTexts(B)).toEqual([
      "Mã này đã được sử dụng từ một tài khoản Telegram khác. Nếu Ông/Bà chưa từng dùng mã, xin vui lòng liên hệ cơ quan tổ chức khảo sát (còn 4 lần thử).",
    ]);
    expect(h.access.audit.map((e) => e.kind)).toEqual(["access.bound_to_other"]);
  });

  test("a malformed deep link payload", async () => {
    await h.send(h.updates.text(A, "/start hello+world"));
    expect(h.api.sentTexts(A)).toEqual(["Đường liên kết này không chứa mã khảo sát hợp lệ. Xin vui lòng gửi mã ghi trên giấy mời."]);
  });
});

describe("declining and closing", () => {
  test("declining the identity ends politely and is recorded; the same code sent again asks again who is answering", async () => {
    await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
    await press(h, A, await data(h, A, { kind: "identity", confirm: false }));
    expect(h.api.sentTexts(A).at(-1)).toBe("Xin cảm ơn Ông/Bà. Mã này được cấp cho người khác, nên chưa có câu trả lời nào được ghi nhận. Nếu Ông/Bà có mã khảo sát của chính mình, xin gửi mã đó; nếu chưa có, xin liên hệ cơ quan tổ chức khảo sát.");
    const session = await sessionOf(h, A);
    expect(session).toMatchObject({ stage: "declined", identityDeclinedAt: "2026-11-10T02:00:00.000Z" });
    expect(session.engine).toBeUndefined();
    // (The database store also releases the code for its rightful owner: test/channels/zalo/e2e.test.ts.)
    await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
    const again = await sessionOf(h, A);
    expect(again).toMatchObject({ stage: "identity" });
    expect(again.id).not.toBe(session.id);
    expect(lastKeyboard(h, A).keyboard.flat().map((b) => b.text)).toHaveLength(2);
  });

  test("declining the attestation ends the survey, recorded with its time", async () => {
    await h.send(h.updates.text(A, "/start KS_ABCDE23456"));
    await press(h, A, await data(h, A, { kind: "identity", confirm: true }));
    await press(h, A, await data(h, A, { kind: "attestation", accept: false }));
    expect(h.api.sentTexts(A).at(-1)).toBe("Ông/Bà đã không xác nhận nên phiếu khảo sát kết thúc tại đây. Xin trân trọng cảm ơn Ông/Bà đã dành thời gian.");
    const session = await sessionOf(h, A);
    expect(session.stage).toBe("declined");
    expect(session.engine?.attestation).toEqual({ status: "declined", at: "2026-11-10T02:00:00.000Z" });
    await h.send(h.updates.text(A, "1"));
    expect(h.api.sentTexts(A).at(-1)).toBe("Phiếu khảo sát đã kết thúc vì chưa được xác nhận. Nếu có nhầm lẫn, xin vui lòng liên hệ cơ quan tổ chức khảo sát.");
  });

  test("a submit with required questions unanswered is refused in one short line naming their numbers, then walks to the first", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    await h.send(h.updates.text(A, "/review"));
    await press(h, A, await data(h, A, { kind: "submit" }));
    const refusal = h.api.sentTexts(A).find((text) => text.startsWith("Còn ") && text.includes("câu bắt buộc chưa trả lời"));
    expect(refusal).toMatch(/^Còn \d+ câu bắt buộc chưa trả lời \(câu 1[–,].*\)\. Chuyển tới câu 1\.$/);
    expect(refusal!.length).toBeLessThan(200);
    expect((await sessionOf(h, A)).engine!.position.kind).toBe("question");
  });

  test("after the close: answers refused with the closing time, buttons with a notice, new codes refused", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    h.clock.now = new Date("2026-11-30T10:00:00Z");
    const state = await sessionOf(h, A);
    await h.send(h.updates.text(A, "1"));
    expect(h.api.sentTexts(A).at(-1)).toBe("Đợt khảo sát đã kết thúc lúc 17:00 ngày 30/11/2026, không thể trả lời thêm. Xin cảm ơn Ông/Bà.");
    const calls = h.api.calls.length;
    await press(h, A, await data(h, A, { kind: "option", question: 0, option: 0 }));
    expect(h.api.calls.slice(calls).map((c) => [c.method, c.payload.text])).toEqual([
      ["answerCallbackQuery", "Đợt khảo sát đã kết thúc lúc 17:00 ngày 30/11/2026, không thể trả lời thêm. Xin cảm ơn Ông/Bà."],
    ]);
    expect(await sessionOf(h, A)).toEqual(state);
    await h.send(h.updates.text(B, "/start KS_HJKMN78923"));
    expect(h.api.sentTexts(B)).toEqual(["Đợt khảo sát đã kết thúc lúc 17:00 ngày 30/11/2026, không thể trả lời thêm. Xin cảm ơn Ông/Bà."]);
  });
});

describe("resume, commands and errors", () => {
  test("/start after some answers goes straight back to the current question; the old keyboard is retired", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    await answerUntilReview(h, A, {}, "a2_1");
    const old = lastKeyboard(h, A).messageId;
    await h.send(h.updates.text(A, "/start"));
    expect(h.api.sentTexts(A).slice(-2)).toEqual([
      "Chào mừng Ông/Bà quay lại. Xin tiếp tục từ chỗ đã dừng.",
      "【Xây dựng và tổ chức thực hiện thể chế】\nCâu 4/tối đa 30\nVăn bản quy phạm pháp luật do cơ quan, đơn vị ban hành hoặc tham mưu ban hành phù hợp với thực tiễn và có tính khả thi.",
    ]);
    expect(h.api.callsOf("editMessageReplyMarkup").at(-1)?.payload).toEqual({ chat_id: A, message_id: old, reply_markup: { inline_keyboard: [] } });
    expect((await sessionOf(h, A)).engine?.responses[0]?.answers).toHaveProperty("a1_3");
  });

  test("a language button answers the press and retires the language message once each", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    await h.send(h.updates.text(A, "/lang"));
    const { messageId } = lastKeyboard(h, A);
    const calls = h.api.calls.length;
    await h.send(h.updates.callback(A, await data(h, A, { kind: "language", language: "en" }), messageId));
    const methods = h.api.calls.slice(calls).map((c) => c.method);
    expect(methods.filter((m) => m === "answerCallbackQuery")).toHaveLength(1);
    expect(h.api.callsOf("editMessageReplyMarkup").filter((c) => c.payload.message_id === messageId)).toEqual([
      { method: "editMessageReplyMarkup", payload: { chat_id: A, message_id: messageId, reply_markup: { inline_keyboard: [] } } },
    ]);
    expect((await sessionOf(h, A)).language).toBe("en");
  });

  test("a language button before the survey started answers and retires once each", async () => {
    await h.send(h.updates.text(A, "/start ABCDE23456"));
    await h.send(h.updates.text(A, "/lang"));
    const { messageId } = lastKeyboard(h, A);
    const calls = h.api.calls.length;
    await h.send(h.updates.callback(A, await data(h, A, { kind: "language", language: "en" }), messageId));
    expect(h.api.calls.slice(calls).map((c) => c.method)).toEqual(["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"]);
    expect(h.api.sentTexts(A).at(-1)).toBe("Switched to English.");
  });

  test("/back, /status, /help and /lang en mid-survey", async () => {
    await toFirstQuestion(A, "ABCDE23456");
    await answerUntilReview(h, A, {}, "a1_3");
    await h.send(h.updates.text(A, "/back"));
    expect((await sessionOf(h, A)).engine?.position).toMatchObject({ kind: "question", questionId: "a1_2" });
    expect(h.api.sentTexts(A).at(-1)).toContain("Câu trả lời hiện tại: Hoàn toàn đồng ý");
    await h.send(h.updates.text(A, "/status"));
    expect(h.api.sentTexts(A).at(-1)).toBe("Đã trả lời 2/tối đa 30 câu.\nHạn chót: 17:00 ngày 30/11/2026.");
    await h.send(h.updates.text(A, "/lang en"));
    expect(h.api.sentTexts(A).slice(-2)).toEqual([
      "Switched to English.",
      expect.stringMatching(/^Question 2 of at most 30\nThe head of the unit personally directs administrative reform and follows it up regularly\.\nCurrent answer: Strongly agree$/),
    ]);
    expect((await sessionOf(h, A)).language).toBe("en");
    await h.send(h.updates.text(A, "/help"));
    expect(h.api.sentTexts(A).at(-1)).toMatch(/^How it works:\n/);
  });

  test("one respondent's failure is logged with the update id (no token, no code) and does not affect another", async () => {
    await toFirstQuestion(B, "HJKMN78923");
    const findLatest = h.sessions.findLatest.bind(h.sessions);
    h.sessions.findLatest = async (account) => {
      if (account === `telegram:${A}`) throw new Error(`database unavailable for ${TEST_TOKEN}`);
      return findLatest(account);
    };
    const update = h.updates.text(A, "ABCDE23456");
    await h.send(update);
    expect(h.api.sentTexts(A)).toEqual(["Xin lỗi, đã có lỗi khi xử lý tin nhắn. Xin Ông/Bà vui lòng thử lại sau giây lát; các câu trả lời trước đó vẫn được lưu."]);
    const errors = h.logs.filter((l) => l.level === "error");
    expect(errors).toEqual([{ level: "error", message: "update failed", data: { updateId: update.update_id, error: "Error: database unavailable for [token]" } }]);
    expect(JSON.stringify(h.logs)).not.toContain("ABCDE23456");
    await press(h, B, await data(h, B, { kind: "option", question: 0, option: 1 }));
    expect((await sessionOf(h, B)).engine?.responses[0]?.answers.a1_1?.value).toBe("2");
  });
});

test("/status: a close at midnight is said as the end of the day before, as every other text says it", async () => {
  // 17:00 UTC is midnight in Vietnam: the campaign runs until the end of 30/11/2026.
  h = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { ABCDE23456: "r1" }, closesAt: new Date("2026-11-30T17:00:00Z") });
  await toFirstQuestion(A, "ABCDE23456");
  await h.send(h.updates.text(A, "/status"));
  expect(h.api.sentTexts(A).at(-1)).toBe("Đã trả lời 0/tối đa 30 câu.\nHạn chót: hết ngày 30/11/2026.");
});
