import { evaluateCondition } from "../../conditions/index.js";
import {
  DEFAULT_TEXT_MAX_LENGTH,
  NOT_APPLICABLE,
  operandOf,
  type AnswerValue,
  type Question,
  type Questionnaire,
} from "../../questionnaire/index.js";
import type { ScoringResponse } from "../types.js";
import { decodeUtf8, readCsv, writeCsv, type FileIssue } from "./csv.js";
import { suggestion } from "./suggest.js";
import { DEFAULT_TIME_ZONE, formatIsoTime, isValidTimeZone, parseIsoTime } from "./time.js";

/** The fixed columns of a responses file, before the question columns (SURVEY-FORMAT 4). */
export const RESPONSE_COLUMNS = ["response_id", "subject_unit", "group", "started_at", "submitted_at"] as const;
const REQUIRED_COLUMNS = ["response_id", "subject_unit", "group"] as const;
/**
 * Respondent identity columns, written after the fixed ones only by the export of an `--identified`
 * campaign with `--with-identity`. The import accepts and ignores them: a responses file links no
 * respondent record, so the same file imports with or without them.
 */
export const RESPONSE_IDENTITY_COLUMNS = ["respondent_external_id", "respondent_name"] as const;

/** Suffix of the optional per-question time columns: `q1__seconds` is the seconds spent on q1 (empty = unknown). */
export const SECONDS_SUFFIX = "__seconds";

/** A row that breaks the questionnaire: not imported. */
export interface RejectedRow {
  /** File line the row starts on (the header is line 1). */
  readonly line: number;
  /** The row's response_id, when it has one. */
  readonly responseId?: string;
  /** Every problem of the row, joined with "; ". */
  readonly reason: string;
}

/** Something imported differently from what the file says (e.g. an answer discarded by its condition). */
export interface RowWarning {
  readonly line: number;
  readonly message: string;
}

/** What a responses file yields: the valid responses, the rejected rows and warnings, or file-level errors. */
export interface ParsedResponses {
  /** Valid rows in file order; empty when `errors` is not. */
  readonly responses: ScoringResponse[];
  readonly rejected: RejectedRow[];
  readonly warnings: RowWarning[];
  /** Problems with the file as a whole (encoding, quoting, header); when any, no row was read. */
  readonly errors: FileIssue[];
}

/** Options of {@link parseResponsesCsv}. */
export interface ResponsesCsvOptions {
  /** IANA time zone of times written without an offset; default Asia/Ho_Chi_Minh. */
  readonly timezone?: string;
}

type CellResult = { readonly ok: true; readonly value: AnswerValue | undefined } | { readonly ok: false; readonly reason: string };

/**
 * Reads a responses file (SURVEY-FORMAT 4) and checks every row against the questionnaire.
 * Each rejected row comes with its line and every reason; the caller decides whether rejected
 * rows stop the import (they should, unless the user asked to skip them).
 */
