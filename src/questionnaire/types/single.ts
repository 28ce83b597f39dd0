import { z } from "zod";
import { option, questionBase } from "./common.js";

/** A question answered by choosing one option. */
export const singleQuestion = z.strictObject({
  ...questionBase,
  type: z.literal("single"),
  maxPoints: z.number().positive("maxPoints must be greater than 0").optional(),
  options: z.array(option).min(1, "a single question needs at least one option"),
});
export type SingleQuestion = z.infer<typeof singleQuestion>;
