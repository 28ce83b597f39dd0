// A typed answer read as what the respondent was shown. The text form numbers a question's options
// ("  5. Không đánh giá được") and never shows their ids, yet the engine also reads an option's id
// ("x" is PAR's "cannot judge"), so a stray "x" was stored as "cannot judge" without a word. Here a
// typed answer to a single or multi question is read as the numbers and the option wording shown;
// an id the respondent was never shown is refused politely (`not_shown`). A scale's "cannot judge"
// is shown as "na = Không đánh giá được", so "na" (the engine's) and that wording are taken.
import type { EngineInput } from "../engine/index.js";
import { cleanTyped, foldTyped, optionNumber } from "../engine/question-types/common.js";
import { NOT_APPLICABLE, type AnswerValue, type Option, type Question } from "../questionnaire/index.js";

/** How the host reads a typed answer. */
export type TypedReading =
  /** What was shown, as the pick it means. */
  | { readonly kind: "input"; readonly input: EngineInput }
  /** An option's id that is not shown anywhere (e.g. "x"): refused. */
  | { readonly kind: "not_shown"; readonly value: string; readonly optionCount: number }
  /** Anything else: the engine reads it (and refuses it with its own message). */
  | { readonly kind: "engine" };

const ENGINE: TypedReading = { kind: "engine" };

/**
 * A typed answer to `question`, read as shown. `notApplicableWords`: the "cannot judge" wording in
 * every language (folded by the caller or not; they are folded here).
 */
export function readShownAnswer(question: Question, text: string, notApplicableWords: readonly string[]): TypedReading {
  const questionId = question.id;
  switch (question.type) {
    case "single": {
      const token = cleanTyped(text);
      if (token === "") return ENGINE;
      const read = readOption(question.options, token);
      if (read.kind === "option") return { kind: "input", input: { type: "choose", questionId, choice: { kind: "option", optionId: read.id } } };
      return read.kind === "id" ? { kind: "not_shown", value: token, optionCount: question.options.length } : ENGINE;
    }
    case "multi": {
      const tokens = cleanTyped(text).split(/[\s,;]+/).filter((t) => t !== "");
      if (tokens.length === 0) return ENGINE;
      const ids: string[] = [];
      for (const token of tokens) {
        const read = readOption(question.options, token);
        if (read.kind === "id") return { kind: "not_shown", value: token, optionCount: question.options.length };
        // The engine's own message for a token that means nothing ("Không có phương án …").
        if (read.kind === "none") return ENGINE;
        ids.push(read.id);
      }
      return { kind: "input", input: { type: "choose", questionId, choice: { kind: "options", optionIds: ids } } };
    }
    case "scale": {
      const words = new Set(notApplicableWords.map((w) => foldTyped(w)));
      if (question.allowNotApplicable && words.has(foldTyped(text))) return { kind: "input", input: { type: "choose", questionId, choice: { kind: "scale", value: NOT_APPLICABLE } } };
      return ENGINE;
    }
    default:
      return ENGINE;
  }
}

type OptionRead = { readonly kind: "option"; readonly id: string } | { readonly kind: "id" } | { readonly kind: "none" };

/** A token as the numbered list shows it: the option's number, else its wording (one option only); an id alone is not shown. */
function readOption(options: readonly Option[], token: string): OptionRead {
  const number = optionNumber(token);
  if (number !== undefined && number >= 1 && number <= options.length) return { kind: "option", id: options[number - 1]!.id };
  const words = foldTyped(token);
  const labelled = options.filter((o) => Object.values(o.label).some((label) => label !== undefined && foldTyped(label) === words));
  if (labelled.length === 1) return { kind: "option", id: labelled[0]!.id };
  const lower = token.toLowerCase();
  if (options.some((o) => o.id === token || o.id.toLowerCase() === lower)) return { kind: "id" };
  return { kind: "none" };
}

/**
 * Is this stored value "cannot judge"? A scale's `na`; an option worded as the channel's "cannot
 * judge" in any language, or whose id is `x` or `na` (the usual ids of that option).
 */
export function isCannotJudge(question: Question, value: AnswerValue, notApplicableWords: readonly string[]): boolean {
  if (question.type === "scale") return value === NOT_APPLICABLE;
  if (question.type !== "single" || typeof value !== "string") return false;
  const option = question.options.find((o) => o.id === value);
  if (!option) return false;
  const words = new Set(notApplicableWords.map((w) => foldTyped(w)));
  return ["x", NOT_APPLICABLE].includes(option.id.toLowerCase()) || Object.values(option.label).some((label) => label !== undefined && words.has(foldTyped(label)));
}

/** The 1-based number of the option that means "cannot judge", if one does (for the refusal's hint). */
export function cannotJudgeNumber(question: Question, notApplicableWords: readonly string[]): number | undefined {
  if (question.type !== "single") return undefined;
  const index = question.options.findIndex((o) => isCannotJudge(question, o.id, notApplicableWords));
  return index >= 0 ? index + 1 : undefined;
}
