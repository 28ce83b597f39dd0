import { describe, expect, test } from "vitest";
import { scoreReportSchema, scoreUnits, type ScoringInput, type ScoringOutcome } from "../../src/scoring/index.js";
import { options, questionnaire, response, scale, single } from "./support/build.js";

function report(input: ScoringInput) {
  const outcome = scoreUnits(input);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  expect(scoreReportSchema.safeParse(outcome.report).error?.issues ?? []).toEqual([]);
  return outcome;
}

function errors(outcome: ScoringOutcome) {
  return outcome.ok ? [] : outcome.errors.map((e) => `${e.code}: ${e.message}`);
}

const eight = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"];
const straight = Object.fromEntries(eight.map((id) => [id, "1"]));
const mixed = Object.fromEntries(eight.map((id, i) => [id, i % 2 ? "3" : "1"]));

describe("counted responses: excludeFlagged and organiser decisions", () => {
  const q = (excludeFlagged: boolean) => questionnaire({ kind: "points", surveyMax: 8, excludeFlagged }, { s: eight.map((id) => single(id)) });

  test.each([
    // [excludeFlagged, decision on the straight-liner, decision on the other, counted, index]
    [true, undefined, undefined, 1, 50],
    [true, "accept", undefined, 2, 75],
    [false, undefined, undefined, 2, 75],
    [false, "reject", undefined, 1, 50],
    [true, "accept", "reject", 1, 100],
    [false, undefined, "reject", 1, 100],
  ] as const)("excludeFlagged %s, decisions %s / %s → counted %d, index %d", (flag, d1, d2, counted, index) => {
    const { report: r } = report({
      questionnaire: q(flag),
      responses: [
        response("U", straight, d1 ? { decision: d1 } : {}),
        response("U", mixed, d2 ? { decision: d2 } : {}),
      ],
    });
    expect(r.units[0]).toMatchObject({ unit: "U", responses: 2, counted, index, flags: { straightliner: 1 } });
  });
});

describe("units in campaign mode and file mode", () => {
  const q = questionnaire({ kind: "points", surveyMax: 1, appraisalMax: 9 }, { s: [single("q1")] });

  test("campaign units without responses are excluded with responses 0", () => {
    const { report: r } = report({
      questionnaire: q,
      units: ["B", "A", "C"],
      responses: [response("A", { q1: "1" })],
      appraisal: new Map([["A", 9], ["B", 1]]),
    });
    expect(r.units.map((u) => [u.unit, u.index])).toEqual([["A", 100]]);
    expect(r.excluded).toEqual([
      { unit: "B", reason: "insufficient_responses", responses: 0, counted: 0 },
      { unit: "C", reason: "insufficient_responses", responses: 0, counted: 0 },
    ]);
  });

  test("an appraisal row for a unit outside the campaign is an error, not a throw", () => {
    const outcome = scoreUnits({ questionnaire: q, units: ["A"], responses: [], appraisal: new Map([["A", 1], ["Z", 2]]) });
    expect(errors(outcome)).toEqual(['unknown_appraisal_unit: the appraisal has a row for unit "Z", which is not in the campaign']);
  });

  test("a response for a unit outside the campaign is an error", () => {
    const outcome = scoreUnits({ questionnaire: q, units: ["A"], responses: [response("Q", {}), response("Q", {})] });
    expect(errors(outcome)).toEqual(['unknown_response_unit: 2 response(s) assess unit "Q", which is not in the campaign']);
  });

  test("file mode without an appraisal file: every unit is missing_appraisal", () => {
    const { report: r } = report({ questionnaire: q, responses: [response("A", { q1: "1" }), response("B", { q1: "2" })] });
    expect(r.units).toEqual([]);
    expect(r.excluded.map((e) => e.reason)).toEqual(["missing_appraisal", "missing_appraisal"]);
  });

  test("a questionnaire without scoring cannot be scored", () => {
    const plain = questionnaire(undefined as never, { s: [single("q1")] });
    expect(errors(scoreUnits({ questionnaire: plain, responses: [] }))).toEqual(['not_scored: questionnaire "test" has no scoring section, so it cannot be scored']);
  });
});

