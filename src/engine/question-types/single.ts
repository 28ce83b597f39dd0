import type { AnswerValue, SingleQuestion } from "../../questionnaire/index.js";
import type { Choice, RenderHints } from "../types.js";
import { accept, cleanTyped, findOption, hintOptions, refuse, type AnswerResult } from "./common.js";

/** Reads a typed answer: an option id or its 1-based number. */
export function parseText(question: SingleQuestion, text: string): AnswerResult {
  const token = cleanTyped(text);
  const option = findOption(question.options, token);
  // "2,3": several numbers where one is wanted.
  if (!option && /^\d{1,4}(?:\s*[,;]\s*\d{1,4}|\s+\d{1,4})+$/.test(token)) return refuse("one_option_only", { optionCount: question.options.length });
  if (!option) return refuse("unknown_option", { value: token, optionCount: question.options.length });
  return accept(option.id);
}

/** Reads a button answer: exactly one option id of this question. */
export function parseChoice(question: SingleQuestion, choice: Choice): AnswerResult {
  if (choice.kind !== "option") return refuse("wrong_kind");
  return validate(question, choice.optionId);
}

/** Checks a stored or incoming value: one of the question's option ids. */
export function validate(question: SingleQuestion, value: AnswerValue): AnswerResult {
  if (typeof value !== "string" || !question.options.some((o) => o.id === value)) {
    return refuse("unknown_option", { value: String(value), optionCount: question.options.length });
  }
  return accept(value);
}

/** The options to offer, numbered. */
export function hints(question: SingleQuestion): RenderHints {
  return { type: "single", options: hintOptions(question.options) };
}
