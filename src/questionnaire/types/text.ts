import { z } from "zod";
import { questionBase } from "./common.js";

/** Longest text answer accepted when the questionnaire sets no `maxLength` (fits one Telegram message). */
export const DEFAULT_TEXT_MAX_LENGTH = 4000;

/** A free-text answer. */
export const textQuestion = z.strictObject({
  ...questionBase,
  type: z.literal("text"),
  maxLength: z.number().int("maxLength must be a whole number").min(1, "maxLength must be at least 1").max(100_000).optional(),
});
export type TextQuestion = z.infer<typeof textQuestion>;