export function parseResponsesCsv(source: string | Uint8Array, questionnaire: Questionnaire, options: ResponsesCsvOptions = {}): ParsedResponses {
  const zone = options.timezone ?? DEFAULT_TIME_ZONE;
  const fail = (issue: FileIssue): ParsedResponses => ({ responses: [], rejected: [], warnings: [], errors: [issue] });
  if (!isValidTimeZone(zone)) return fail({ message: `unknown time zone "${zone}" (use an IANA name such as Asia/Ho_Chi_Minh)` });
  const decoded = decodeUtf8(source);
  if (!decoded.ok) return fail(decoded.issue);
  const csv = readCsv(decoded.text);
  if (!csv.ok) return fail(csv.issue);
  const [header, ...rows] = csv.records;
  if (!header) return fail({ message: `the file is empty; the first line must be the header: ${RESPONSE_COLUMNS.join(",")},<question ids>` });

  const columns = header.cells.map((c) => c.trim());
  const headerErrors = checkHeader(columns, questionnaire, header.line);
  if (headerErrors.length > 0) return { responses: [], rejected: [], warnings: [], errors: headerErrors };

  const columnOf = new Map(columns.map((name, i) => [name, i]));
  const warnings: RowWarning[] = [];
  const missing = questionnaire.questions.filter((q) => !columnOf.has(q.question.id)).map((q) => q.question.id);
  if (missing.length > 0) {
    warnings.push({ line: header.line, message: `no column for ${missing.join(", ")}: unanswered in every row` });
  }

  const groups = questionnaire.definition.groups?.map((g) => g.id);
  const responses: ScoringResponse[] = [];
  const rejected: RejectedRow[] = [];
  const firstLineOf = new Map<string, number>();

  for (const row of rows) {
    // Rows with nothing in them are the empty lines Excel leaves below a table, not responses.
    if (row.cells.every((c) => c.trim() === "")) continue;
    const reasons: string[] = [];
    const cell = (name: string): string => {
      const i = columnOf.get(name);
      return i === undefined ? "" : (row.cells[i] ?? "");
    };
    const id = cell("response_id").trim();
    const reject = (): void => {
      rejected.push({ line: row.line, ...(id ? { responseId: id } : {}), reason: reasons.join("; ") });
    };
    if (row.cells.length !== columns.length) {
      reasons.push(`the row has ${row.cells.length} cells but the header has ${columns.length} (a missing or extra delimiter?)`);
      reject();
      continue;
    }

    if (!id) reasons.push("response_id is empty");
    else {
      const first = firstLineOf.get(id);
      if (first !== undefined) reasons.push(`duplicate response_id "${id}" (first on line ${first})`);
      else firstLineOf.set(id, row.line);
    }
    const unit = cell("subject_unit").trim();
    if (!unit) reasons.push("subject_unit is empty");
    const group = cell("group").trim();
    if (groups) {
      if (!group) reasons.push(`group is empty (groups: ${groups.join(", ")})`);
      else if (!groups.includes(group)) reasons.push(`unknown group "${group}"${suggestion(group, groups)} (groups: ${groups.join(", ")})`);
    }
    const startedAt = readTime("started_at", cell("started_at"), zone, reasons);
    const submittedAt = readTime("submitted_at", cell("submitted_at"), zone, reasons);
    if (startedAt !== undefined && submittedAt !== undefined && submittedAt < startedAt) {
      reasons.push(`submitted_at (${cell("submitted_at").trim()}) is before started_at (${cell("started_at").trim()})`);
    }

    const answers: Record<string, AnswerValue> = {};
    let cellsValid = true;
    for (const info of questionnaire.questions) {
      const id = info.question.id;
      if (!columnOf.has(id)) continue;
      const result = parseAnswer(info.question, cell(id));
      if (!result.ok) {
        reasons.push(`${id}: ${result.reason}`);
        cellsValid = false;
      } else if (result.value !== undefined) answers[id] = result.value;
    }

    const seconds = readSeconds(questionnaire, columnOf, cell, reasons);

    const rowWarnings: RowWarning[] = [];
    // Conditions are only meaningful over answers that parsed; otherwise the row is rejected anyway.
    if (cellsValid) {
      for (const info of questionnaire.questions) {
        const id = info.question.id;
        const lookup = (qid: string) => {
          const q = questionnaire.byId.get(qid);
          return q ? operandOf(q.question, answers[qid]) : undefined;
        };
        const shown = info.condition === undefined || evaluateCondition(info.condition, lookup);
        if (!shown) {
          if (answers[id] !== undefined) {
            rowWarnings.push({ line: row.line, message: `${id}: answer "${cell(id).trim()}" discarded: its condition is false (showIf: ${info.question.showIf})` });
            delete answers[id];
          }
        } else if (info.question.required && answers[id] === undefined) {
          reasons.push(`${id}: required answer missing${info.condition ? ` (its condition holds: ${info.question.showIf})` : ""}`);
        }
      }
    }

    if (reasons.length > 0) {
      reject();
      continue;
    }
    warnings.push(...rowWarnings);
    responses.push({
      id,
      unit,
      group,
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(submittedAt !== undefined ? { submittedAt } : {}),
      answers,
      ...(seconds ? { seconds } : {}),
    });
  }
  return { responses, rejected, warnings, errors: [] };
}

