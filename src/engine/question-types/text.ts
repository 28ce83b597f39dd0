import { DEFAULT_TEXT_MAX_LENGTH, type AnswerValue, type TextQuestion } from "../../questionnaire/index.js";
import type { Choice, RenderHints } from "../types.js";
import { accept, refuse, type AnswerResult } from "./common.js";

/** The longest answer the question accepts, in characters (code points). */
export function maxLengthOf(question: TextQuestion): number {
  return question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
}

/** Reads a typed answer: stored NFC with surrounding white space removed. */
export function parseText(question: TextQuestion, text: string): AnswerResult {
  return validate(question, text);
}

/** Text questions have no buttons. */
export function parseChoice(_question: TextQuestion, _choice: Choice): AnswerResult {
  return refuse("wrong_kind");
}

/** Checks a value: not blank, at most maxLength characters once normalised. */
export function validate(question: TextQuestion, value: AnswerValue): AnswerResult {
  if (typeof value !== "string") return refuse("wrong_kind");
  // NFC so that the same words typed on different keyboards (composed or decomposed) compare equal.
  const text = value.normalize("NFC").trim();
  if (text === "") return refuse("empty_text");
  const maxLength = maxLengthOf(question);
  let length = 0;
  for (const _ of text) length++;
  if (length > maxLength) return refuse("too_long", { maxLength, length });
  return accept(text);
}

/** The length limit, for the prompt. */
export function hints(question: TextQuestion): RenderHints {
  return { type: "text", maxLength: maxLengthOf(question) };
}
