import { beforeEach, describe, expect, test } from "vitest";
import type { Respondent } from "../../../src/demo/index.js";
import { answerUntilReview, buttons, createHarness, data, lastKeyboard, loadExample, press, sessionOf, type Harness } from "./harness.js";

// The privacy notice a named respondent sees once, with the code accepted.
const NAMED_NOTICE = "🔒 Cơ quan tổ chức khảo sát biết Ông/Bà đã gửi phiếu hay chưa, nhưng không ai xem được câu trả lời của riêng Ông/Bà: kết quả chỉ được công bố dưới dạng tổng hợp, cho những đơn vị có đủ số phiếu tối thiểu. Tài khoản Telegram được lưu cùng phiếu để Ông/Bà có thể làm tiếp và để mã khảo sát không bị người khác dùng; cơ quan tổ chức không xem được tài khoản này và không tệp xuất nào chứa nó.";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const CODE = "ABCDE23456";
const USER = 501;

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { [CODE]: "r1" } });
});

/** Texts sent and edited since `from` (index into the recorded calls). */
function textsSince(from: number): string[] {
  return h.api.calls.slice(from).filter((c) => c.method === "sendMessage" || c.method === "editMessageText").map((c) => `${c.method}: ${String(c.payload.text)}`);
}

async function startAndAttest(): Promise<void> {
  await h.send(h.updates.text(USER, `/start KS_${CODE}`));
  await press(h, USER, await data(h, USER, { kind: "identity", confirm: true }));
  await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
}

