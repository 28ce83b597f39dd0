// Which language the CLI speaks (KHAOSAT_LANG): read without loading i18next, so main() can check
// the variable before any command runs and `khaosat --help` stays light.
import type { Language } from "../config/index.js";

/** The environment variable that chooses the CLI's language. */
export const LANGUAGE_VARIABLE = "KHAOSAT_LANG";
const LANGUAGES: readonly Language[] = ["vi", "en"];

/** Why KHAOSAT_LANG is unusable (said in both languages: we cannot know which the reader wants), or undefined. */
export function languageVariableProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[LANGUAGE_VARIABLE]?.trim();
  if (value === undefined || value === "" || (LANGUAGES as readonly string[]).includes(value.toLowerCase())) return undefined;
  return `${LANGUAGE_VARIABLE}="${value}": hãy đặt vi (tiếng Việt, mặc định) hoặc en / use vi (Vietnamese, the default) or en`;
}

/** The CLI's language: KHAOSAT_LANG (vi | en), Vietnamese when unset or unusable (main() reports an unusable value first). */
export function cliLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const value = env[LANGUAGE_VARIABLE]?.trim().toLowerCase();
  return value === "en" ? "en" : "vi";
}

