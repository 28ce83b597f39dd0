import { z } from "zod";

// The section 6 document exactly: strict objects, so an extra or misspelt field fails validation.

/** A value rounded to at most 2 decimals. */
const rounded = z.number().refine((v) => Number.isFinite(v) && Math.abs(Math.round(v * 100) - v * 100) < 1e-6, "a value rounded to 2 decimals");
const percent = rounded.refine((v) => v >= 0 && v <= 100, "a value between 0 and 100");
const count = z.number().int().min(0);
const rank = z.number().int().min(1);

// attention and inconsistent are extensions, present only when the questionnaire declares the checks.
const flags = z.strictObject({ speeder: count, straightliner: count, delegation: count, attention: count.optional(), inconsistent: count.optional() });

const questionnaireRef = z.strictObject({ id: z.string().min(1), version: z.number().int().min(1) });

const excluded = z.strictObject({
  unit: z.string().min(1),
  reason: z.enum(["insufficient_responses", "missing_appraisal", "no_valid_answers"]),
  responses: count,
  counted: count,
});

const pointsUnit = z.strictObject({
  unit: z.string().min(1),
  responses: count,
  counted: count,
  surveyPoints: rounded.min(0),
  appraisalPoints: rounded.min(0).optional(),
  index: percent,
  rank,
  surveyRank: rank.optional(),
  appraisalRank: rank.optional(),
  class: z.string().nullable().optional(),
  components: z.record(z.string(), z.strictObject({ points: rounded.min(0).nullable(), max: rounded.positive(), index: percent.nullable() })),
  flags,
});

const satisfactionUnit = z.strictObject({
  unit: z.string().min(1),
  responses: count,
  counted: count,
  index: percent,
  rank,
  class: z.string().nullable().optional(),
  components: z.record(z.string(), z.strictObject({ index: percent.nullable() })),
  criteria: z.record(z.string(), percent.nullable()),
  choices: z.record(z.string(), z.record(z.string(), percent)).optional(),
  flags,
});

/** zod schema of the `--format json` score output (SURVEY-FORMAT section 6). */
export const scoreReportSchema = z.discriminatedUnion("kind", [
  z.strictObject({ questionnaire: questionnaireRef, kind: z.literal("points"), units: z.array(pointsUnit), excluded: z.array(excluded) }),
  z.strictObject({
    questionnaire: questionnaireRef,
    kind: z.literal("satisfaction"),
    units: z.array(satisfactionUnit),
    excluded: z.array(excluded),
  }),
]);
