import { describe, expect, test } from "vitest";
import type { Respondent } from "../../../src/demo/index.js";
import { answerUntilReview, buttons, createHarness, data, lastKeyboard, loadExample, press, sessionOf } from "./harness.js";

const LAN: Respondent = { id: "r1", name: "Lê Văn Lan", unit: { id: "ubnd-x", name: "UBND xã Tân Lập" }, subjectUnits: [], language: "en" };
const HOA: Respondent = {
  id: "r2",
  name: "Phạm Thị Hoa",
  unit: { id: "snv", name: "Sở Nội vụ" },
  subjectUnits: [
    { id: "stp", name: "Sở Tư pháp" },
    { id: "syt", name: "Sở Y tế" },
  ],
};
const USER = 601;

async function harness() {
  return createHarness({ questionnaire: await loadExample("sipas-citizens.yaml"), respondents: [LAN, HOA], codes: { ABCDE23456: "r1", HJKMN78923: "r2" } });
}

describe("SIPAS citizens' survey through Telegram", () => {
  test("in English: scale keyboard on one row with its end labels, cannot-judge row, toggles, Done limits, typed comment, submit", async () => {
    const h = await harness();
    await h.send(h.updates.text(USER, "/start KS_ABCDE23456"));
    expect(h.api.sentTexts(USER)).toEqual(["Code accepted. Welcome!\n\n🔒 The organisers can see whether you have submitted, but nobody sees your own answers: results are published only as totals, for units with enough responses. Your Telegram account is kept with your survey so that you can resume it and nobody else can use your code; the organisers never see it and no export contains it.", "According to the survey list, this code was issued to: Lê Văn Lan, UBND xã Tân Lập. Is that you?"]);
    await press(h, USER, await data(h, USER, { kind: "identity", confirm: true }));
    expect(h.api.sentTexts(USER).at(-1)).toBe(
      "Before you start, please read and confirm:\n\nI confirm that I personally carried out the administrative procedure being rated and that I answer this form myself.",
    );
    await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
    expect(h.api.sentTexts(USER).at(-1)).toBe("【General information】\nQuestion 1 of at most 29\nHow did you submit your application?");

    await answerUntilReview(h, USER, { channel: { option: "desk" }, gender: "skip" }, "f1_1");
    expect(h.api.sentTexts(USER).at(-1)).toMatch(/^【[^】]+】\nQuestion 4 of (?:at most )?\d+\n.+\n1 = Very dissatisfied … 5 = Very satisfied$/);
    const tag = (await data(h, USER, { kind: "review" })).split(".")[1];
    const f1 = h.campaign.questionnaire.byId.get("f1_1")!.index.toString(36);
    expect(buttons(lastKeyboard(h, USER).keyboard)).toEqual([
      [1, 2, 3, 4, 5].map((v) => `${v} | 1.${tag}.s.${f1}.${v}`),
      [`Cannot judge | 1.${tag}.s.${f1}.na`],
      [`◀ Previous | 1.${tag}.b.${f1}`],
    ]);
    await press(h, USER, await data(h, USER, { kind: "scale", question: h.campaign.questionnaire.byId.get("f1_1")!.index, value: "na" }));
    expect(h.api.callsOf("editMessageText").at(-1)?.payload.text).toMatch(/\n✓ Cannot judge$/);

    await answerUntilReview(h, USER, {}, "improve");
    const improve = h.campaign.questionnaire.byId.get("improve")!.index;
    for (const option of [0, 1, 2]) await press(h, USER, await data(h, USER, { kind: "toggle", question: improve, option }));
    const markup = h.api.callsOf("editMessageReplyMarkup").at(-1)!.payload.reply_markup as { inline_keyboard: { text: string }[][] };
    expect(markup.inline_keyboard.map((row) => row.map((b) => b.text))).toEqual([
      ["☑ 1. Premises and equipment"],
      ["☑ 2. Online public services"],
      ["☑ 3. Openness about procedures"],
      ["☐ 4. Simpler documents and procedures"],
      ["☐ 5. Shorter processing time"],
      ["☐ 6. Civil servants' attitude and skills"],
      ["☐ 7. Handling of feedback and complaints"],
      ["Done (3 chosen)"],
      ["◀ Previous", "Skip ▶"],
    ]);
    const calls = h.api.calls.length;
    await press(h, USER, await data(h, USER, { kind: "toggle", question: improve, option: 3 }));
    expect(h.api.calls.slice(calls).map((c) => [c.method, c.payload.text, c.payload.show_alert])).toEqual([
      ["answerCallbackQuery", "Please choose at most 3 options.", true],
    ]);
    await press(h, USER, await data(h, USER, { kind: "done", question: improve }));
    expect(h.api.callsOf("editMessageText").at(-1)?.payload.text).toBe(
      "What should the agency improve most? (choose up to 3)\n✓ Premises and equipment; Online public services; Openness about procedures",
    );
    await h.send(h.updates.text(USER, "Nhân viên rất nhiệt tình."));
    let session = await sessionOf(h, USER);
    expect(session.engine?.position.kind).toBe("review");
    expect(session.engine?.responses[0]?.answers.comment?.value).toBe("Nhân viên rất nhiệt tình.");
    await press(h, USER, await data(h, USER, { kind: "submit" }));
    expect(h.api.sentTexts(USER).at(-1)).toBe("Thank you very much! Your survey was submitted at 09:00 on 10 November 2026. Your views help improve public administration.");
    session = await sessionOf(h, USER);
    const answers = session.engine!.responses[0]!.answers;
    expect(answers.channel?.value).toBe("desk");
    expect(answers.f1_1?.value).toBe("na");
    expect(answers.improve?.value).toEqual(["facility", "online", "publicity"]);
    expect(answers).not.toHaveProperty("gender");
    expect(session.engine?.responses[0]?.submittedAt).toBe("2026-11-10T02:00:00.000Z");
  });

  test("several subject units: progress names the unit, each unit is submitted in turn", async () => {
    const h = await harness();
    await h.send(h.updates.text(USER, "/start HJKMN78923"));
    await press(h, USER, await data(h, USER, { kind: "identity", confirm: true }));
    await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
    expect(h.api.sentTexts(USER).slice(-2)).toEqual([
      "Xin cảm ơn Ông/Bà đã xác nhận.\n\nTiếp theo, xin Ông/Bà đánh giá đơn vị: Sở Tư pháp (1/2).",
      "【Thông tin chung】\nCâu 1/tối đa 29 · Đơn vị được đánh giá: Sở Tư pháp (1/2)\nÔng/Bà đã nộp hồ sơ bằng hình thức nào?",
    ]);
    await answerUntilReview(h, USER);
    await press(h, USER, await data(h, USER, { kind: "submit" }));
    expect(h.api.sentTexts(USER).slice(-2)).toEqual([
      "Đã ghi nhận phiếu đánh giá Sở Tư pháp lúc 09:00 ngày 10/11/2026.\n\nTiếp theo, xin Ông/Bà đánh giá đơn vị: Sở Y tế (2/2).",
      "【Thông tin chung】\nCâu 1/tối đa 29 · Đơn vị được đánh giá: Sở Y tế (2/2)\nÔng/Bà đã nộp hồ sơ bằng hình thức nào?",
    ]);
    await h.send(h.updates.text(USER, "/status"));
    expect(h.api.sentTexts(USER).at(-1)).toBe("Đơn vị 2/2 (Sở Y tế): đã trả lời 0/tối đa 29 câu.\nHạn chót: 17:00 ngày 30/11/2026.");
    await answerUntilReview(h, USER);
    await press(h, USER, await data(h, USER, { kind: "submit" }));
    const session = await sessionOf(h, USER);
    expect(session.engine?.position.kind).toBe("completed");
    expect(session.engine?.responses.map((r) => [r.unit, r.submittedAt])).toEqual([
      ["stp", "2026-11-10T02:00:00.000Z"],
      ["syt", "2026-11-10T02:00:00.000Z"],
    ]);
  });
});
