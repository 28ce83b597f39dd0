import { describe, expect, test } from "vitest";
import { explainUnit, type PointsUnitExplanation, type SatisfactionUnitExplanation } from "../../src/scoring/index.js";
import { loadGoldenCase } from "./support/golden.js";

function explain(name: string, unit: string) {
  const outcome = explainUnit(loadGoldenCase(name).input, unit);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.explanation;
}

describe("explainUnit", () => {
  test("points: an unrated component, survey rescaling and the report line (points-appraisal, SO_TC)", () => {
    const e = explain("points-appraisal", "SO_TC") as PointsUnitExplanation;
    expect(e.kind).toBe("points");
    expect(e.components.map((c) => [c.component, c.max, c.ratedMax, c.rawPoints, c.factor, c.points])).toEqual([
      ["c1", 3, 3, 1, 1, 1],
      ["c2", 1, 0, 0, null, null],
    ]);
    expect(e.components[0]!.questions.map((q) => [q.question, q.valid, q.notJudged, q.unanswered, q.sum, q.mean, q.points])).toEqual([
      ["q1", 2, 0, 0, 0.5, 0.25, 0.5],
      ["q2", 2, 0, 0, 1, 0.5, 0.5],
    ]);
    expect(e.components[1]!.questions[0]).toMatchObject({ question: "q3", valid: 0, notJudged: 1, unanswered: 1, mean: null, rated: false });
    expect(e.survey).toEqual({ rawPoints: 1, max: 4, ratedMax: 3, factor: 4 / 3, points: 4 / 3 });
    expect(e.appraisal).toEqual({ points: 6, max: 6 });
    expect(e.index).toBeCloseTo(73.3333333, 6);
    expect(e.exclusion).toBeUndefined();
    expect(e.result).toMatchObject({ unit: "SO_TC", index: 73.33, rank: 3, class: "B" });
  });

  test("points: a question rescaled inside its component (SO_GD) and an excluded unit (SO_NV)", () => {
    const gd = explain("points-appraisal", "SO_GD") as PointsUnitExplanation;
    expect(gd.components[0]).toMatchObject({ ratedMax: 2, rawPoints: 2, factor: 1.5, points: 3, index: 100 });
    const nv = explain("points-appraisal", "SO_NV") as PointsUnitExplanation;
    expect(nv.exclusion).toBe("missing_appraisal");
    expect(nv.index).toBeNull();
    expect(nv.appraisal).toEqual({ points: null, max: 6 });
    expect(nv.result).toEqual({ unit: "SO_NV", reason: "missing_appraisal", responses: 2, counted: 2 });
  });

  test("points with group weights: per-group means and renormalised weights (points-group-weights, SO_TP)", () => {
    const e = explain("points-group-weights", "SO_TP") as PointsUnitExplanation;
    expect(e.groupWeights).toEqual({ leaders: 0.6, deputies: 0.4 });
    const q2 = e.components[0]!.questions[1]!;
    expect(q2.groups).toEqual([
      { group: "leaders", weight: 0.6, normalisedWeight: 1, valid: 2, mean: 0.5 },
      { group: "deputies", weight: 0.4, normalisedWeight: 0, valid: 0, mean: null },
      { group: "staff", weight: 0, normalisedWeight: 0, valid: 1, mean: 1 },
    ]);
    expect(q2).toMatchObject({ valid: 3, notJudged: 1, mean: 0.5, points: 0.5 });
  });

  test("satisfaction: criteria, factors, the overall question and choice counts (satisfaction-overall, SO_TP)", () => {
    const e = explain("satisfaction-overall", "SO_TP") as SatisfactionUnitExplanation;
    expect(e.components.map((c) => [c.component, c.criteria.map((q) => q.question)])).toEqual([
      ["access", ["q1", "q2"]],
      ["staff", ["q3"]],
    ]);
    expect(e.components[0]!.index).toBeCloseTo(83.333333, 5);
    expect(e.components[1]!.index).toBeCloseTo(66.666667, 5);
    expect(e.overall).toEqual({ question: "q_overall", valid: 4, positive: 2, notApplicable: 0, unanswered: 0, index: 50 });
    expect(e.choices).toEqual([
      {
        question: "q9",
        counted: 4,
        options: [
          { option: "a", chosen: 2, share: 50 },
          { option: "b", chosen: 2, share: 50 },
          { option: "c", chosen: 0, share: 0 },
        ],
      },
    ]);
    expect(e.result).toMatchObject({ unit: "SO_TP", index: 50, rank: 2, class: "low" });
  });

  test("an unknown unit is an error", () => {
    const outcome = explainUnit(loadGoldenCase("points-group-weights").input, "SO_ZZ");
    expect(outcome.ok ? [] : outcome.errors).toEqual([
      { code: "unknown_unit", unit: "SO_ZZ", message: 'unit "SO_ZZ" has no responses and no appraisal row' },
    ]);
  });
});
