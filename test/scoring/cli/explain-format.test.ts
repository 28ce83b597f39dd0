import { expect, test } from "vitest";
import { explainUnit } from "../../../src/scoring/index.js";
import { formatExplanation } from "../../../src/scoring/format/index.js";
import { parseResponsesCsv } from "../../../src/scoring/io/index.js";
import { questionnaireFrom } from "../io/helpers.js";

// Two components; q1b is only ever answered "cannot judge", so c1 is rescaled from 2 to 3 points,
// and c2 is unrated, so the survey points are rescaled from 3 to 4.
const questionnaire = questionnaireFrom(`
schemaVersion: 1
id: rescale
version: 1
languages: [vi]
title: { vi: "T" }
groups: [{ id: leaders, label: { vi: "L" } }, { id: deputies, label: { vi: "D" } }]
scoring: { kind: points, surveyMax: 4, groupWeights: { leaders: 0.75, deputies: 0.25 } }
sections:
  - id: c1
    title: { vi: "C1" }
    questions:
      - { id: q1, type: single, maxPoints: 2, text: { vi: "?" }, options: [{ id: g, label: { vi: "g" }, score: 1 }, { id: b, label: { vi: "b" }, score: 0.5 }] }
      - { id: q1b, type: single, maxPoints: 1, text: { vi: "?" }, options: [{ id: g, label: { vi: "g" }, score: 1 }, { id: x, label: { vi: "x" } }] }
  - id: c2
    title: { vi: "C2" }
    questions:
      - { id: q2, type: single, maxPoints: 1, required: false, text: { vi: "?" }, options: [{ id: g, label: { vi: "g" }, score: 1 }] }
`);

test("explanation shows group weighting and both rescalings", () => {
  const parsed = parseResponsesCsv("response_id,subject_unit,group,q1,q1b,q2\nr1,U,leaders,g,x,\nr2,U,deputies,b,x,\nr3,U,leaders,b,x,\n", questionnaire);
  expect(parsed.rejected).toEqual([]);
  const outcome = explainUnit({ questionnaire, responses: parsed.responses }, "U");
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  // q1: leaders mean (1 + 0.5) / 2 = 0.75, deputies 0.5; weighted 0.75 × 0.75 + 0.25 × 0.5 = 0.6875.
  // c1: 2 × 0.6875 = 1.375 × 3 / 2 = 2.0625; survey 2.0625 × 4 / 3 = 2.75; index 2.75 / 4 × 100 = 68.75.
  expect(formatExplanation(outcome.explanation, questionnaire)).toBe(
    [
      "Unit U · rescale v1 (points)",
      "Responses: 3 submitted, 3 counted; minResponses 1",
      "Group weights: leaders 0.75, deputies 0.25 (renormalised per question over the groups with a valid answer)",
      "",
      "Component c1 (max 3)",
      "  q1: max 2; 3 valid, 0 cannot judge, 0 unanswered; weighted mean 0.6875; points 2 × 0.6875 = 1.375",
      "      group leaders: weight 0.75 → 0.75, 2 valid, mean 0.75",
      "      group deputies: weight 0.25 → 0.25, 1 valid, mean 0.5",
      "  q1b: max 1; 0 valid, 3 cannot judge, 0 unanswered; unrated",
      "  → rated questions carry 2 of 3 points: 1.375 × 3 / 2 = 2.0625 of 3, index 68.75",
      "",
      "Component c2 (max 1)",
      "  q2: max 1; 0 valid, 0 cannot judge, 3 unanswered; unrated",
      "  → unrated: no question of c2 has a valid answer",
      "",
      "Survey points: rated components carry 3 of 4: 2.0625 × 4 / 3 = 2.75 of 4",
      "Index: 2.75 / 4 × 100 = 68.75",
      "Result: index 68.75, rank 1",
      "",
    ].join("\n"),
  );
});
