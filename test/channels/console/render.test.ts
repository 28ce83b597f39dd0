import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  ConsoleRenderer,
  formatDateTime,
  formatNumber,
  lineSourceOf,
  multiExample,
  numberRanges,
  parseCommand,
  parseYesNo,
  runConsoleSurvey,
  type ConsoleCommand,
} from "../../../src/channels/console/index.js";
import type { EngineEvent, Progress, RenderHints, StepResult, ValidationParams, ValidationReason } from "../../../src/engine/index.js";
import { createI18n } from "../../../src/i18n/index.js";
import { parseQuestionnaire, type Questionnaire } from "../../../src/questionnaire/index.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/preview.yaml", import.meta.url));

function load(): Questionnaire {
  const result = parseQuestionnaire(readFileSync(FIXTURE), FIXTURE);
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join("\n"));
  return result.questionnaire;
}
const questionnaire = load();

function renderer(language: "vi" | "en" = "vi", unitName?: (id: string) => string) {
  const r = new ConsoleRenderer({ questionnaire, i18n: createI18n({ language }), ...(unitName ? { unitName } : {}) });
  r.setLanguage(language);
  return r;
}

const progress = (answered: number, total: number, unitCount = 1, unitIndex = 0): Progress => ({ answered, total, unit: "SO_TP", unitIndex, unitCount });
function shown(questionId: string, number: number, hints: RenderHints, extra: Partial<Extract<EngineEvent, { type: "question_shown" }>> = {}): EngineEvent {
  return { type: "question_shown", questionId, unit: "SO_TP", number, progress: progress(number - 1, 5), mode: "flow", required: true, canGoBack: false, hints, ...extra };
}
const OPTIONS_2 = [{ id: "yes", number: 1 }, { id: "no", number: 2 }];
const OPTIONS_3 = [{ id: "a", number: 1 }, { id: "b", number: 2 }, { id: "c", number: 3 }];
const SCALE: RenderHints = { type: "scale", min: 1, max: 5, values: [1, 2, 3, 4, 5], labelled: [1, 5], allowNotApplicable: true };

describe("ConsoleRenderer: questions", () => {
  test.each<[string, "vi" | "en", EngineEvent, string[]]>([
    [
      "single, first of its section",
      "vi",
      shown("q1", 1, { type: "single", options: OPTIONS_2 }),
      ["", "── Phần một ──", "Câu 1/5", "Ông/Bà có dùng dịch vụ công trực tuyến không?", "  1. Có", "  2. Không", "Xin gõ 1 hoặc 2."],
    ],
    [
      "multi with its current answer",
      "en",
      shown("q2", 2, { type: "multi", options: OPTIONS_3, minSelect: 1, maxSelect: 2, selected: [] }, { current: ["a", "c"] }),
      [
        "",
        "── Part one ──",
        "Question 2 of 5",
        "Which services do you use?",
        "  1. Civil status",
        "  2. Land",
        "  3. Business",
        "Please choose 1 to 2 options: type their numbers separated by commas, e.g. 1,3.",
        "Current answer: Civil status; Business",
      ],
    ],
    [
      "scale with end labels and cannot judge",
      "vi",
      shown("q3", 3, SCALE, { current: 5 }),
      [
        "",
        "── Phần hai ──",
        "Câu 3/5",
        "Mức độ hài lòng của Ông/Bà?",
        "  1 = Rất không hài lòng",
        "  5 = Rất hài lòng",
        "  na = Không đánh giá được",
        "Xin gõ một số từ 1 đến 5, hoặc gõ na nếu Ông/Bà không đánh giá được.",
        "Câu trả lời hiện tại: 5 (Rất hài lòng)",
      ],
    ],
    [
      "number with a decimal current answer",
      "vi",
      shown("q4", 4, { type: "number", min: 0, max: 48, integer: false }, { current: 3.5 }),
      ["", "── Phần hai ──", "Câu 4/5", "Ông/Bà chờ bao nhiêu giờ?", "Xin nhập một số từ 0 đến 48.", "Câu trả lời hiện tại: 3,5"],
    ],
    [
      "optional text",
      "en",
      shown("q5", 5, { type: "text", maxLength: 20 }, { required: false }),
      ["", "── Part two ──", "Question 5 of 5", "Your suggestions (Optional)", "Please type your answer (at most 20 characters).", "This question is optional: type skip to skip it."],
    ],
    [
      "the unit being assessed when there are several",
      "vi",
      shown("q1", 1, { type: "single", options: OPTIONS_2 }, { progress: progress(0, 24, 3, 1) }),
      ["", "── Phần một ──", "Câu 1/24 · Đơn vị được đánh giá: Sở Tư pháp (2/3)", "Ông/Bà có dùng dịch vụ công trực tuyến không?", "  1. Có", "  2. Không", "Xin gõ 1 hoặc 2."],
    ],
  ])("%s (%s)", (_name, language, event, expected) => {
    expect(renderer(language, (id) => (id === "SO_TP" ? "Sở Tư pháp" : id)).render([event])).toEqual(expected);
  });

  test("the section title is shown once, again after a review", () => {
    const r = renderer();
    const lines = r.render([
      shown("q1", 1, { type: "single", options: OPTIONS_2 }),
      shown("q2", 2, { type: "multi", options: OPTIONS_3, minSelect: 1, maxSelect: 2, selected: [] }),
    ]);
    expect(lines.filter((l) => l.startsWith("──"))).toEqual(["── Phần một ──"]);
    r.render([{ type: "review_shown", unit: "SO_TP", progress: progress(1, 2), items: [] }]);
    expect(r.render([shown("q2", 2, { type: "multi", options: OPTIONS_3, minSelect: 2, maxSelect: 2, selected: [] })]).slice(0, 2)).toEqual(["", "── Phần một ──"]);
  });

  test.each<[number, number, number, string]>([
    [3, 1, 2, "1,3"],
    [2, 1, 2, "1,2"],
    [5, 1, 1, "1"],
    [6, 3, 3, "1,3,5"],
    [4, 3, 4, "1,2,3"],
  ])("multi example for %i options, %i to %i: %s", (count, min, max, expected) => {
    expect(multiExample(count, min, max)).toBe(expected);
  });
});