describe("warnings", () => {
  test("responses whose group has no weight, counted per group", () => {
    const q = questionnaire({ kind: "points", surveyMax: 1, groupWeights: { a: 1 } }, { s: [single("q1")] });
    const outcome = report({
      questionnaire: q,
      responses: [response("U", { q1: "1" }, { group: "a" }), response("U", { q1: "3" }, { group: "b" }), response("U", {}, { group: "b" })],
    });
    expect(outcome.warnings).toEqual([
      {
        code: "unweighted_group",
        group: "b",
        responses: 2,
        message: 'group "b" has no weight in scoring.groupWeights: its 2 response(s) count towards "counted" and minResponses but weigh 0 in every mean',
      },
    ]);
    expect(outcome.report.units[0]).toMatchObject({ counted: 3, index: 100 });
  });

  test("an appraisal given to a questionnaire without appraisalMax is ignored with a warning", () => {
    const q = questionnaire({ kind: "points", surveyMax: 1 }, { s: [single("q1")] });
    const outcome = report({ questionnaire: q, responses: [response("U", { q1: "2" })], appraisal: new Map([["U", 5], ["V", 3]]) });
    expect(outcome.warnings.map((w) => w.code)).toEqual(["appraisal_ignored"]);
    expect(outcome.report.units).toEqual([
      {
        unit: "U",
        responses: 1,
        counted: 1,
        surveyPoints: 0.5,
        index: 50,
        rank: 1,
        components: { s: { points: 0.5, max: 1, index: 50 } },
        flags: { speeder: 0, straightliner: 0, delegation: 0 },
      },
    ]);
    expect(outcome.report.excluded).toEqual([]);
  });
});

describe("points details", () => {
  test("multi: mean of the chosen options' non-null scores; a bare string is one option", () => {
    const q = questionnaire({ kind: "points", surveyMax: 2 }, { s: [{ id: "m", type: "multi", maxPoints: 2, options: options(1, 0.5, 0, null) }] });
    const { report: r } = report({
      questionnaire: q,
      responses: [response("U", { m: ["1", "4"] }), response("U", { m: ["2", "3"] }), response("U", { m: "4" }), response("U", { m: "1" })],
    });
    // values 1, 0.25, (not valid), 1 → mean 0.75 → 1.5 points of 2
    expect(r.units[0]).toMatchObject({ surveyPoints: 1.5, index: 75 });
  });

  test("no classes → no class field; no appraisalMax → no appraisal fields and no survey rank", () => {
    const q = questionnaire({ kind: "points", surveyMax: 1 }, { s: [single("q1")] });
    const { report: r } = report({ questionnaire: q, responses: [response("U", { q1: "1" })] });
    expect(Object.keys(r.units[0]!)).toEqual(["unit", "responses", "counted", "surveyPoints", "index", "rank", "components", "flags"]);
  });
});

describe("satisfaction details", () => {
  test("without an overall question the unit index is the mean of the rated components", () => {
    const q = questionnaire({ kind: "satisfaction", positive: [5] }, { a: [scale("x1"), scale("x2")], b: [scale("y1")], c: [scale("z1")] });
    const { report: r } = report({
      questionnaire: q,
      responses: [response("U", { x1: 5, x2: 1, y1: 5, z1: "na" }), response("U", { x1: 5, x2: 5, y1: 1 })],
    });
    // x1 100, x2 50 → a 75; y1 50 → b 50; c unrated → index (75 + 50) / 2 = 62.5
    expect(r.units[0]).toMatchObject({
      index: 62.5,
      components: { a: { index: 75 }, b: { index: 50 }, c: { index: null } },
      criteria: { x1: 100, x2: 50, y1: 50, z1: null },
    });
    expect(r.units[0]).not.toHaveProperty("choices");
    expect(r.units[0]).not.toHaveProperty("class");
  });

  test("the overall question is left out of its component; a component with only the overall question is not listed", () => {
    const q = questionnaire(
      { kind: "satisfaction", positive: [4, 5], overallQuestion: "o" },
      { a: [scale("x"), scale("o")], b: [scale("o2")], c: [{ id: "m", type: "multi", options: options(null, null) }] },
      {},
    );
    const { report: r } = report({ questionnaire: q, responses: [response("U", { x: 1, o: 5, o2: 4, m: ["2"] }), response("U", { x: 4, o: 5 })] });
    expect(r.units[0]).toMatchObject({
      index: 100,
      components: { a: { index: 50 }, b: { index: 100 } },
      criteria: { x: 50, o: 100, o2: 100 },
      choices: { m: { "1": 0, "2": 50 } },
    });
    const q2 = questionnaire({ kind: "satisfaction", positive: [5], overallQuestion: "o" }, { a: [scale("x")], b: [scale("o")] });
    const { report: r2 } = report({ questionnaire: q2, responses: [response("U", { x: 5, o: 1 })] });
    expect(Object.keys(r2.units[0]!.components)).toEqual(["a"]);
    expect(r2.units[0]!.index).toBe(0);
  });

  test("an overallQuestion that is not a scale question is an error", () => {
    const q = questionnaire({ kind: "satisfaction", positive: [5], overallQuestion: "nope" }, { a: [scale("x")] });
    expect(errors(scoreUnits({ questionnaire: q, responses: [] }))).toEqual([
      'bad_overall_question: scoring.overallQuestion "nope" is not a scale question of the questionnaire',
    ]);
  });
});
