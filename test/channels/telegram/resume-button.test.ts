// The reminder's "continue answering" button (callback data `resume:<campaignId>` or `resume`),
// pressed in the real bot: it must show the respondent where they stopped, like /start does.
import { beforeEach, describe, expect, test } from "vitest";
import type { Respondent } from "../../../src/demo/index.js";
import { resumeCallbackData } from "../../../src/reminders/index.js";
import { answerUntilReview, createHarness, data, loadExample, press, sessionOf, type Harness } from "./harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const CODE = "ABCDE23456";
const USER = 501;
// The reminder itself: a message the outbox sent, not the session's live prompt.
const REMINDER_MESSAGE_ID = 9_000;
const RESUME = "Chào mừng Ông/Bà quay lại. Xin tiếp tục từ chỗ đã dừng.";
const Q3 = "Câu 3/tối đa 30\n";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { [CODE]: "r1" } });
});

async function startAndAttest(): Promise<void> {
  await h.send(h.updates.text(USER, `/start KS_${CODE}`));
  await press(h, USER, await data(h, USER, { kind: "identity", confirm: true }));
  await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
}

function sentSinceClear(): string[] {
  return h.api.calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
}

function callbackAnswers(): Record<string, unknown>[] {
  return h.api.callsOf("answerCallbackQuery").map((c) => {
    const { callback_query_id: _id, ...rest } = c.payload;
    return rest;
  });
}

describe("the reminder's resume button", () => {
  test.each([["resume:c1"], ["resume"]])("mid-questionnaire (%s): the current question again, nothing stored changes", async (callbackData) => {
    expect(resumeCallbackData("c1")).toBe("resume:c1");
    await startAndAttest();
    const third = "a1_3";
    expect(await answerUntilReview(h, USER, {}, third)).toHaveLength(2);
    const before = await sessionOf(h, USER);
    const stepsBefore = h.sessions.steps.length;
    h.api.clear();

    await h.send(h.updates.callback(USER, callbackData, REMINDER_MESSAGE_ID));

    const sent = sentSinceClear();
    expect(sent).toEqual([RESUME, `${Q3}Ông/Bà đánh giá thế nào về việc kiểm tra cải cách hành chính và khắc phục tồn tại sau kiểm tra của cơ quan, đơn vị?`]);
    expect(callbackAnswers()).toEqual([{}]);
    const after = await sessionOf(h, USER);
    expect(after.engine?.position).toEqual(before.engine?.position);
    expect(after.engine?.responses).toEqual(before.engine?.responses);
    expect(after.engine?.history).toEqual(before.engine?.history);
    expect(after.stage).toBe(before.stage);
    // No answer was recorded: any step stored is a plain re-show with no answer or submission.
    const stored = h.sessions.steps.slice(stepsBefore).flatMap((s) => s.step.events.map((e) => e.type));
    expect(stored.filter((t) => t !== "question_shown")).toEqual([]);
  });

  test("still at the identity step: the identity question again", async () => {
    await h.send(h.updates.text(USER, `/start KS_${CODE}`));
    h.api.clear();
    await h.send(h.updates.callback(USER, "resume:c1", REMINDER_MESSAGE_ID));
    expect(sentSinceClear()).toEqual([RESUME, "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?"]);
    expect(callbackAnswers()).toEqual([{}]);
    expect((await sessionOf(h, USER)).stage).toBe("identity");
  });

  test("already submitted: the usual clear message, nothing changes", async () => {
    await startAndAttest();
    await answerUntilReview(h, USER);
    await press(h, USER, await data(h, USER, { kind: "submit" }));
    const before = await sessionOf(h, USER);
    h.api.clear();
    await h.send(h.updates.callback(USER, "resume:c1", REMINDER_MESSAGE_ID));
    expect(sentSinceClear()).toEqual(["Ông/Bà đã gửi phiếu lúc 09:00 ngày 10/11/2026. Xin trân trọng cảm ơn!"]);
    expect(callbackAnswers()).toEqual([{}]);
    expect(await sessionOf(h, USER)).toEqual(before);
  });

  test("campaign closed: says when it closed", async () => {
    await startAndAttest();
    h.clock.now = new Date("2026-12-01T00:00:00Z");
    h.api.clear();
    await h.send(h.updates.callback(USER, "resume:c1", REMINDER_MESSAGE_ID));
    expect(sentSinceClear()).toEqual(["Đợt khảo sát đã kết thúc lúc 17:00 ngày 30/11/2026, không thể trả lời thêm. Xin cảm ơn Ông/Bà."]);
    expect(callbackAnswers()).toEqual([{}]);
  });

  test("no session in that campaign (unknown account or another campaign): an alert asking for the code", async () => {
    const alert = { text: "Ông/Bà chưa nhập mã khảo sát. Xin vui lòng gửi mã ghi trên giấy mời.", show_alert: true };
    await h.send(h.updates.callback(777, "resume:c1", REMINDER_MESSAGE_ID));
    expect(sentSinceClear()).toEqual([]);
    expect(callbackAnswers()).toEqual([alert]);
    expect(await h.sessions.findLatest("telegram:777")).toBeUndefined();
    await startAndAttest();
    h.api.clear();
    await h.send(h.updates.callback(USER, "resume:c-other", REMINDER_MESSAGE_ID));
    expect(sentSinceClear()).toEqual([]);
    expect(callbackAnswers()).toEqual([alert]);
  });
});
