import { decodeUtf8, readCsv, type FileIssue } from "./csv.js";
import type { RejectedRow } from "./responses.js";
import { suggestion } from "./suggest.js";

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
  if (!header) return fail({ message: "the file is empty; the first line must be the header: unit,points" });
  const columns = header.cells.map((c) => c.trim());
  const errors: FileIssue[] = [];
  for (const name of columns) {
    if (!(APPRAISAL_COLUMNS as readonly string[]).includes(name)) {
      errors.push({ line: header.line, message: `unknown column "${name}"${suggestion(name, APPRAISAL_COLUMNS)}: the header must be unit,points` });
    }
  }
  for (const name of APPRAISAL_COLUMNS) {
    if (columns.filter((c) => c === name).length > 1) errors.push({ line: header.line, message: `column "${name}" appears twice in the header` });
    if (!columns.includes(name)) errors.push({ line: header.line, message: `missing column "${name}": the header must be unit,points` });
  }
  if (errors.length > 0) return { points, rejected: [], errors };

  const unitColumn = columns.indexOf("unit");
  const pointsColumn = columns.indexOf("points");
  const known = options.knownUnits ? new Set(options.knownUnits) : undefined;
  const firstLineOf = new Map<string, number>();
  const rejected: RejectedRow[] = [];
  for (const row of rows) {
    if (row.cells.every((c) => c.trim() === "")) continue;
    const reject = (reason: string): void => {
      rejected.push({ line: row.line, reason });
    };
    if (row.cells.length !== columns.length) {
      reject(`the row has ${row.cells.length} cells but the header has ${columns.length}${row.cells.length > columns.length ? ' (write a decimal comma inside quotes, "60,25", or use a decimal point)' : ""}`);
      continue;
    }
    const unit = (row.cells[unitColumn] ?? "").trim();
    const text = (row.cells[pointsColumn] ?? "").trim();
    const reasons: string[] = [];
    if (!unit) reasons.push("unit is empty");
    else if (known && !known.has(unit)) reasons.push(`unknown unit "${unit}"${suggestion(unit, known)}: not a unit of this campaign`);
    else if (firstLineOf.has(unit)) reasons.push(`duplicate unit "${unit}" (first on line ${firstLineOf.get(unit)})`);
    const value = /^[+-]?(\d+([.,]\d+)?|[.,]\d+)$/.test(text) ? Number(text.replace(",", ".")) : undefined;
    if (text === "") reasons.push("points is empty");
    else if (value === undefined) reasons.push(`points "${text}" is not a number`);
    else if (value < 0) reasons.push(`points ${text} is negative`);
    else if (options.appraisalMax !== undefined && value > options.appraisalMax) reasons.push(`points ${text} is above appraisalMax ${options.appraisalMax}`);
    if (unit && !firstLineOf.has(unit)) firstLineOf.set(unit, row.line);
    if (reasons.length > 0) {
      reject(reasons.join("; "));
      continue;
    }
    points.set(unit, value!);
  }
  return { points, rejected, errors: [] };
}
