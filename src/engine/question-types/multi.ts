import type { AnswerValue, MultiQuestion } from "../../questionnaire/index.js";
import type { Choice, RenderHints } from "../types.js";
import { accept, cleanTyped, findOption, hintOptions, refuse, type AnswerResult } from "./common.js";

/** The smallest and largest number of options a respondent may choose. */
export function selectLimits(question: MultiQuestion): { minSelect: number; maxSelect: number } {
  const maxSelect = Math.min(question.maxSelect ?? question.options.length, question.options.length);
  return { minSelect: Math.min(question.minSelect ?? 1, maxSelect), maxSelect };
}

/** Reads a typed answer: option ids or numbers separated by commas, semicolons or spaces ("1,3", "1 3"). */
export function parseText(question: MultiQuestion, text: string): AnswerResult {
  const tokens = cleanTyped(text).split(/[\s,;]+/).filter((t) => t !== "");
  const ids: string[] = [];
  for (const token of tokens) {
    const option = findOption(question.options, token);
    if (!option) return refuse("unknown_option", { value: token, optionCount: question.options.length });
    ids.push(option.id);
  }
  return validate(question, ids);
}

/** Reads a button answer: a list of option ids of this question. */
export function parseChoice(question: MultiQuestion, choice: Choice): AnswerResult {
  if (choice.kind !== "options") return refuse("wrong_kind");
  return validate(question, choice.optionIds);
}

/**
 * Checks a value: known option ids, between minSelect and maxSelect of them. Repeats are dropped and
 * the ids are stored in questionnaire order, so the same choice is always stored the same way.
 */
export function validate(question: MultiQuestion, value: AnswerValue): AnswerResult {
  if (!Array.isArray(value)) return refuse("wrong_kind");
  const chosen = new Set<string>();
  for (const id of value as readonly unknown[]) {
    if (typeof id !== "string" || !question.options.some((o) => o.id === id)) {
      return refuse("unknown_option", { value: String(id), optionCount: question.options.length });
    }
    chosen.add(id);
  }
  const { minSelect, maxSelect } = selectLimits(question);
  if (chosen.size < minSelect) return refuse("too_few_selected", { minSelect, maxSelect });
  if (chosen.size > maxSelect) return refuse("too_many_selected", { minSelect, maxSelect });
  return accept(question.options.filter((o) => chosen.has(o.id)).map((o) => o.id));
}

/** The options to offer, the selection limits and what is ticked. */
export function hints(question: MultiQuestion, selected: readonly string[]): RenderHints {
  return { type: "multi", options: hintOptions(question.options), ...selectLimits(question), selected };
}
