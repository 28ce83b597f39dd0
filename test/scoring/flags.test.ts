import { describe, expect, test } from "vitest";
import type { AnswerValue } from "../../src/questionnaire/index.js";
import { computeFlags, median, type ScoringResponse } from "../../src/scoring/index.js";
import { options, questionnaire, response, scale, single } from "./support/build.js";

// Five single questions (options "1".."4") and five scale questions (1..5, na).
const q = questionnaire({ kind: "points", surveyMax: 5 }, {
  s1: ["a1", "a2", "a3", "a4", "a5"].map((id) => single(id)),
  s2: ["b1", "b2", "b3", "b4", "b5"].map((id) => scale(id)),
  s3: [{ id: "m", type: "multi", options: options(1, 0) }, { id: "t", type: "text" }],
});

function answers(singles: (string | undefined)[], scales: (number | "na" | undefined)[]): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {};
  singles.forEach((v, i) => v !== undefined && (out[`a${i + 1}`] = v));
  scales.forEach((v, i) => v !== undefined && (out[`b${i + 1}`] = v));
  return out;
}

describe("median", () => {
  test.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 2, 30], 10],
    [[7], 7],
  ])("%j → %d", (values, expected) => expect(median(values)).toBe(expected));
});

describe("straightliner: ≥ 8 single and scale answers all at the same position", () => {
  test.each<[string, (string | undefined)[], (number | "na" | undefined)[], boolean]>([
    ["ten answers at position 1", ["1", "1", "1", "1", "1"], [1, 1, 1, 1, 1], true],
    ["single position 2 equals scale value 2", ["2", "2", "2", "2", "2"], [2, 2, 2, 2, 2], true],
    ["exactly eight answers", ["3", "3", "3", undefined, undefined], [3, 3, 3, 3, 3], true],
    ["seven answers", ["3", "3", undefined, undefined, undefined], [3, 3, 3, 3, 3], false],
    // Nine answers: under the long-string rule's 10 judgement answers, so only the same-position rule applies.
    ["one answer differs", ["1", "1", "1", "1", undefined], [1, 1, 1, 1, 2], false],
    ["null-score option (position 4) counts as an answer", ["4", "4", "4", "4", "4"], [4, 4, 4, undefined, undefined], true],
    ["na is a value of its own", ["4", "4", "4", "4"], ["na", "na", "na", "na"], false],
    ["five na answers alone are too few", [], ["na", "na", "na", "na", "na"], false],
  ])("%s", (_name, singles, scales, expected) => {
    const [flags] = computeFlags(q, [response("U", answers(singles, scales))]);
    expect(flags!.straightliner).toBe(expected);
  });

  test("multi and text answers are not looked at", () => {
    const a = { ...answers(["1", "1", "1", "1"], [1, 1, 1, 1]), m: ["1", "2"], t: "hello" };
    expect(computeFlags(q, [response("U", a)])[0]!.straightliner).toBe(true);
  });
});

describe("speeder: duration below a third of the median, once 10 responses have one", () => {
  const timed = (seconds: number | undefined, unit = "U"): ScoringResponse =>
    response(unit, {}, seconds === undefined ? {} : { startedAt: 1_000_000, submittedAt: 1_000_000 + seconds * 1000 });

  test("nine timed responses: nobody is a speeder", () => {
    const flags = computeFlags(q, [1, 600, 600, 600, 600, 600, 600, 600, 600].map((s) => timed(s)));
    expect(flags.map((f) => f.speeder)).toEqual(Array(9).fill(false));
  });

  test("ten timed responses over several units: even count, mean of the middle two", () => {
    // Sorted: 120, 199, 200, 480, 500, 700, 720, 780, 840, 900 → median (500 + 700) / 2 = 600 → limit 200.
    const seconds = [500, 700, 120, 199, 200, 480, 720, 780, 840, 900];
    const flags = computeFlags(q, [...seconds.map((s, i) => timed(s, i % 2 ? "A" : "B")), timed(undefined)]);
    expect(flags.map((f) => f.speeder)).toEqual([false, false, true, true, false, false, false, false, false, false, false]);
  });

  test("odd count uses the middle value; a response without a start time is never a speeder", () => {
    // 11 durations, median 600 → limit 200.
    const seconds = [100, 300, 400, 500, 600, 600, 600, 700, 800, 900, 1000];
    const noStart = response("U", {}, { submittedAt: 5 });
    const flags = computeFlags(q, [...seconds.map((s) => timed(s)), noStart]);
    expect(flags.map((f) => f.speeder)).toEqual([true, ...Array(11).fill(false)]);
  });
});

describe("delegation: one account answering for more than one respondent", () => {
  test.each<[string, Partial<ScoringResponse>[], boolean[]]>([
    ["no accounts (file mode)", [{}, {}], [false, false]],
    ["one respondent assessing two units", [{ account: "t1", respondent: "p1" }, { account: "t1", respondent: "p1" }], [false, false]],
    [
      "an account used by two respondents flags all its responses",
      [{ account: "t1", respondent: "p1" }, { account: "t2", respondent: "p3" }, { account: "t1", respondent: "p2" }, { account: "t1", respondent: "p1" }],
      [true, false, true, true],
    ],
    ["different accounts, different respondents", [{ account: "t1", respondent: "p1" }, { account: "t2", respondent: "p2" }], [false, false]],
  ])("%s", (_name, extras, expected) => {
    const flags = computeFlags(q, extras.map((e) => response("U", {}, e)));
    expect(flags.map((f) => f.delegation)).toEqual(expected);
  });
});