describe("ConsoleRenderer: validation messages", () => {
  test.each<[ValidationReason, string, ValidationParams, string, string]>([
    ["required", "q1", {}, "Đây là câu hỏi bắt buộc. Xin Ông/Bà vui lòng trả lời.", "This question is required. Please answer it."],
    ["empty_text", "q5", {}, "Câu trả lời không được để trống. Xin Ông/Bà vui lòng nhập nội dung.", "The answer cannot be empty. Please type your answer."],
    ["unknown_option", "q1", { value: "7", optionCount: 2 }, "Không có phương án “7”. Xin vui lòng gõ số thứ tự từ 1 đến 2.", "There is no option “7”. Please type a number from 1 to 2."],
    ["too_few_selected", "q2", { minSelect: 2, maxSelect: 3 }, "Xin vui lòng chọn ít nhất 2 phương án.", "Please choose at least 2 options."],
    ["too_few_selected", "q2", { minSelect: 1, maxSelect: 3 }, "Xin vui lòng chọn ít nhất 1 phương án.", "Please choose at least 1 option."],
    ["too_many_selected", "q2", { minSelect: 1, maxSelect: 2 }, "Xin vui lòng chọn nhiều nhất 2 phương án.", "Please choose at most 2 options."],
    ["not_a_number", "q4", { value: "abc" }, "Câu trả lời cần là một con số, ví dụ 12 hoặc 3,5.", "The answer must be a number, e.g. 12 or 3.5."],
    ["ambiguous_number", "q4", { value: "1.234,5" }, "Chưa rõ con số Ông/Bà nhập. Xin vui lòng viết số không có dấu phân cách hàng nghìn, ví dụ 1234,5.", "That number is ambiguous. Please write it without thousands separators, e.g. 1234.5."],
    ["not_integer", "q4", { min: 0, max: 48 }, "Xin vui lòng nhập một số nguyên, không có phần thập phân.", "Please enter a whole number, without decimals."],
    ["below_min", "q4", { min: 0.5, max: 48 }, "Số nhỏ nhất được chấp nhận là 0,5.", "The smallest accepted number is 0.5."],
    ["above_max", "q4", { min: 0, max: 48 }, "Số lớn nhất được chấp nhận là 48.", "The largest accepted number is 48."],
    ["out_of_range", "q3", { min: 1, max: 5, value: "6" }, "Xin vui lòng chọn một giá trị từ 1 đến 5, hoặc gõ na nếu Ông/Bà không đánh giá được.", "Please choose a value from 1 to 5, or type na if you cannot judge."],
    ["not_applicable_not_allowed", "q3", { min: 1, max: 5 }, "Câu này không có lựa chọn “Không đánh giá được”. Xin vui lòng chọn một giá trị từ 1 đến 5.", "This question has no “Cannot judge” answer. Please choose a value from 1 to 5."],
    ["too_long", "q5", { maxLength: 20, length: 25 }, "Câu trả lời dài 25 ký tự, vượt quá giới hạn 20 ký tự. Xin vui lòng rút gọn.", "Your answer is 25 characters long, over the limit of 20. Please shorten it."],
    ["wrong_kind", "q1", {}, "Câu trả lời này không phù hợp với câu hỏi hiện tại. Xin vui lòng trả lời lại.", "That answer does not fit the current question. Please answer again."],
  ])("%s %o", (reason, questionId, params, vi, en) => {
    const event: EngineEvent = { type: "validation_failed", questionId, reason, params };
    expect([renderer("vi").render([event]), renderer("en").render([event])]).toEqual([[vi], [en]]);
  });

  test("limits missing from the event are taken from the question", () => {
    expect(renderer("en").render([{ type: "validation_failed", questionId: "q3", reason: "out_of_range", params: {} }])).toEqual(["Please choose a value from 1 to 5, or type na if you cannot judge."]);
  });
});

