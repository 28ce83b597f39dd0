// One problem of a questionnaire file and its one-line form, in English or in a reader's language.
// Light on purpose (no parser, no schema): the CLI's i18n imports it.
import type { TFunction } from "i18next";
import { problemText, type Problem } from "../i18n/problem.js";

/** A translation function of any namespace, with the `questionnaire` namespace loaded (the CLI's, the web console's). */
export type IssueTranslate = TFunction;

/** One problem found in a questionnaire file. */
export interface QuestionnaireIssue {
  readonly file: string;
  /** Path inside the file, e.g. `sections[1].questions[3].options[2].score` (0-based); "" for the whole file. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  /** In English (logs, library callers); `problem` says the same by key, for a reader of another language. */
  readonly message: string;
  /** `questionnaire:<key>` and its parameters (src/questionnaire/problem.ts); absent only for the yaml package's own warnings. */
  readonly problem?: Problem;
  /** Absent for errors; warnings do not stop the file from loading. */
  readonly severity?: "warning";
}

/** One line per issue: `file:line:column: path: message` (warnings say so), in English. */
export function formatIssue(issue: QuestionnaireIssue): string {
  return issueLine(issue, issue.message, "warning: ");
}

/**
 * formatIssue in the language of `t` (the CLI's KHAOSAT_LANG, a web user's): the message said from the
 * issue's `problem`, "warning" as `questionnaire:issue.warning`.
 */
export function formatIssueIn(issue: QuestionnaireIssue, t: IssueTranslate): string {
  return issueLine(issue, issueText(issue, t), `${t("questionnaire:issue.warning")}: `);
}

function issueLine(issue: QuestionnaireIssue, message: string, warning: string): string {
  const where = [issue.file, issue.line, issue.line !== undefined ? issue.column : undefined].filter((x) => x !== undefined).join(":");
  return `${where}: ${issue.path ? `${issue.path}: ` : ""}${issue.severity === "warning" ? warning : ""}${message}`;
}

/** The issue's message in the language of `t` (its English message when it has no key). */
export function issueText(issue: QuestionnaireIssue, t: IssueTranslate): string {
  return issue.problem ? problemText(t, issue.problem) : issue.message;
}
