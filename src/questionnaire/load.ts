import { readFile, stat } from "node:fs/promises";
import type { QuestionnaireIssue } from "./issue.js";
import { expandedSize, MAX_EXPANDED_VALUES, MAX_QUESTIONNAIRE_BYTES } from "./limits.js";
import { buildQuestionnaire, type Questionnaire } from "./model.js";
import { DEFAULT_MIGRATIONS, migrate, type MigrationRegistry } from "./migrations.js";
import { CyclicDataError, idsAsWritten, normalizeNfc } from "./normalize.js";
import { formatPath, type Finding } from "./paths.js";
import { said } from "./problem.js";

export { formatIssue, formatIssueIn, issueText, type IssueTranslate, type QuestionnaireIssue } from "./issue.js";
import { checkRules } from "./rules.js";
import { questionnaireSchema } from "./schema.js";
import { decodeUtf8, locate, parseSource, positionInScalar, type SourceDocument, type SourceProblem } from "./source.js";
import { findingsFromZod, zodErrorMap } from "./zod-issues.js";

/** The outcome of loading a questionnaire: the model and any warnings, or every error found. */
export type LoadResult =
  | { readonly ok: true; readonly questionnaire: Questionnaire; readonly warnings: readonly QuestionnaireIssue[] }
  | { readonly ok: false; readonly issues: readonly QuestionnaireIssue[] };

/** Options for tests and tools; the defaults are what the product uses. */
export interface ParseOptions {
  /** Schema migrations to apply before validation. */
  readonly migrations?: MigrationRegistry;
}

/** Parses and validates questionnaire text or bytes (YAML or JSON); `fileName` is used in messages. */
export function parseQuestionnaire(source: string | Uint8Array, fileName: string, options: ParseOptions = {}): LoadResult {
  const fail = (problems: readonly SourceProblem[]): LoadResult => ({
    ok: false,
    issues: problems.map((p) => ({ file: fileName, path: "", ...position(p.line, p.column), message: p.message, ...(p.problem ? { problem: p.problem } : {}) })),
  });
  const decoded = decodeUtf8(source);
  if (!decoded.ok) return fail([decoded.problem]);
  const parsed = parseSource(decoded.text, fileName);
  if (!parsed.ok) return fail(parsed.problems);
  const doc = parsed.source;

  if (expandedSize(doc.doc) > MAX_EXPANDED_VALUES) {
    return fail([said("load.aliasesTooBig", { max: MAX_EXPANDED_VALUES.toLocaleString("en") })]);
  }
  let data: Record<string, unknown>;
  try {
    data = normalizeNfc(doc.doc.toJS({ maxAliasCount: 1000 })) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CyclicDataError) return fail([{ message: error.message, problem: error.problem }]);
    return fail([said("load.notData", { detail: error instanceof Error ? error.message : String(error) })]);
  }
  idsAsWritten(data, doc);

  const findings: Finding[] = parsed.warnings.map((w) => ({ path: [], message: w.message, warning: true }));
  const registry = options.migrations ?? DEFAULT_MIGRATIONS;
  const migrated = migrate(data, registry);
  if (!migrated.ok) {
    const issue = toIssue(fileName, doc, { path: ["schemaVersion"], message: migrated.message, problem: migrated.problem });
    if (migrated.fatal) return { ok: false, issues: [issue] };
    findings.push({ path: ["schemaVersion"], message: migrated.message, problem: migrated.problem });
    data = { ...data, schemaVersion: registry.current };
  } else {
    if (migrated.from !== registry.current) {
      findings.push({ path: ["schemaVersion"], warning: true, ...said("load.oldSchemaVersion", { from: migrated.from, current: registry.current }) });
    }
    data = migrated.data;
  }

  const result = questionnaireSchema.safeParse(data, { error: zodErrorMap });
  if (!result.success) findings.push(...findingsFromZod(result.error.issues, questionnaireSchema, data));
  findings.push(...checkRules(data, (path) => locate(doc, path).line));

  const issues = sortIssues(findings.map((f) => toIssue(fileName, doc, f)));
  const errors = issues.filter((i) => i.severity !== "warning");
  if (errors.length > 0 || !result.success) return { ok: false, issues: errors };
  return { ok: true, questionnaire: buildQuestionnaire(result.data), warnings: issues.filter((i) => i.severity === "warning") };
}

function toIssue(file: string, doc: SourceDocument, finding: Finding): QuestionnaireIssue {
  const at = locate(doc, finding.path, finding.target);
  const inValue = finding.valueIndex !== undefined && at.exact ? positionInScalar(doc, at.node, finding.valueIndex) : {};
  const line = inValue.line ?? at.line;
  const column = inValue.line !== undefined ? inValue.column : at.column;
  return {
    file,
    path: formatPath(finding.path),
    ...position(line, column),
    message: finding.message,
    ...(finding.problem ? { problem: finding.problem } : {}),
    ...(finding.warning ? { severity: "warning" as const } : {}),
  };
}

function position(line: number | undefined, column: number | undefined): { line?: number; column?: number } {
  return { ...(line !== undefined ? { line } : {}), ...(line !== undefined && column !== undefined ? { column } : {}) };
}

function sortIssues(issues: QuestionnaireIssue[]): QuestionnaireIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.index - b.index)
    .map((x) => x.issue);
}

/** Reads, parses and validates a questionnaire file; a missing or unreadable file is an issue, not an exception. */
export async function loadQuestionnaireFile(path: string, options: ParseOptions = {}): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_QUESTIONNAIRE_BYTES) {
      return { ok: false, issues: [{ file: path, path: "", ...said("load.tooBig", { size: (size / 1024 / 1024).toFixed(1), limit: MAX_QUESTIONNAIRE_BYTES / 1024 / 1024 }) }] };
    }
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT"
        ? said("load.notFound")
        : code === "EISDIR"
          ? said("load.folder")
          : code === "EACCES" || code === "EPERM"
            ? said("load.permission")
            : said("load.unreadable", { detail: error instanceof Error ? error.message : String(error) });
    return { ok: false, issues: [{ file: path, path: "", ...problem }] };
  }
  return parseQuestionnaire(bytes, path, options);
}