describe("ConsoleRenderer: other events", () => {
  const items = [
    { questionId: "q1", number: 1, value: "yes", required: true, missing: false },
    { questionId: "q2", number: 2, required: true, missing: true },
    { questionId: "q3", number: 3, value: "na", required: true, missing: false },
    { questionId: "q5", number: 4, required: false, missing: false },
  ];

  test("review, then a refused submit naming the missing question", () => {
    const r = renderer();
    expect(r.render([{ type: "review_shown", unit: "SO_TP", progress: progress(2, 4), items }, { type: "submit_refused", unit: "SO_TP", missing: ["q2"] }])).toEqual([
      "",
      "Xem lại các câu trả lời",
      "  1. Ông/Bà có dùng dịch vụ công trực tuyến không?",
      "     → Có",
      "  2. Ông/Bà dùng những dịch vụ nào?",
      "     → (chưa trả lời, bắt buộc)",
      "  3. Mức độ hài lòng của Ông/Bà?",
      "     → Không đánh giá được",
      "  4. Góp ý của Ông/Bà",
      "     → (chưa trả lời)",
      "Đã trả lời 2/4 câu.",
      "Còn 1 câu bắt buộc chưa trả lời.",
      "Gõ sửa <số> (ví dụ sửa 3) để sửa một câu, gửi để gửi phiếu.",
      "Gõ tiếp tục để trả lời lần lượt các câu bắt buộc còn thiếu.",
      "",
      "Còn 1 câu bắt buộc chưa trả lời (câu 2). Chuyển tới câu 2.",
    ]);
    expect(r.lastReview?.map((i) => i.questionId)).toEqual(["q1", "q2", "q3", "q5"]);
  });

  test("English refusal of one question", () => {
    const r = renderer("en");
    r.render([{ type: "review_shown", unit: "SO_TP", progress: progress(2, 4), items }]);
    expect(r.render([{ type: "submit_refused", unit: "SO_TP", missing: ["q2"] }])).toEqual([
      "",
      "1 required question is still unanswered (question 2). Going to question 2.",
    ]);
  });

  test("a refused submit of many questions is one short line of ranges, naming the question shown next", () => {
    const r = renderer("en");
    const lines = r.render([{ type: "submit_refused", unit: "SO_TP", missing: ["q2", "q3", "q5"] }, shown("q1", 1, { type: "single", options: [{ id: "yes", number: 1 }, { id: "no", number: 2 }] })]);
    expect(lines[1]).toBe("3 required questions are still unanswered (questions 2–3, 5). Going to question 1.");
    expect(numberRanges([9, 4, 5, 6, 7, 1])).toBe("1, 4–7, 9");
    expect(numberRanges([1, 3, 5, 7, 9, 11, 13])).toBe("1, 3, 5, 7, 9, 11, …");
  });

  test.each<[string, "vi" | "en", EngineEvent[], string[]]>([
    ["thanks with the time in Vietnam", "vi", [{ type: "completed", at: "2026-12-01T16:30:00Z", units: ["SO_TP"] }], ["", "Xin trân trọng cảm ơn Ông/Bà! Phiếu khảo sát đã được gửi lúc 23:30 ngày 01/12/2026. Ý kiến của Ông/Bà giúp nâng cao chất lượng cải cách hành chính."]],
    ["skipped", "vi", [{ type: "question_skipped", questionId: "q5", unit: "SO_TP" }], ["Đã bỏ qua câu này."]],
    ["hidden answer discarded silently", "vi", [{ type: "answer_discarded", questionId: "q2", unit: "SO_TP", previous: ["a"], reason: "hidden" }], []],
    ["rejected back", "en", [{ type: "input_rejected", input: "back", reason: "nothing_before" }], ["This is the first question; there is nothing before it."]],
    ["language switch speaks the new language", "vi", [{ type: "language_changed", language: "en" }], ["Switched to English."]],
    [
      "a second unit starts",
      "vi",
      [
        { type: "survey_started", at: "2026-12-01T02:00:00Z", language: "vi", units: ["A", "B"] },
        { type: "unit_submitted", unit: "A", unitIndex: 0, startedAt: "2026-12-01T02:00:00Z", at: "2026-12-01T02:10:00Z", answers: {} },
        { type: "unit_started", unit: "B", unitIndex: 1, unitCount: 2, at: "2026-12-01T02:10:00Z" },
      ],
      ["Phiếu thử", "Giới thiệu ngắn.", "Gõ trợ giúp để xem các lệnh.", "", "Đã ghi nhận phiếu đánh giá A lúc 09:10 ngày 01/12/2026.", "", "Tiếp theo, xin Ông/Bà đánh giá đơn vị: B (2/2)."],
    ],
    [
      "attestation",
      "en",
      [{ type: "attestation_shown" }],
      ["", "Before you start, please read and confirm:", "I answer this form myself.", "  1. I confirm", "  2. I do not confirm", "Please type 1 or 2."],
    ],
  ])("%s", (_name, language, events, expected) => {
    expect(renderer(language).render(events)).toEqual(expected);
  });
});

