import type { Operand } from "../conditions/index.js";
import type { Question } from "./schema.js";
import { NOT_APPLICABLE } from "./types/scale.js";

/**
 * A stored answer: an option id (single), option ids (multi), a number or "na" (scale),
 * a number (number), a string (text).
 */
export type AnswerValue = string | number | readonly string[];

/** What a `showIf` condition sees of an answer to `question` (SURVEY-FORMAT section 2). */
export function operandOf(question: Question, value: AnswerValue | undefined): Operand | undefined {
  if (value === undefined) return undefined;
  switch (question.type) {
    case "multi":
      return { type: "set", value: Array.isArray(value) ? value : [String(value)] };
    case "scale":
      return value === NOT_APPLICABLE ? { type: "na" } : { type: "number", value: Number(value) };
    case "number":
      return { type: "number", value: Number(value) };
    default:
      return { type: "text", value: String(value) };
  }
}
