import type { AnswerValue, NumberQuestion } from "../../questionnaire/index.js";
import type { Choice, RenderHints } from "../types.js";
import { accept, cleanTyped, refuse, type AnswerResult } from "./common.js";

/**
 * Reads a typed number. Vietnamese writes the decimal separator as a comma ("3,5" is 3.5); a dot
 * is accepted too. A number with both separators or with repeated ones ("1.234,5", "1.234.567")
 * could mean two different values, so it is refused as ambiguous rather than guessed.
 */
export function readNumber(text: string): AnswerResult {
  const token = cleanTyped(text).replace(/^\u2212/, "-");
  const plain = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/.exec(token);
  // "1.000" is a thousand to a Vietnamese reader and one to an English one (likewise "12,345"):
  // one separator followed by exactly three digits, after a non-zero whole part, is not guessed.
  if (plain && /^[-+]?[1-9]\d{0,2}[.,]\d{3}$/.test(token)) return refuse("ambiguous_number", { value: token });
  if (plain) return accept(Number(token.replace(",", ".").replace(/^\+/, "")) + 0);
  if (/^[-+]?[\d.,]+$/.test(token) && /\d/.test(token)) return refuse("ambiguous_number", { value: token });
  return refuse("not_a_number", { value: token });
}

/** Reads a typed answer: a number, with a decimal comma or dot. */
export function parseText(question: NumberQuestion, text: string): AnswerResult {
  const read = readNumber(text);
  return read.ok ? validate(question, read.value) : read;
}

/** Number questions have no buttons. */
export function parseChoice(_question: NumberQuestion, _choice: Choice): AnswerResult {
  return refuse("wrong_kind");
}

/** Checks a value: a finite number, whole when `integer`, within min..max. */
export function validate(question: NumberQuestion, value: AnswerValue): AnswerResult {
  if (typeof value !== "number" || !Number.isFinite(value)) return refuse("not_a_number", { value: String(value) });
  const range = { ...(question.min !== undefined ? { min: question.min } : {}), ...(question.max !== undefined ? { max: question.max } : {}) };
  if (question.integer && !Number.isInteger(value)) return refuse("not_integer", range);
  if (question.min !== undefined && value < question.min) return refuse("below_min", range);
  if (question.max !== undefined && value > question.max) return refuse("above_max", range);
  return accept(value);
}

/** The accepted range, for the prompt. */
export function hints(question: NumberQuestion): RenderHints {
  return {
    type: "number",
    integer: question.integer,
    ...(question.min !== undefined ? { min: question.min } : {}),
    ...(question.max !== undefined ? { max: question.max } : {}),
  };
}