describe("PAR officials' survey through Telegram", () => {
  test("deep link: code accepted, identity on record with two buttons", async () => {
    await h.send(h.updates.text(USER, `/start KS_${CODE}`));
    expect(h.api.sentTexts(USER)).toEqual([
      `Mã hợp lệ. Xin chào Ông/Bà!\n\n${NAMED_NOTICE}`,
      "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?",
    ]);
    const tag = (await sessionOf(h, USER)).id;
    expect(tag).toBe("s1");
    expect(buttons(lastKeyboard(h, USER).keyboard)).toEqual([[`Đúng, tôi là người này | ${await data(h, USER, { kind: "identity", confirm: true })}`], [`Không phải tôi | ${await data(h, USER, { kind: "identity", confirm: false })}`]]);
    const session = await sessionOf(h, USER);
    expect(session).toMatchObject({ stage: "identity", respondentId: "r1", campaignId: "c1", account: `telegram:${USER}`, chatId: USER, language: "vi" });
    expect(session.engine).toBeUndefined();
    // The code is bound to the account, by keyed hash only.
    expect(h.access.codes[0]!.boundAccountKey).toMatch(/^[0-9a-f]{64}$/);
  });

  test("/start alone asks for the code; the code sent as a plain message works, in any case and with spaces", async () => {
    await h.send(h.updates.text(USER, "/start"));
    expect(h.api.sentTexts(USER)).toEqual([
      "Xin chào! Đây là trợ lý khảo sát về cải cách hành chính.\n\nXin Ông/Bà vui lòng gửi mã khảo sát (mã dùng một lần ghi trên giấy mời, dạng ABCDE-FGHJK).",
    ]);
    await h.send(h.updates.text(USER, "abcde 23456"));
    expect(h.api.sentTexts(USER).slice(1, 2)).toEqual([`Mã hợp lệ. Xin chào Ông/Bà!\n\n${NAMED_NOTICE}`]);
    expect((await sessionOf(h, USER)).stage).toBe("identity");
  });

  test("identity, attestation and the first question, each old keyboard marked with the choice", async () => {
    await startAndAttest();
    const edits = h.api.callsOf("editMessageText").map((c) => [c.payload.message_id, c.payload.text, c.payload.reply_markup]);
    expect(edits).toEqual([
      [101, "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?\n\n✓ Đúng, tôi là người này", { inline_keyboard: [] }],
      [
        103,
        "Trước khi bắt đầu, xin Ông/Bà vui lòng đọc và xác nhận:\n\nTôi xác nhận là người được mời tham gia khảo sát và tự mình trả lời phiếu này theo nhận định của bản thân, không nhờ cấp phó, trợ lý hay người khác trả lời thay.\n\n✓ Tôi xác nhận",
        { inline_keyboard: [] },
      ],
    ]);
    const texts = h.api.sentTexts(USER);
    expect(texts.at(-2)).toBe("Xin cảm ơn Ông/Bà đã xác nhận.");
    expect(texts.at(-1)).toBe(
      "【Công tác chỉ đạo, điều hành cải cách hành chính】\nCâu 1/tối đa 30\nKế hoạch cải cách hành chính năm của cơ quan, đơn vị sát với thực tế và được triển khai đầy đủ.",
    );
    const tag = (await data(h, USER, { kind: "review" })).split(".")[1];
    expect(buttons(lastKeyboard(h, USER).keyboard)).toEqual([
      [`1. Hoàn toàn đồng ý | 1.${tag}.o.0.0`],
      [`2. Đồng ý | 1.${tag}.o.0.1`],
      [`3. Không đồng ý | 1.${tag}.o.0.2`],
      [`4. Hoàn toàn không đồng ý | 1.${tag}.o.0.3`],
      [`5. Không đánh giá được | 1.${tag}.o.0.4`],
    ]);
    const session = await sessionOf(h, USER);
    expect(session.identityConfirmedAt).toBe("2026-11-10T02:00:00.000Z");
    expect(session.engine?.attestation).toEqual({ status: "accepted", at: "2026-11-10T02:00:00.000Z" });
    expect(session.prompt).toEqual({ kind: "question", questionId: "a1_1", unit: "stp", messageId: 105 });
  });

  test("a button answer is stored before anything is sent, then the question is marked and the next one sent", async () => {
    await startAndAttest();
    const before = h.api.calls.length;
    let callsAtCommit = -1;
    const commit = h.sessions.commit.bind(h.sessions);
    h.sessions.commit = async (updateId, write) => {
      callsAtCommit = h.api.calls.length;
      return commit(updateId, write);
    };
    await press(h, USER, await data(h, USER, { kind: "option", question: 0, option: 1 }));
    expect(callsAtCommit).toBe(before);
    expect(h.api.calls.slice(before).map((c) => c.method)).toEqual(["answerCallbackQuery", "editMessageText", "sendMessage"]);
    expect(textsSince(before)).toEqual([
      "editMessageText: Kế hoạch cải cách hành chính năm của cơ quan, đơn vị sát với thực tế và được triển khai đầy đủ.\n✓ Đồng ý",
      "sendMessage: Câu 2/tối đa 30\nNgười đứng đầu cơ quan, đơn vị trực tiếp chỉ đạo và thường xuyên đôn đốc công tác cải cách hành chính.",
    ]);
    const answers = (await sessionOf(h, USER)).engine!.responses[0]!.answers;
    expect(answers).toEqual({ a1_1: { value: "2", answeredAt: "2026-11-10T02:00:00.000Z", changeCount: 0, seconds: 0 } });
  });

  test("a refused submit walks through every question not yet seen, optional ones included, before the review", async () => {
    await startAndAttest();
    await press(h, USER, await data(h, USER, { kind: "option", question: 0, option: 0 }));
    await h.send(h.updates.text(USER, "/review"));
    await press(h, USER, await data(h, USER, { kind: "submit" }));
    expect((await sessionOf(h, USER)).engine?.position).toMatchObject({ kind: "question", questionId: "a1_2", mode: "edit" });
    // Issue 11 item 1: a7_4, its follow-up a7_5 and the closing comment a8_5 used to be passed over.
    const walked = await answerUntilReview(h, USER, { a7_4: { toggle: ["ky_so"] } });
    expect(walked.slice(-9)).toEqual(["a7_3", "a7_4", "a7_5", "a7_6", "a8_1", "a8_2", "a8_3", "a8_4", "a8_5"]);
    const texts = h.api.sentTexts(USER);
    expect(texts.some((t) => t.includes("Trong công việc hằng ngày, Ông/Bà sử dụng những công cụ số nào?"))).toBe(true);
    const session = await sessionOf(h, USER);
    expect(session.engine?.position).toEqual({ kind: "review" });
    expect(session.engine?.responses[0]?.answers.a8_5?.value).toBe("Không có ý kiến thêm.");
  });

  test("number question: typed reply, the engine's validation message, then the follow-up its condition shows", async () => {
    await startAndAttest();
    await answerUntilReview(h, USER, {}, "a5_4");
    await h.send(h.updates.text(USER, "abc"));
    const session = await sessionOf(h, USER);
    expect(session.engine?.position).toMatchObject({ kind: "question", questionId: "a5_4" });
    expect(h.api.sentTexts(USER).slice(-2)).toEqual([
      "Câu 15/tối đa 30\nTrong 12 tháng qua, Ông/Bà đã tham gia bao nhiêu khóa đào tạo, bồi dưỡng? (nhập 0 nếu chưa tham gia)\nXin nhập một số từ 0 đến 50. Chỉ nhập số nguyên.",
      "Câu trả lời cần là một con số, ví dụ 12 hoặc 3,5.",
    ]);
    // A typed question offers only the way back.
    expect(lastKeyboard(h, USER).keyboard.flat().map((b) => b.text)).toEqual(["◀ Câu trước"]);
    await h.send(h.updates.text(USER, "2"));
    const after = await sessionOf(h, USER);
    expect(after.engine?.responses[0]?.answers.a5_4?.value).toBe(2);
    expect(after.engine?.position).toMatchObject({ kind: "question", questionId: "a5_5" });
  });

  test("whole questionnaire: review with edit buttons, an edit, submit and thanks with the time", async () => {
    await startAndAttest();
    const seen = await answerUntilReview(h, USER, { a7_1: { option: "yes" }, a7_4: { toggle: ["ky_so", "vbdh"] }, a8_4: { scale: 8 }, a8_5: "skip" });
    expect(seen).toContain("a7_5");
    let session = await sessionOf(h, USER);
    expect(session.engine?.position.kind).toBe("review");
    const review = h.api.sentTexts(USER).at(-1)!;
    expect(review.split("\n")[0]).toBe("Xem lại các câu trả lời");
    expect(review.split("\n").slice(1, 3)).toEqual(["1. Kế hoạch cải cách hành chính năm của cơ quan, đơn vị sát với thực tế và được tr…", "   → Hoàn toàn đồng ý"]);
    expect(review).toContain("→ Hệ thống quản lý văn bản và điều hành; Chữ ký số");
    expect(review).toContain("→ 8");
    expect(review.split("\n").slice(-2)).toEqual(["Đã trả lời 29/30 câu.", "Bấm số câu để sửa câu trả lời, hoặc bấm “Gửi phiếu” để gửi."]);
    const keyboard = lastKeyboard(h, USER).keyboard;
    expect(keyboard.flat().length).toBe(31);
    expect(keyboard.at(-1)!.map((b) => b.text)).toEqual(["✅ Gửi phiếu"]);

    // Edit question 1 from the review: back to the review after answering.
    await press(h, USER, await data(h, USER, { kind: "edit", question: 0 }));
    expect(h.api.sentTexts(USER).at(-1)).toContain("Câu trả lời hiện tại: Hoàn toàn đồng ý");
    await press(h, USER, await data(h, USER, { kind: "option", question: 0, option: 2 }));
    session = await sessionOf(h, USER);
    expect(session.engine?.position.kind).toBe("review");
    expect(session.engine?.responses[0]?.answers.a1_1).toEqual({ value: "3", answeredAt: "2026-11-10T02:00:00.000Z", changeCount: 1, seconds: 0 });

    h.clock.now = new Date("2026-11-10T02:05:00Z");
    const reviewMessage = lastKeyboard(h, USER).messageId;
    await press(h, USER, await data(h, USER, { kind: "submit" }));
    // The submitted review's buttons are removed, so none looks live.
    expect(h.api.callsOf("editMessageReplyMarkup").at(-1)?.payload).toEqual({ chat_id: USER, message_id: reviewMessage, reply_markup: { inline_keyboard: [] } });
    expect(h.api.sentTexts(USER).at(-1)).toBe(
      "Xin trân trọng cảm ơn Ông/Bà! Phiếu khảo sát đã được gửi lúc 09:05 ngày 10/11/2026. Ý kiến của Ông/Bà giúp nâng cao chất lượng cải cách hành chính.",
    );
    session = await sessionOf(h, USER);
    expect(session.engine?.position.kind).toBe("completed");
    expect(session.engine?.responses[0]?.submittedAt).toBe("2026-11-10T02:05:00.000Z");
    const answers = session.engine!.responses[0]!.answers;
    expect(Object.keys(answers).sort()).toEqual(seen.filter((id) => id !== "a8_5").sort());
    expect(answers.a7_4?.value).toEqual(["vbdh", "ky_so"]);
    expect(h.sessions.steps.some((s) => s.step.events.some((e) => e.type === "unit_submitted"))).toBe(true);

    // After submitting: a clear answer, nothing changes.
    await h.send(h.updates.text(USER, "xin chào"));
    expect(h.api.sentTexts(USER).at(-1)).toBe("Ông/Bà đã gửi phiếu lúc 09:05 ngày 10/11/2026. Xin trân trọng cảm ơn!");
    await h.send(h.updates.text(USER, `/start KS_${CODE}`));
    expect(h.api.sentTexts(USER).at(-1)).toBe("Ông/Bà đã gửi phiếu lúc 09:05 ngày 10/11/2026. Xin trân trọng cảm ơn!");
  });
});
