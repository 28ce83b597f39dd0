import { z } from "zod";
import { localizedText, questionBase } from "./common.js";

/** The stored value of the "cannot judge" answer of a scale question. */
export const NOT_APPLICABLE = "na";

/** An integer scale min..max shown as buttons, with optional labels and a "cannot judge" answer. */
export const scaleQuestion = z.strictObject({
  ...questionBase,
  type: z.literal("scale"),
  min: z.number().int("min must be a whole number"),
  max: z.number().int("max must be a whole number"),
  labels: z.record(z.string().regex(/^-?\d+$/, "a label key is a scale value (a whole number)"), localizedText).optional(),
  allowNotApplicable: z.boolean().default(false),
});
export type ScaleQuestion = z.infer<typeof scaleQuestion>;