describe("formatting", () => {
  test.each<[number, "vi" | "en", string]>([
    [3.5, "vi", "3,5"],
    [3.5, "en", "3.5"],
    [1234567, "vi", "1234567"],
    [-0.25, "en", "-0.25"],
  ])("%d in %s is %s", (value, language, expected) => {
    expect(formatNumber(value, language)).toBe(expected);
  });

  test.each<[string, "vi" | "en", { time: string; date: string }]>([
    ["2026-12-31T17:05:00Z", "vi", { time: "00:05", date: "01/01/2027" }],
    ["2026-12-31T17:05:00Z", "en", { time: "00:05", date: "1 January 2027" }],
  ])("%s in %s", (iso, language, expected) => {
    expect(formatDateTime(iso, language, "Asia/Ho_Chi_Minh")).toEqual(expected);
  });
});

describe("commands", () => {
  test.each<[string, ConsoleCommand | undefined]>([
    ["back", { kind: "back" }],
    [" /Review ", { kind: "review" }],
    ["edit 12", { kind: "edit", number: 12 }],
    ["edit x", { kind: "edit" }],
    ["edit", { kind: "edit" }],
    ["skip", { kind: "skip" }],
    ["submit", { kind: "submit" }],
    ["lang", { kind: "lang" }],
    ["lang EN", { kind: "lang", language: "en" }],
    ["quit", { kind: "quit" }],
    ["exit", { kind: "quit" }],
    ["help", { kind: "help" }],
    ["help me please", undefined],
    ["back 2", undefined],
    ["1,3", undefined],
    ["Rất tốt", undefined],
  ])("%j", (line, expected) => {
    expect(parseCommand(line)).toEqual(expected);
  });

  test.each<[string, boolean | undefined]>([
    ["có", true],
    ["Có", true],
    ["co", true],
    ["yes", true],
    ["Y", true],
    ["không", false],
    ["Không", false],
    ["khong", false],
    ["no", false],
    ["maybe", undefined],
    ["", undefined],
  ])("yes/no %j", (line, expected) => {
    expect(parseYesNo(line)).toBe(expected);
  });
});

