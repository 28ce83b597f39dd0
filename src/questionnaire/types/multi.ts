import { z } from "zod";
import { option, questionBase } from "./common.js";

/** A question answered by choosing between `minSelect` and `maxSelect` options. */
export const multiQuestion = z.strictObject({
  ...questionBase,
  type: z.literal("multi"),
  maxPoints: z.number().positive("maxPoints must be greater than 0").optional(),
  minSelect: z.number().int("minSelect must be a whole number").min(1, "minSelect must be at least 1").optional(),
  maxSelect: z.number().int("maxSelect must be a whole number").min(1, "maxSelect must be at least 1").optional(),
  options: z.array(option).min(1, "a multi question needs at least one option"),
});
export type MultiQuestion = z.infer<typeof multiQuestion>;
