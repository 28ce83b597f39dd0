// The organiser's language on the command line: every human message the CLI prints (summaries on
// standard output or error, CliError messages) is a key of the `cli` namespace (locales/<lang>/cli.json),
// said in KHAOSAT_LANG (vi or en; Vietnamese when unset). Machine-readable output (CSV, JSON, XLSX,
// the ids a command prints for scripts) never changes with the language.
// Loaded on first use only: `khaosat --help` and a command that prints nothing never read a locale file.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import i18next, { type TFunction } from "i18next";
import type { Language } from "../config/index.js";
import { DEFAULT_LOCALES_DIR } from "../i18n/resources.js";
import { problemsText, problemText, type Problem } from "../i18n/problem.js";
import { formatIssueIn, type QuestionnaireIssue } from "../questionnaire/issue.js";
import type { CampaignInputError } from "../campaigns/create.js";
import { CliError } from "./errors.js";
import { cliLanguage } from "./language.js";

export { cliLanguage, LANGUAGE_VARIABLE } from "./language.js";

let translate: TFunction | undefined;
let chosen: Language | undefined;

/**
 * The language a command's own `--lang vi|en` chose (score's): it speaks that language instead of
 * KHAOSAT_LANG's. Call before the first message.
 */
export function useLanguage(language: Language): void {
  chosen = language;
  translate = undefined;
}

/** The language the CLI's messages are in: a command's --lang, else KHAOSAT_LANG, else Vietnamese. */
export function messageLanguage(): Language {
  return chosen ?? cliLanguage();
}

/** Only the namespaces the CLI says things with: its own, the services' keyed problems, its listings, the flags' evidence and the questionnaire checks' problems. */
const NAMESPACES = ["cli", "problems", "listings", "flags", "questionnaire"] as const;

function load(): TFunction {
  const language = messageLanguage();
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lng of new Set<Language>([language, "vi"])) {
    resources[lng] = {};
    for (const ns of NAMESPACES) {
      const file = path.join(DEFAULT_LOCALES_DIR, lng, `${ns}.json`);
      resources[lng][ns] = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: language,
    fallbackLng: "vi",
    ns: [...NAMESPACES],
    defaultNS: "cli",
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance.getFixedT(language);
}

/** A message of the `cli` namespace in the organiser's language. */
export function t(key: string, params: Record<string, unknown> = {}): string {
  translate ??= load();
  return translate(key, params) as string;
}

/** A CliError with the message of a `cli` key. */
export function cliError(key: string, params: Record<string, unknown> = {}, exitCode = 1): CliError {
  return new CliError(t(key, params), exitCode);
}

/** A service's keyed problem in the organiser's language. */
export function sayProblem(problem: Problem): string {
  translate ??= load();
  return problemText(translate, problem);
}

/** A questionnaire issue as one line (`file:line:column: path: message`) in the organiser's language. */
export function sayIssue(issue: QuestionnaireIssue): string {
  translate ??= load();
  return formatIssueIn(issue, translate);
}

/** A campaign input error in the organiser's language, the questionnaire's problems it lists included. */
export function sayCampaignInput(error: CampaignInputError): string {
  if (!error.problem) return error.message;
  if (!error.issues) return sayProblem(error.problem);
  return sayProblem({ ...error.problem, params: { ...error.problem.params, issues: error.issues.map((i) => `  ${sayIssue(i)}`).join("\n") } });
}

/** A row's keyed problems in the organiser's language; the English `fallback` where the service gave no key. */
export function sayProblems(problems: readonly Problem[] | undefined, fallback: string): string {
  translate ??= load();
  return problemsText(translate, problems, fallback);
}

/** Forgets the loaded language (tests that change KHAOSAT_LANG within one process). */
export function resetCliLanguage(): void {
  translate = undefined;
  chosen = undefined;
}

/** "3 created, 1 updated, 0 unchanged[, 2 skipped]" of an import, in the organiser's language. */
export function countsLine(counts: { readonly created: number; readonly updated: number; readonly unchanged: number }, skipped: number): string {
  return t("counts.summary", { created: counts.created, updated: counts.updated, unchanged: counts.unchanged }) + (skipped > 0 ? t("counts.skipped", { count: skipped }) : "");
}

/** "file:line: message" with the message in the organiser's language; `as` words it as a warning or a skipped row. */
export function fileIssue(file: string, issue: { readonly line?: number; readonly message: string; readonly problems?: readonly Problem[] | undefined }, as?: "warning" | "skipped"): string {
  const said = sayProblems(issue.problems, issue.message);
  const message = as === undefined ? said : t(`issue.${as}`, { message: said });
  return `${file}${issue.line !== undefined ? `:${issue.line}` : ""}: ${message}`;
}

/** A file-system error in words ("no such file or directory"), in the organiser's language. */
export function fsErrorText(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === "ENOENT") return t("io.noSuchFileOrDirectory");
  if (code === "EISDIR") return t("io.isDirectory");
  if (code === "EACCES" || code === "EPERM") return t("io.permission");
  return error instanceof Error ? error.message : String(error);
}

let webTranslate: TFunction | undefined;

/**
 * The web console's words (`web` namespace) in the organiser's language, for what the CLI says as the
 * console does (a reminder schedule as a sentence: src/web/format.ts's describeSchedule).
 */
export function webWords(): TFunction {
  if (webTranslate) return webTranslate;
  const language = messageLanguage();
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lng of new Set<Language>([language, "vi"])) {
    resources[lng] = { web: JSON.parse(readFileSync(path.join(DEFAULT_LOCALES_DIR, lng, "web.json"), "utf8")) as Record<string, unknown> };
  }
  const instance = i18next.createInstance();
  void instance.init({ resources, lng: language, fallbackLng: "vi", ns: ["web"], defaultNS: "web", initAsync: false, interpolation: { escapeValue: false }, returnNull: false });
  webTranslate = instance.getFixedT(language);
  return webTranslate;
}

/** A Node file-system error's code and path, when `error` is one. */
function fsError(error: unknown): { readonly code: string; readonly path?: string; readonly syscall?: string } | undefined {
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown } | undefined;
  if (typeof e?.code !== "string" || !/^E[A-Z]+$/.test(e.code)) return undefined;
  return { code: e.code, ...(typeof e.path === "string" ? { path: e.path } : {}), ...(typeof e.syscall === "string" ? { syscall: e.syscall } : {}) };
}

/**
 * A file the CLI could not read or write, said in the organiser's language ("không tìm thấy tệp
 * message.txt"), or undefined when `error` is not a file-system error about a file. `file` is the
 * name the organiser gave (the error's own path otherwise).
 */
export function fileErrorText(error: unknown, file?: string): string | undefined {
  const fs = fsError(error);
  if (!fs) return undefined;
  const name = file ?? fs.path;
  if (name === undefined) return undefined;
  const folder = path.dirname(name);
  switch (fs.code) {
    case "ENOENT":
      // Writing into a folder that does not exist is ENOENT too: name the folder then.
      return folder !== "." && !existsSync(folder) ? t("io.noFolderOf", { file: name, folder }) : t("io.notFound", { file: name });
    case "ENOTDIR":
      return t("io.noFolderOf", { file: name, folder });
    case "EISDIR":
      return t("io.isFolder", { file: name });
    case "EACCES":
    case "EPERM":
      return t("io.noPermission", { file: name });
    case "EEXIST":
      return t("io.exists", { file: name });
    case "ENOSPC":
      return t("io.diskFull", { file: name });
    default:
      return undefined;
  }
}
