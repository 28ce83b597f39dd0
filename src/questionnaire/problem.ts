// The questionnaire checks' problems by key of the `questionnaire` namespace
// (locales/<lang>/questionnaire.json), the shared keyed-problem mechanism of src/i18n/problem.ts:
// each finding keeps its English text as `message` (logs, library callers, the tests of the rules)
// and its key and parameters as `problem`, which the CLI (KHAOSAT_LANG) and any other front end say
// in their reader's language. test/questionnaire/problem-keys.test.ts keeps every key used here
// translated in both languages.
import { englishText, type Problem, type ProblemParam } from "../i18n/problem.js";
import { closest } from "./paths.js";

/** The i18next namespace (and file name under locales/<lang>/) of the questionnaire's problems. */
export const QUESTIONNAIRE_NAMESPACE = "questionnaire";

/** Parameters of a questionnaire problem. */
export type QuestionnaireParams = Readonly<Record<string, ProblemParam>>;

/** `questionnaire:<key>` with its parameters. */
export function questionnaireProblem(key: string, params: QuestionnaireParams = {}): Problem {
  return { key: `${QUESTIONNAIRE_NAMESPACE}:${key}`, params };
}

/** A problem and its English text: what a finding or an issue carries. */
export function said(key: string, params: QuestionnaireParams = {}): { readonly message: string; readonly problem: Problem } {
  const problem = questionnaireProblem(key, params);
  return { message: englishText(problem), problem };
}

/** ` (did you mean "x"?)` in the reader's language, or "" when no candidate is close. */
export function hint(word: string, candidates: Iterable<string>): ProblemParam {
  const best = closest(word, candidates);
  return best === undefined ? "" : questionnaireProblem("hint.didYouMean", { word: best });
}

/** `a, b or c` (`and` with `conjunction: "and"`) in the reader's language. */
export function wordList(words: readonly string[], conjunction: "or" | "and" = "or"): ProblemParam {
  if (words.length <= 1) return words.join("");
  return questionnaireProblem(conjunction === "and" ? "list.and" : "list.or", { head: words.slice(0, -1).join(", "), last: words[words.length - 1]! });
}
