import { z } from "zod";
import { questionBase } from "./common.js";

/** A typed number, optionally bounded and whole. */
export const numberQuestion = z.strictObject({
  ...questionBase,
  type: z.literal("number"),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().default(false),
});
export type NumberQuestion = z.infer<typeof numberQuestion>;
