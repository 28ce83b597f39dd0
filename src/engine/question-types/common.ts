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
  const number = optionNumber(token);
  if (number !== undefined) return options[number - 1];
  // The option's own wording, in any language, ignoring case and diacritics ("dong y" for "Đồng ý"); only when one option has it.
  const words = foldTyped(token);
  const labelled = options.filter((o) => Object.values(o.label).some((label) => foldTyped(label) === words));
  return labelled.length === 1 ? labelled[0] : undefined;
}

/** The number in "2", "2.", "2)", "số 2", "so 2", "chọn 2", "option 2", "phương án 2"; undefined for anything else. */
export function optionNumber(token: string): number | undefined {
  const match = /^(?:(?:so|chon|chon so|phuong an|option|number)\s*)?(\d{1,4})\s*[.)]?$/.exec(foldTyped(token, false));
  return match ? Number(match[1]) : undefined;
}

/** Lower case, no diacritics (đ → d), single spaces; punctuation dropped unless asked to keep it ("2." is read as a number). */
export function foldTyped(text: string, dropPunctuation = true): string {
  // The same few option labels and words are folded for every message: short texts are remembered
  // (a bounded table, emptied when full, so typed text cannot grow it without limit).
  const cache = dropPunctuation ? foldedWords : foldedKeepingPunctuation;
  const known = cache.get(text);
  if (known !== undefined) return known;
  const plain = text.normalize("NFC").toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/\p{M}/gu, "");
  const folded = (dropPunctuation ? plain.replace(/[^\p{L}\p{N}\s]/gu, " ") : plain).replace(/\s+/g, " ").trim();
  if (text.length <= FOLD_CACHE_TEXT) {
    if (cache.size >= FOLD_CACHE_ENTRIES) cache.clear();
    cache.set(text, folded);
  }
  return folded;
}
const foldedWords = new Map<string, string>();
const foldedKeepingPunctuation = new Map<string, string>();
const FOLD_CACHE_ENTRIES = 4096;
const FOLD_CACHE_TEXT = 200;

/** Options as offered to the respondent. */
export function hintOptions(options: readonly Option[]): HintOption[] {
  return options.map((o, i) => ({ id: o.id, number: i + 1 }));
}
