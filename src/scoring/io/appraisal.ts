import { decodeUtf8, readCsv, type FileIssue } from "./csv.js";
import type { RejectedRow } from "./responses.js";
import { didYouMean } from "./suggest.js";
import { englishJoined, englishText, type Problem, type ProblemParam } from "../../i18n/problem.js";

const p = (key: string, params: Record<string, ProblemParam> = {}): Problem => ({ key: `appraisal.${key}`, params });
/** " (did you mean "x"?)" when a close name exists, as a nested problem. */
const hint = (name: string, candidates: Iterable<string>): ProblemParam => {
  const best = didYouMean(name, candidates);
  return best === undefined ? "" : { key: "appraisal.didYouMean", params: { name: best } };
};
const issue = (problem: Problem, line?: number): FileIssue => ({ ...(line !== undefined ? { line } : {}), message: englishText(problem), problems: [problem] });

/** The header of an appraisal file (SURVEY-FORMAT 5). */
export const APPRAISAL_COLUMNS = ["unit", "points"] as const;

/** Options of {@link parseAppraisalCsv}. */
export interface AppraisalCsvOptions {
  /** The questionnaire's `appraisalMax`; points above it are refused. */
  readonly appraisalMax?: number;
  /** Campaign mode: the only units an appraisal row may name. */
  readonly knownUnits?: readonly string[];
}

/** What an appraisal file yields: points per unit, rejected rows, or file-level errors. */
export interface ParsedAppraisal {
  /** Points by unit, in file order; empty when `errors` is not. */
  readonly points: Map<string, number>;
  readonly rejected: RejectedRow[];
  readonly errors: FileIssue[];
}

/** Reads an appraisal file (`unit,points`) and checks every row; each problem is reported with its line. */
export function parseAppraisalCsv(source: string | Uint8Array, options: AppraisalCsvOptions = {}): ParsedAppraisal {
  const points = new Map<string, number>();
  const fail = (issue: FileIssue): ParsedAppraisal => ({ points, rejected: [], errors: [issue] });
  const decoded = decodeUtf8(source);
  if (!decoded.ok) return fail(decoded.issue);
  const csv = readCsv(decoded.text);
  if (!csv.ok) return fail(csv.issue);
  const [header, ...rows] = csv.records;
  if (!header) return fail(issue(p("empty")));
  const columns = header.cells.map((c) => c.trim());
  const errors: FileIssue[] = [];
  for (const name of columns) {
    if (!(APPRAISAL_COLUMNS as readonly string[]).includes(name)) {
      errors.push(issue(p("unknownColumn", { name, suggestion: hint(name, APPRAISAL_COLUMNS) }), header.line));
    }
  }
  for (const name of APPRAISAL_COLUMNS) {
    if (columns.filter((c) => c === name).length > 1) errors.push(issue(p("columnTwice", { name }), header.line));
    if (!columns.includes(name)) errors.push(issue(p("missingColumn", { name }), header.line));
  }
  if (errors.length > 0) return { points, rejected: [], errors };

  const unitColumn = columns.indexOf("unit");
  const pointsColumn = columns.indexOf("points");
  const known = options.knownUnits ? new Set(options.knownUnits) : undefined;
  const firstLineOf = new Map<string, number>();
  const rejected: RejectedRow[] = [];
  for (const row of rows) {
    if (row.cells.every((c) => c.trim() === "")) continue;
    const reject = (problems: Problem[]): void => {
      rejected.push({ line: row.line, reason: englishJoined(problems), problems });
    };
    if (row.cells.length !== columns.length) {
      reject([p(row.cells.length > columns.length ? "tooManyCells" : "tooFewCells", { cells: row.cells.length, columns: columns.length })]);
      continue;
    }
    const unit = (row.cells[unitColumn] ?? "").trim();
    const text = (row.cells[pointsColumn] ?? "").trim();
    const reasons: Problem[] = [];
    if (!unit) reasons.push(p("unitEmpty"));
    else if (known && !known.has(unit)) reasons.push(p("unknownUnit", { unit, suggestion: hint(unit, known) }));
    else if (firstLineOf.has(unit)) reasons.push(p("duplicateUnit", { unit, first: firstLineOf.get(unit)! }));
    const value = /^[+-]?(\d+([.,]\d+)?|[.,]\d+)$/.test(text) ? Number(text.replace(",", ".")) : undefined;
    if (text === "") reasons.push(p("pointsEmpty"));
    else if (value === undefined) reasons.push(p("notNumber", { text }));
    else if (value < 0) reasons.push(p("negative", { text }));
    else if (options.appraisalMax !== undefined && value > options.appraisalMax) reasons.push(p("aboveMax", { text, max: options.appraisalMax }));
    if (unit && !firstLineOf.has(unit)) firstLineOf.set(unit, row.line);
    if (reasons.length > 0) {
      reject(reasons);
      continue;
    }
    points.set(unit, value!);
  }
  return { points, rejected, errors: [] };
}
