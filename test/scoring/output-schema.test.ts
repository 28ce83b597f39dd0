import { describe, expect, test } from "vitest";
import { scoreReportSchema } from "../../src/scoring/index.js";

const flags = { speeder: 0, straightliner: 0, delegation: 0 };
const pointsUnit = {
  unit: "SO_TP",
  responses: 12,
  counted: 11,
  surveyPoints: 24.87,
  appraisalPoints: 60.25,
  index: 85.12,
  rank: 1,
  surveyRank: 2,
  appraisalRank: 1,
  class: "B",
  components: { area3: { points: 4.1, max: 5, index: 82 } },
  flags: { speeder: 1, straightliner: 0, delegation: 0 },
};
const points = {
  questionnaire: { id: "par-officials", version: 3 },
  kind: "points",
  units: [pointsUnit],
  excluded: [{ unit: "SO_XD", reason: "insufficient_responses", responses: 3, counted: 3 }],
};
const satisfactionUnit = {
  unit: "UB_X",
  responses: 5,
  counted: 5,
  index: 80,
  rank: 1,
  components: { access: { index: 81.5 } },
  criteria: { q3: 84.2, q_overall: 80, q4: null },
  choices: { q9: { a: 40, b: 25, c: 0 } },
  flags,
};
const satisfaction = { questionnaire: { id: "sipas", version: 1 }, kind: "satisfaction", units: [satisfactionUnit], excluded: [] };

describe("scoreReportSchema (SURVEY-FORMAT section 6)", () => {
  test.each([
    ["the section 6 points example", points],
    ["a satisfaction report", satisfaction],
    ["points without appraisal fields or class", { ...points, units: [{ ...pointsUnit, appraisalPoints: undefined, appraisalRank: undefined, class: undefined }] }],
    ["an unrated component and a null class", { ...points, units: [{ ...pointsUnit, class: null, components: { c: { points: null, max: 5, index: null } } }] }],
  ])("accepts %s", (_name, doc) => {
    expect(scoreReportSchema.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(true);
  });

  test.each([
    ["an unknown field", { ...points, units: [{ ...pointsUnit, extra: 1 }] }],
    ["a missing rank", { ...points, units: [{ ...pointsUnit, rank: undefined }] }],
    ["three decimals", { ...points, units: [{ ...pointsUnit, index: 85.125 }] }],
    ["an index above 100", { ...points, units: [{ ...pointsUnit, index: 100.5 }] }],
    ["rank 0", { ...points, units: [{ ...pointsUnit, rank: 0 }] }],
    ["an unknown exclusion reason", { ...points, excluded: [{ unit: "X", reason: "late", responses: 1, counted: 1 }] }],
    ["points fields on a satisfaction unit", { ...satisfaction, units: [{ ...satisfactionUnit, surveyPoints: 3 }] }],
    ["criteria on a points unit", { ...points, units: [{ ...pointsUnit, criteria: {} }] }],
    ["an unknown kind", { ...points, kind: "survey" }],
  ])("rejects %s", (_name, doc) => {
    expect(scoreReportSchema.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(false);
  });
});
