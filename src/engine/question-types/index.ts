import type { AnswerValue, Question } from "../../questionnaire/index.js";
import type { Choice, RenderHints } from "../types.js";
import type { AnswerResult } from "./common.js";
import * as multi from "./multi.js";
import * as number from "./number.js";
import * as scale from "./scale.js";
import * as single from "./single.js";
import * as text from "./text.js";

export type { AnswerResult } from "./common.js";
export { readNumber } from "./number.js";
export { selectLimits } from "./multi.js";

/** Reads typed text as an answer to `question`, validated. */
export function parseAnswerText(question: Question, input: string): AnswerResult {
  switch (question.type) {
    case "single":
      return single.parseText(question, input);
    case "multi":
      return multi.parseText(question, input);
    case "scale":
      return scale.parseText(question, input);
    case "number":
      return number.parseText(question, input);
    case "text":
      return text.parseText(question, input);
  }
}

/** Reads a button value as an answer to `question`, validated. */
export function parseAnswerChoice(question: Question, choice: Choice): AnswerResult {
  switch (question.type) {
    case "single":
      return single.parseChoice(question, choice);
    case "multi":
      return multi.parseChoice(question, choice);
    case "scale":
      return scale.parseChoice(question, choice);
    case "number":
      return number.parseChoice(question, choice);
    case "text":
      return text.parseChoice(question, choice);
  }
}

/** Checks a value from anywhere (stored state, an import) against the question's rules. */
export function validateAnswer(question: Question, value: AnswerValue): AnswerResult {
  switch (question.type) {
    case "single":
      return single.validate(question, value);
    case "multi":
      return multi.validate(question, value);
    case "scale":
      return scale.validate(question, value);
    case "number":
      return number.validate(question, value);
    case "text":
      return text.validate(question, value);
  }
}

/** What a channel needs to draw the question's controls; `selected` is the multi selection or answer. */
export function renderHints(question: Question, selected: readonly string[] = []): RenderHints {
  switch (question.type) {
    case "single":
      return single.hints(question);
    case "multi":
      return multi.hints(question, selected);
    case "scale":
      return scale.hints(question);
    case "number":
      return number.hints(question);
    case "text":
      return text.hints(question);
  }
}
