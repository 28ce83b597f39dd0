import { NOT_APPLICABLE, type AnswerValue, type ScaleQuestion } from "../../questionnaire/index.js";
import type { Choice, RenderHints } from "../types.js";
import { accept, cleanTyped, refuse, type AnswerResult } from "./common.js";
import { readNumber } from "./number.js";

/** Reads a typed answer: a whole number of the scale, or "na" for "cannot judge". */
export function parseText(question: ScaleQuestion, text: string): AnswerResult {
  const token = cleanTyped(text);
  if (token.toLowerCase() === NOT_APPLICABLE) return validate(question, NOT_APPLICABLE);
  const read = readNumber(token);
  if (!read.ok) return refuse("out_of_range", { min: question.min, max: question.max, value: token });
  return validate(question, read.value);
}

/** Reads a button answer: a scale value or "na". */
export function parseChoice(question: ScaleQuestion, choice: Choice): AnswerResult {
  if (choice.kind !== "scale") return refuse("wrong_kind");
  return validate(question, choice.value);
}

/** Checks a value: a whole number in min..max, or "na" when the question allows it. */
export function validate(question: ScaleQuestion, value: AnswerValue): AnswerResult {
  if (value === NOT_APPLICABLE) {
    return question.allowNotApplicable ? accept(NOT_APPLICABLE) : refuse("not_applicable_not_allowed", { min: question.min, max: question.max });
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < question.min || value > question.max) {
    return refuse("out_of_range", { min: question.min, max: question.max, value: String(value) });
  }
  return accept(value);
}

/** The scale's values, which of them carry labels, and whether "cannot judge" is offered. */
export function hints(question: ScaleQuestion): RenderHints {
  const values: number[] = [];
  for (let v = question.min; v <= question.max; v++) values.push(v);
  const labels = question.labels ?? {};
  return {
    type: "scale",
    min: question.min,
    max: question.max,
    values,
    labelled: values.filter((v) => labels[String(v)] !== undefined),
    allowNotApplicable: question.allowNotApplicable,
  };
}
