// Problems that services shared by the CLI and the web console report (a bad row of a file, a bad
// reminder schedule, a broadcast refused): a key of the `problems` namespace and its parameters,
// so that each front end says it in its reader's language. The English text, made from the same
// key, is kept beside it as `message` for the CLI, logs and callers that print one line.
import type { TFunction } from "i18next";
import { createI18n, type I18n } from "./i18n.js";

/** A parameter: text, a number, a list (formatted by the locale's `list` formatter), or another problem (said in the same language). */
export type ProblemParam = string | number | readonly string[] | Problem | readonly Problem[];

/** One problem: `problems:<key>` with its parameters (a key naming its own namespace, `questionnaire:<key>`, is read there). */
export interface Problem {
  readonly key: string;
  readonly params?: Readonly<Record<string, ProblemParam>>;
}

/** The parameters with nested problems said in the language of `t`. */
function resolved(t: (key: string, options: Record<string, unknown>) => string, params: Problem["params"]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) out[k] = say(t, v as Problem);
    else if (Array.isArray(v) && v.some((x) => typeof x === "object")) out[k] = (v as Problem[]).map((x) => say(t, x)).join("; ");
    else out[k] = v;
  }
  return out;
}

function say(t: (key: string, options: Record<string, unknown>) => string, problem: Problem): string {
  return t(problem.key.includes(":") ? problem.key : `problems:${problem.key}`, resolved(t, problem.params));
}

let english: I18n | undefined;

/** The problem in English (the CLI's words). */
export function englishText(problem: Problem): string {
  english ??= createI18n({ language: "en" });
  const t = english.getFixedT("en");
  return say((key, options) => t(key, options), problem);
}

/** Several problems of one row in English, joined as the CLI always joined them. */
export function englishJoined(problems: readonly Problem[]): string {
  return problems.map(englishText).join("; ");
}

/** The problem in the reader's language (`t` of any namespace). */
export function problemText(t: TFunction, problem: Problem): string {
  return say((key, options) => t(key, options), problem);
}

/** A row's or a file's problems in the reader's language; `fallback` (the English message) when none is keyed. */
export function problemsText(t: TFunction, problems: readonly Problem[] | undefined, fallback: string): string {
  return problems && problems.length > 0 ? problems.map((p) => problemText(t, p)).join("; ") : fallback;
}