function checkHeader(columns: readonly string[], questionnaire: Questionnaire, line: number): FileIssue[] {
  const errors: FileIssue[] = [];
  const known = [...RESPONSE_COLUMNS, ...RESPONSE_IDENTITY_COLUMNS, ...questionnaire.questions.flatMap((q) => [q.question.id, `${q.question.id}${SECONDS_SUFFIX}`])];
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === "") errors.push({ line, message: `column ${i + 1} of the header has no name` });
    else if (seen.has(name)) errors.push({ line, message: `column "${name}" appears twice in the header` });
    else if (!known.includes(name)) {
      errors.push({ line, message: `unknown column "${name}": not a question of ${questionnaire.id} v${questionnaire.version}${suggestion(name, known.filter((k) => !columns.includes(k)))}` });
    }
    seen.add(name);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) errors.push({ line, message: `missing column "${required}" (the header must include ${REQUIRED_COLUMNS.join(", ")})` });
  }
  return errors;
}

/** The `<id>__seconds` cells of a row: a number of seconds ≥ 0 (decimal point or comma), or empty. */
function readSeconds(questionnaire: Questionnaire, columnOf: ReadonlyMap<string, number>, cell: (name: string) => string, reasons: string[]): Record<string, number> | undefined {
  let out: Record<string, number> | undefined;
  for (const info of questionnaire.questions) {
    const column = `${info.question.id}${SECONDS_SUFFIX}`;
    if (!columnOf.has(column)) continue;
    const text = cell(column).trim();
    if (text === "") continue;
    const n = readNumber(text);
    if (n === undefined || !Number.isFinite(n) || n < 0) reasons.push(`${column}: "${text}" is not a number of seconds (e.g. 12.5)`);
    else (out ??= {})[info.question.id] = n;
  }
  return out;
}

function readTime(column: string, raw: string, zone: string, reasons: string[]): number | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const ms = parseIsoTime(text, zone);
  if (ms === undefined) reasons.push(`${column}: "${text}" is not an ISO 8601 time such as 2026-12-01T08:30:00+07:00`);
  return ms;
}

const NUMBER = /^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$/;

/** Reads a number cell; a decimal comma ("3,5") is accepted since Vietnamese forms use it. */
function readNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text.replace(",", ".")) : undefined;
}

