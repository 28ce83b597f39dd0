import type { AnswerValue, Option } from "../../questionnaire/index.js";
import type { HintOption, ValidationParams, ValidationReason } from "../types.js";

/** The outcome of reading or checking one answer: the value to store, or why it is refused. */
export type AnswerResult =
  | { readonly ok: true; readonly value: AnswerValue }
  | { readonly ok: false; readonly reason: ValidationReason; readonly params: ValidationParams };

/** A refused answer. */
export function refuse(reason: ValidationReason, params: ValidationParams = {}): AnswerResult {
  return { ok: false, reason, params };
}

/** An accepted answer. */
export function accept(value: AnswerValue): AnswerResult {
  return { ok: true, value };
}

/** Typed input as the respondent meant it: compatibility forms folded (full-width digits), ends trimmed. */
export function cleanTyped(text: string): string {
  return text.normalize("NFKC").trim();
}

/**
 * Finds the option a typed token names: its id (exactly, then ignoring case), else its 1-based number.
 * Ids win over numbers so that options with ids "1".."4" keep meaning what they say.
 */
export function findOption(options: readonly Option[], token: string): Option | undefined {
  const exact = options.find((o) => o.id === token);
  if (exact) return exact;
  const lower = token.toLowerCase();
  const folded = options.find((o) => o.id.toLowerCase() === lower);
  if (folded) return folded;
  if (/^\d+$/.test(token)) return options[Number(token) - 1];
  return undefined;
}

/** Options as offered to the respondent. */
export function hintOptions(options: readonly Option[]): HintOption[] {
  return options.map((o, i) => ({ id: o.id, number: i + 1 }));
}
