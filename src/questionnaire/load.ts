// PROVISIONAL: minimal loader so that other modules can start; the full loader (rules, line numbers,
// migrations, all errors at once) replaces this file with the same exported API.
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { buildQuestionnaire, type Questionnaire } from "./model.js";
import { questionnaireSchema } from "./schema.js";

/** One problem found in a questionnaire file. */
export interface QuestionnaireIssue {
  readonly file: string;
  /** Path inside the file, e.g. `sections[1].questions[3].options[2].score`; "" for the whole file. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly questionnaire: Questionnaire; readonly warnings: readonly QuestionnaireIssue[] }
  | { readonly ok: false; readonly issues: readonly QuestionnaireIssue[] };

/** Parses and validates questionnaire text (YAML or JSON); `fileName` is used in messages. */
export function parseQuestionnaire(source: string | Uint8Array, fileName: string): LoadResult {
  const text = typeof source === "string" ? source : new TextDecoder().decode(source);
  const data: unknown = parse(text);
  const result = questionnaireSchema.safeParse(data);
  if (!result.success) {
    return {
      ok: false,
      issues: result.error.issues.map((i) => ({ file: fileName, path: i.path.join("."), message: i.message })),
    };
  }
  return { ok: true, questionnaire: buildQuestionnaire(result.data), warnings: [] };
}

/** Reads, parses and validates a questionnaire file. */
export async function loadQuestionnaireFile(path: string): Promise<LoadResult> {
  return parseQuestionnaire(await readFile(path), path);
}

/** One line per issue: `file:line:column: path: message`. */
export function formatIssue(issue: QuestionnaireIssue): string {
  const where = [issue.file, issue.line, issue.line !== undefined ? issue.column : undefined].filter((x) => x !== undefined).join(":");
  return `${where}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}