/** Parses one answer cell for `question`; an empty cell is unanswered. */
export function parseAnswer(question: Question, raw: string): CellResult {
  if (question.type === "text") {
    if (raw.trim() === "") return { ok: true, value: undefined };
    const max = question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
    const length = [...raw.normalize("NFC")].length;
    return length > max ? { ok: false, reason: `the answer is ${length} characters long, at most ${max} allowed` } : { ok: true, value: raw };
  }
  const text = raw.trim();
  if (text === "") return { ok: true, value: undefined };
  switch (question.type) {
    case "single": {
      const ids = question.options.map((o) => o.id);
      return ids.includes(text) ? { ok: true, value: text } : { ok: false, reason: `"${text}" is not an option (options: ${ids.join(", ")})` };
    }
    case "multi": {
      const ids = question.options.map((o) => o.id);
      const chosen: string[] = [];
      for (const part of text.split("|").map((p) => p.trim())) {
        if (part === "") return { ok: false, reason: `"${text}" has an empty option (join option ids with |, e.g. 1|3)` };
        if (!ids.includes(part)) return { ok: false, reason: `"${part}" is not an option (options: ${ids.join(", ")})` };
        if (chosen.includes(part)) return { ok: false, reason: `option "${part}" is chosen more than once` };
        chosen.push(part);
      }
      const min = question.minSelect ?? 1;
      const max = question.maxSelect ?? ids.length;
      if (chosen.length < min) return { ok: false, reason: `${chosen.length} option${chosen.length === 1 ? "" : "s"} chosen, at least ${min} required` };
      if (chosen.length > max) return { ok: false, reason: `${chosen.length} options chosen, at most ${max} allowed` };
      return { ok: true, value: chosen };
    }
    case "scale": {
      if (text.toLowerCase() === NOT_APPLICABLE) {
        return question.allowNotApplicable ? { ok: true, value: NOT_APPLICABLE } : { ok: false, reason: `"${text}" (cannot judge) is not allowed for this question` };
      }
      const n = readNumber(text);
      const expected = `a whole number from ${question.min} to ${question.max}${question.allowNotApplicable ? ` or ${NOT_APPLICABLE}` : ""}`;
      if (n === undefined || !Number.isInteger(n)) return { ok: false, reason: `"${text}" is not ${expected}` };
      if (n < question.min || n > question.max) return { ok: false, reason: `${n} is out of range: expected ${expected}` };
      return { ok: true, value: n };
    }
    case "number": {
      const n = readNumber(text);
      if (n === undefined || !Number.isFinite(n)) return { ok: false, reason: `"${text}" is not a number` };
      if (question.integer && !Number.isInteger(n)) return { ok: false, reason: `${n} is not a whole number` };
      if (question.min !== undefined && n < question.min) return { ok: false, reason: `${n} is below the minimum ${question.min}` };
      if (question.max !== undefined && n > question.max) return { ok: false, reason: `${n} is above the maximum ${question.max}` };
      return { ok: true, value: n };
    }
  }
}

/** Options of {@link writeResponsesCsv}. */
export interface WriteResponsesOptions {
  /** Time zone the times are written in (with their offset, so any reader gets the same instant). */
  readonly timezone?: string;
  /** Identity cells of each response ({@link RESPONSE_IDENTITY_COLUMNS}); when absent those columns are not written. */
  readonly identities?: (response: ScoringResponse) => readonly string[];
}

/**
 * Writes responses in the layout {@link parseResponsesCsv} reads (SURVEY-FORMAT 4): the fixed
 * columns, then every question in questionnaire order. No byte-order mark; add one for Excel.
 */
export function writeResponsesCsv(questionnaire: Questionnaire, responses: readonly ScoringResponse[], options: WriteResponsesOptions = {}): string {
  const zone = options.timezone ?? DEFAULT_TIME_ZONE;
  const questions = questionnaire.questions.map((q) => q.question.id);
  const identities = options.identities;
  // Per-question time columns only when some response has times, so files without them stay as they were.
  const timed = responses.some((r) => r.seconds !== undefined && Object.keys(r.seconds).length > 0);
  const rows: string[][] = [[...RESPONSE_COLUMNS, ...(identities ? RESPONSE_IDENTITY_COLUMNS : []), ...questions, ...(timed ? questions.map((id) => `${id}${SECONDS_SUFFIX}`) : [])]];
  for (const r of responses) {
    rows.push([
      r.id,
      r.unit,
      r.group,
      r.startedAt === undefined ? "" : formatIsoTime(r.startedAt, zone),
      r.submittedAt === undefined ? "" : formatIsoTime(r.submittedAt, zone),
      ...(identities ? RESPONSE_IDENTITY_COLUMNS.map((_, i) => identities(r)[i] ?? "") : []),
      ...questions.map((id) => {
        const value = r.answers[id];
        if (value === undefined) return "";
        return Array.isArray(value) ? value.join("|") : String(value);
      }),
      ...(timed ? questions.map((id) => (r.seconds?.[id] === undefined ? "" : String(Math.round(r.seconds[id]! * 10) / 10))) : []),
    ]);
  }
  return writeCsv(rows);
}