describe("runConsoleSurvey", () => {
  test("the preview reads typed answers as the bots do: an option id not shown is refused, the number shown is stored; the counter is the bots'", async () => {
    const output = new PassThrough();
    let written = "";
    output.on("data", (chunk: Buffer) => (written += chunk.toString("utf8")));
    const answers: unknown[] = [];
    const result = await runConsoleSurvey({
      questionnaire,
      lines: lineSourceOf(["có", "yes", "b", "2", "quit"]),
      output,
      i18n: createI18n(),
      clock: () => new Date("2026-12-01T02:00:00Z"),
      onStep: async (step) => void answers.push(...step.events.filter((e) => e.type === "answer_recorded").map((e) => (e.type === "answer_recorded" ? [e.questionId, e.value] : undefined))),
    });
    expect(result.outcome).toBe("quit");
    const lines = written.split("\n");
    expect(lines).toContain("Câu 1/tối đa 5");
    expect(lines).toContain("“b” không phải là một phương án trong danh sách. Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 3).");
    // "yes" is the first option's English wording (shown in English), "2" the second option shown.
    expect(answers).toEqual([
      ["q1", "yes"],
      ["q2", ["b"]],
    ]);
  });

  test("each step is stored before anything of it is shown, and a stored state resumes", async () => {
    const output = new PassThrough();
    let written = "";
    output.on("data", (chunk: Buffer) => (written += chunk.toString("utf8")));
    const stored: { result: StepResult; shownBefore: number }[] = [];
    const clock = () => new Date("2026-12-01T02:00:00Z");
    const first = await runConsoleSurvey({
      questionnaire,
      lines: lineSourceOf(["có", "1", "quit"]),
      output,
      i18n: createI18n(),
      clock,
      onStep: async (result) => {
        stored.push({ result, shownBefore: written.length });
      },
    });
    expect(first.outcome).toBe("quit");
    expect(stored.map((s) => s.result.events.map((e) => e.type))).toEqual([
      ["survey_started", "attestation_shown"],
      ["attestation_accepted", "unit_started", "question_shown"],
      ["answer_recorded", "question_shown"],
    ]);
    // What the step shows appears only after it was stored.
    const lengths = stored.map((s) => s.shownBefore);
    expect(lengths[1]).toBeLessThan(written.indexOf("Câu 1/tối đa 5"));
    expect(lengths[2]).toBeLessThan(written.indexOf("Câu 2/5"));

    const again = new PassThrough();
    let resumed = "";
    again.on("data", (chunk: Buffer) => (resumed += chunk.toString("utf8")));
    const second = await runConsoleSurvey({ questionnaire, lines: lineSourceOf([]), output: again, i18n: createI18n({ language: "en" }), clock, state: first.state });
    expect(second.outcome).toBe("input_ended");
    expect(resumed.split("\n").slice(0, 4)).toEqual(["", "── Phần một ──", "Câu 2/5", "Ông/Bà dùng những dịch vụ nào?"]);
  });
});

describe("remembered texts", () => {
  test("a text asked again is the same; another language, key or parameter gives its own text", () => {
    const r = renderer("vi");
    const vi = r.t("progress", { number: 2, total: 5 });
    expect(vi).toBe("Câu 2/5");
    expect(r.t("progress", { number: 2, total: 5 })).toBe(vi);
    expect(r.t("progress", { number: 3, total: 5 })).toBe("Câu 3/5");
    // The same instance switched to English: the remembered Vietnamese text is not handed back.
    r.setLanguage("en");
    expect(r.t("progress", { number: 2, total: 5 })).toBe("Question 2 of 5");
    r.setLanguage("vi");
    expect(r.t("progress", { number: 2, total: 5 })).toBe("Câu 2/5");
  });
});
