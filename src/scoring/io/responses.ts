import { evaluateCondition } from "../../conditions/index.js";
import {
  DEFAULT_TEXT_MAX_LENGTH,
  NOT_APPLICABLE,
  operandOf,
  type AnswerValue,
  type Question,
  type Questionnaire,
} from "../../questionnaire/index.js";
import { ResponseTable, type AnswerColumn } from "../table.js";
import type { ScoringResponse } from "../types.js";
import { decodeUtf8, detectDelimiter, scanCsv, scanCsvFile, writeCsv, type FileIssue } from "./csv.js";
import { didYouMean } from "./suggest.js";
import { DEFAULT_TIME_ZONE, formatIsoTime, isValidTimeZone, parseIsoTime } from "./time.js";
import { englishJoined, englishText, type Problem, type ProblemParam } from "../../i18n/problem.js";

/** The fixed columns of a responses file, before the question columns (SURVEY-FORMAT 4). */
export const RESPONSE_COLUMNS = ["response_id", "subject_unit", "group", "started_at", "submitted_at"] as const;
const REQUIRED_COLUMNS = ["response_id", "subject_unit", "group"] as const;
/**
 * Respondent identity columns, written after the fixed ones only by the export of an `--identified`
 * campaign with `--with-identity`. The import accepts and ignores them: a responses file links no
 * respondent record, so the same file imports with or without them.
 */
export const RESPONSE_IDENTITY_COLUMNS = ["respondent_external_id", "respondent_name"] as const;
/**
 * The channel that collected each response (`telegram`, `zalo`, `console`, `import`), written after
 * the fixed columns by campaign exports. The import accepts and ignores it: a re-imported row is
 * an imported response whatever channel first collected it.
 */
export const RESPONSE_CHANNEL_COLUMN = "channel";

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
  /** The same problems by key of the `problems` namespace (where set), for a reader of another language. */
  readonly problems?: readonly Problem[];
}

/** Something imported differently from what the file says (e.g. an answer discarded by its condition). */
export interface RowWarning {
  readonly line: number;
  readonly message: string;
  /** The same by key of the `problems` namespace, for a reader of another language. */
  readonly problems?: readonly Problem[];
}

const p = (key: string, params: Record<string, ProblemParam> = {}): Problem => ({ key: `responses.${key}`, params });
/** " (did you mean "x"?)" when a close name exists, as a nested problem. */
const hint = (name: string, candidates: Iterable<string>): ProblemParam => {
  const best = didYouMean(name, candidates);
  return best === undefined ? "" : { key: "appraisal.didYouMean", params: { name: best } };
};
/** A file issue or warning told by key; the message is the English text. */
const keyed = (problem: Problem, line?: number): { line?: number; message: string; problems: Problem[] } => ({ ...(line !== undefined ? { line } : {}), message: englishText(problem), problems: [problem] });

/** What a responses file yields: the valid responses, the rejected rows and warnings, or file-level errors. */
export interface ParsedResponses {
  /** Valid rows in file order; empty when `errors` is not. */
  readonly responses: ScoringResponse[];
  readonly rejected: RejectedRow[];
  readonly warnings: RowWarning[];
  /** Problems with the file as a whole (encoding, quoting, header); when any, no row was read. */
  readonly errors: FileIssue[];
}

/** {@link ParsedResponses} with the valid rows by column, as scoring reads them (no object per response). */
export interface ParsedResponseTable extends Omit<ParsedResponses, "responses"> {
  readonly table: ResponseTable;
}

/** Options of {@link parseResponsesCsv}. */
export interface ResponsesCsvOptions {
  /** IANA time zone of times written without an offset; default Asia/Ho_Chi_Minh. */
  readonly timezone?: string;
}

type CellResult = { readonly ok: true; readonly value: AnswerValue | undefined } | { readonly ok: false; readonly reason: string; readonly problem: Problem };

/** Why a cell was refused (a compiled answer reader returns it instead of a value). */
class Invalid {
  constructor(readonly reason: Problem) {}
}

/** Reads one answer cell: the value, undefined when unanswered, or why it is refused. */
type AnswerReader = (raw: string) => AnswerValue | undefined | Invalid;

/** A question column, compiled once per file. */
interface QuestionColumn {
  readonly id: string;
  /** Cell index in each row. */
  readonly index: number;
  readonly read: AnswerReader;
  /** Its answers by row. */
  readonly values: (AnswerValue | undefined)[];
}

/** A `<id>__seconds` column: the seconds by row, NaN when empty. */
interface SecondsColumn {
  readonly id: string;
  readonly column: string;
  readonly index: number;
  readonly values: number[];
}

/** A question whose showIf or required flag is checked once the row's answers are read. */
interface CheckedQuestion {
  readonly id: string;
  readonly question: Question;
  readonly condition: Questionnaire["questions"][number]["condition"];
}

/**
 * Reads a responses file (SURVEY-FORMAT 4) and checks every row against the questionnaire.
 * Each rejected row comes with its line and every reason; the caller decides whether rejected
 * rows stop the import (they should, unless the user asked to skip them).
 *
 * One pass over the text: each record is checked as csv-parse yields it (no table of records is
 * built), with per-question readers compiled once per file, so a national file (50,000 × 40) costs
 * little more than parsing its CSV. {@link readResponsesFile} does the same streamed from a file.
 */
export function parseResponsesCsv(source: string | Uint8Array, questionnaire: Questionnaire, options: ResponsesCsvOptions = {}): ParsedResponses {
  const zone = options.timezone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(zone)) return withObjects(failed(unknownZone(zone)));
  const decoded = decodeUtf8(source);
  if (!decoded.ok) return withObjects(failed(decoded.issue));
  const text = decoded.text;
  const collector = new ResponsesCollector(questionnaire, zone);
  return withObjects(collector.result(scanCsv(text, detectDelimiter(text), collector.record)));
}

/**
 * {@link parseResponsesCsv} streamed from a file: one pass, a chunk of the file in memory at a time
 * besides the responses read. File-system errors (a missing file) are thrown.
 */
export async function readResponsesFile(path: string, questionnaire: Questionnaire, options: ResponsesCsvOptions = {}): Promise<ParsedResponses> {
  return withObjects(await readResponsesTable(path, questionnaire, options));
}

/**
 * {@link readResponsesFile} keeping the valid rows by column, as `khaosat score` passes them to
 * scoring: a national file then costs a few dozen arrays, not an object per response.
 */
export async function readResponsesTable(path: string, questionnaire: Questionnaire, options: ResponsesCsvOptions = {}): Promise<ParsedResponseTable> {
  const zone = options.timezone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(zone)) return failed(unknownZone(zone));
  const collector = new ResponsesCollector(questionnaire, zone);
  return collector.result(await scanCsvFile(path, collector.record));
}

const failed = (issue: FileIssue): ParsedResponseTable => nothingRead([issue]);
const nothingRead = (errors: FileIssue[]): ParsedResponseTable => ({ table: ResponseTable.of([]), rejected: [], warnings: [], errors });

/** The valid rows as response objects, for the callers that keep or store them. */
function withObjects({ table, ...rest }: ParsedResponseTable): ParsedResponses {
  return { responses: table.toResponses(), ...rest };
}
const unknownZone = (zone: string): FileIssue => ({ message: `unknown time zone "${zone}" (use an IANA name such as Asia/Ho_Chi_Minh)` });

/** Takes the records of a responses file as the CSV pass yields them: the header, then each row. */
class ResponsesCollector {
  private reader: RowReader | undefined;
  private headerErrors: FileIssue[] | undefined;

  constructor(
    private readonly questionnaire: Questionnaire,
    private readonly zone: string,
  ) {}

  readonly record = (cells: string[], line: number): void => {
    if (this.reader) this.reader.row(cells, line);
    else if (this.headerErrors === undefined) {
      const columns = cells.map((c) => c.trim());
      const errors = checkHeader(columns, this.questionnaire, line);
      if (errors.length > 0) this.headerErrors = errors;
      else this.reader = new RowReader(columns, this.questionnaire, this.zone, line);
    }
    // After a bad header the rest is only scanned, for a quoting problem (reported first, as it always was).
  };

  /** What the file yields, once the CSV pass ended (with the problem that stopped it, if any). */
  result(issue: FileIssue | undefined): ParsedResponseTable {
    if (issue) return failed(issue);
    if (this.headerErrors) return nothingRead(this.headerErrors);
    const reader = this.reader;
    if (!reader) return failed(keyed(p("empty", { columns: RESPONSE_COLUMNS.join(",") })));
    if (reader.neededColumns.size > 0) {
      // A required question under a condition, without a column: one error about the header, saying where it is asked.
      const where = [...reader.neededColumns].map(([id, n]) => p("askedOn", { id, count: n.rows, line: n.line }));
      return failed(keyed(p("missingAsked", { missing: missingColumns([...reader.neededColumns.keys()]), where }), reader.headerLine));
    }
    return { table: reader.table(), rejected: reader.rejected, warnings: reader.warnings, errors: [] };
  }
}

/**
 * Checks the rows of one file against its header and the questionnaire, keeping the valid ones by
 * column ({@link ResponseTable}). A row's values go into slot `count` of every column while it is
 * checked; only a valid row moves `count` on, so a rejected row's values are overwritten by the next.
 */
class RowReader {
  readonly rejected: RejectedRow[] = [];
  readonly warnings: RowWarning[] = [];
  /** Required questions under a condition that have no column: rows where the condition holds, and the first. */
  readonly neededColumns = new Map<string, { rows: number; line: number }>();
  private readonly missingColumns = new Set<string>();
  private readonly firstLineOf = new Map<string, number>();
  private readonly width: number;
  private readonly idAt: number;
  private readonly unitAt: number;
  private readonly groupAt: number;
  private readonly startedAt: number;
  private readonly submittedAt: number;
  private readonly groups: readonly string[] | undefined;
  private readonly groupList: string;
  private readonly questionColumns: QuestionColumn[] = [];
  /** The optional `<id>__seconds` columns present in the file. */
  private readonly secondsColumns: SecondsColumn[] = [];
  private readonly checked: CheckedQuestion[] = [];
  private readonly cellOf = new Map<string, number>();
  private readonly names = new Map<string, string>();
  /** The answers of each question with a column, by row. */
  private readonly answersOf = new Map<string, (AnswerValue | undefined)[]>();
  private readonly lookup: (qid: string) => ReturnType<typeof operandOf>;
  /** Rows kept so far: the slot the row being checked writes to. */
  private count = 0;
  private readonly ids: string[] = [];
  private readonly units: string[] = [];
  private readonly groupsOf: string[] = [];
  private readonly started: number[] = [];
  private readonly submitted: number[] = [];
  /** The row being checked's problems (one array reused for every row). */
  private readonly reasons: Problem[] = [];

  constructor(
    columns: readonly string[],
    private readonly questionnaire: Questionnaire,
    private readonly zone: string,
    readonly headerLine: number,
  ) {
    this.width = columns.length;
    columns.forEach((name, i) => this.cellOf.set(name, i));
    const at = (name: string): number => this.cellOf.get(name) ?? -1;
    this.idAt = at("response_id");
    this.unitAt = at("subject_unit");
    this.groupAt = at("group");
    this.startedAt = at("started_at");
    this.submittedAt = at("submitted_at");
    this.groups = questionnaire.definition.groups?.map((g) => g.id);
    this.groupList = this.groups?.join(", ") ?? "";
    const missing: string[] = [];
    for (const info of questionnaire.questions) {
      const id = info.question.id;
      const index = this.cellOf.get(id);
      if (index === undefined) missing.push(id);
      else {
        const values: (AnswerValue | undefined)[] = [];
        this.answersOf.set(id, values);
        this.questionColumns.push({ id, index, read: answerReader(info.question), values });
      }
      const secondsIndex = this.cellOf.get(`${id}${SECONDS_SUFFIX}`);
      if (secondsIndex !== undefined) this.secondsColumns.push({ id, column: `${id}${SECONDS_SUFFIX}`, index: secondsIndex, values: [] });
      if (info.condition !== undefined || info.question.required) this.checked.push({ id, question: info.question, condition: info.condition });
    }
    for (const id of missing) this.missingColumns.add(id);
    if (missing.length > 0) this.warnings.push(keyed(p("noColumn", { ids: missing.join(", ") }), headerLine) as RowWarning);
    const byId = questionnaire.byId;
    this.lookup = (qid) => {
      const q = byId.get(qid);
      return q ? operandOf(q.question, this.answer(qid)) : undefined;
    };
  }

  /** The answer to `id` of the row being checked. */
  private answer(id: string): AnswerValue | undefined {
    return this.answersOf.get(id)?.[this.count];
  }

  /** The valid rows read, by column. */
  table(): ResponseTable {
    const n = this.count;
    const answers = new Map<string, AnswerColumn>();
    for (const column of this.questionColumns) {
      // The slot past the last valid row may hold a rejected row's values.
      column.values.length = n;
      answers.set(column.id, column.values);
    }
    const seconds = new Map<string, Float64Array>();
    for (const column of this.secondsColumns) seconds.set(column.id, Float64Array.from(column.values.slice(0, n)));
    return ResponseTable.fromColumns({
      length: n,
      ids: this.ids,
      units: this.units,
      groups: this.groupsOf,
      startedAt: Float64Array.from(this.started),
      submittedAt: Float64Array.from(this.submitted),
      answers,
      seconds,
    });
  }

  /**
   * One string per distinct unit or group name: 50,000 responses over a few hundred units keep a few
   * hundred strings, each hashed once for every Map keyed by unit downstream.
   */
  private shared(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }

  private cell(cells: readonly string[], index: number): string {
    return index < 0 ? "" : (cells[index] ?? "");
  }

  row(cells: readonly string[], line: number): void {
    // Rows with nothing in them are the empty lines Excel leaves below a table, not responses.
    let blank = true;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      if (c !== "" && c.trim() !== "") {
        blank = false;
        break;
      }
    }
    if (blank) return;
    const id = this.cell(cells, this.idAt).trim();
    if (cells.length !== this.width) {
      this.reject(line, id, [p("cells", { cells: cells.length, columns: this.width })]);
      return;
    }
    const reasons = this.reasons;
    reasons.length = 0;
    if (!id) reasons.push(p("idEmpty"));
    else {
      const first = this.firstLineOf.get(id);
      if (first !== undefined) reasons.push(p("duplicateId", { id, first }));
      else this.firstLineOf.set(id, line);
    }
    const unit = this.shared(this.cell(cells, this.unitAt).trim());
    if (!unit) reasons.push(p("unitEmpty"));
    const group = this.shared(this.cell(cells, this.groupAt).trim());
    const groups = this.groups;
    if (groups) {
      if (!group) reasons.push(p("groupEmpty", { groups: this.groupList }));
      else if (!groups.includes(group)) reasons.push(p("unknownGroup", { group, suggestion: hint(group, groups), groups: this.groupList }));
    }
    const startedText = this.cell(cells, this.startedAt);
    const submittedText = this.cell(cells, this.submittedAt);
    const startedAt = readTime("started_at", startedText, this.zone, reasons);
    const submittedAt = readTime("submitted_at", submittedText, this.zone, reasons);
    if (startedAt !== undefined && submittedAt !== undefined && submittedAt < startedAt) {
      reasons.push(p("submittedBeforeStarted", { submitted: submittedText.trim(), started: startedText.trim() }));
    }

    const slot = this.count;
    let cellsValid = true;
    const columns = this.questionColumns;
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k]!;
      const value = column.read(cells[column.index]!);
      if (value instanceof Invalid) {
        reasons.push(p("answer", { id: column.id, reason: value.reason }));
        cellsValid = false;
        column.values[slot] = undefined;
      } else column.values[slot] = value;
    }

    this.readSeconds(cells, reasons, slot);

    let rowWarnings: RowWarning[] | undefined;
    // Conditions are only meaningful over answers that parsed; otherwise the row is rejected anyway.
    if (cellsValid) {
      for (const { id, question, condition } of this.checked) {
        const shown = condition === undefined || evaluateCondition(condition, this.lookup);
        if (!shown) {
          if (this.answer(id) !== undefined) {
            (rowWarnings ??= []).push(keyed(p("discarded", { id, answer: this.cell(cells, this.cellOf.get(id) ?? -1).trim(), showIf: question.showIf ?? "" }), line) as RowWarning);
            this.answersOf.get(id)![slot] = undefined;
          }
        } else if (question.required && this.answer(id) === undefined) {
          if (this.missingColumns.has(id)) {
            const needed = this.neededColumns.get(id);
            this.neededColumns.set(id, { rows: (needed?.rows ?? 0) + 1, line: needed?.line ?? line });
            continue;
          }
          reasons.push(condition ? p("requiredMissingShown", { id, showIf: question.showIf ?? "" }) : p("requiredMissing", { id }));
        }
      }
    }

    if (reasons.length > 0) {
      this.reject(line, id, reasons);
      return;
    }
    if (rowWarnings) this.warnings.push(...rowWarnings);
    this.ids[slot] = id;
    this.units[slot] = unit;
    this.groupsOf[slot] = group;
    this.started[slot] = startedAt ?? Number.NaN;
    this.submitted[slot] = submittedAt ?? Number.NaN;
    this.count = slot + 1;
  }

  /** The `<id>__seconds` cells of a row: a number of seconds ≥ 0 (decimal point or comma), or empty (NaN). */
  private readSeconds(cells: readonly string[], reasons: Problem[], slot: number): void {
    for (const { column, index, values } of this.secondsColumns) {
      const text = cells[index]!.trim();
      values[slot] = Number.NaN;
      if (text === "") continue;
      const n = readNumber(text);
      if (n === undefined || !Number.isFinite(n) || n < 0) reasons.push(p("seconds", { column, text }));
      else values[slot] = n;
    }
  }

  private reject(line: number, id: string, reasons: readonly Problem[]): void {
    this.rejected.push({ line, ...(id ? { responseId: id } : {}), reason: englishJoined(reasons), problems: [...reasons] });
  }
}

function missingColumns(ids: readonly string[]): Problem {
  return p("missingRequired", { count: ids.length, ids: ids.join(", ") });
}

function checkHeader(columns: readonly string[], questionnaire: Questionnaire, line: number): FileIssue[] {
  const errors: FileIssue[] = [];
  // A required question without a column is one error about the header, not one per row (issue 11 item 11).
  const missingRequired = questionnaire.questions.filter((q) => q.question.required && q.condition === undefined && !columns.includes(q.question.id)).map((q) => q.question.id);

  const known = [...RESPONSE_COLUMNS, RESPONSE_CHANNEL_COLUMN, ...RESPONSE_IDENTITY_COLUMNS, ...questionnaire.questions.flatMap((q) => [q.question.id, `${q.question.id}${SECONDS_SUFFIX}`])];
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === "") errors.push(keyed(p("columnNoName", { column: i + 1 }), line));
    else if (seen.has(name)) errors.push(keyed(p("columnTwice", { name }), line));
    else if (!known.includes(name)) {
      errors.push(keyed(p("unknownColumn", { name, questionnaire: `${questionnaire.id} v${questionnaire.version}`, suggestion: hint(name, known.filter((k) => !columns.includes(k))) }), line));
    }
    seen.add(name);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) errors.push(keyed(p("missingColumn", { name: required, columns: REQUIRED_COLUMNS.join(", ") }), line));
  }
  if (errors.length === 0 && missingRequired.length > 0) errors.push(keyed(missingColumns(missingRequired), line));
  return errors;
}

function readTime(column: string, raw: string, zone: string, reasons: Problem[]): number | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const ms = parseIsoTime(text, zone);
  if (ms === undefined) reasons.push(p("time", { column, text }));
  return ms;
}

const NUMBER = /^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$/;

/** Reads a number cell; a decimal comma ("3,5") is accepted since Vietnamese forms use it. */
function readNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text.replace(",", ".")) : undefined;
}

/**
 * Option ids, each mapped to the questionnaire's own string: answers keep that one string rather than
 * the cell's copy, so 50,000 rows hold no copies of "1" to "5" (less to keep and to collect).
 */
function optionIds(options: readonly { readonly id: string }[]): Map<string, string> {
  return new Map(options.map((o) => [o.id, o.id]));
}

/** The option ids of one character (no surrounding space), by character code (ASCII only). */
function oneCharacterIds(ids: ReadonlyMap<string, string>): (string | undefined)[] {
  const table: (string | undefined)[] = new Array<string | undefined>(128).fill(undefined);
  for (const id of ids.values()) if (id.length === 1 && id.charCodeAt(0) < 128 && id.trim() === id) table[id.charCodeAt(0)] = id;
  return table;
}

/**
 * The usual multi cell, one-character option ids joined by "|" ("1|3|x"), read without splitting:
 * the chosen ids when the cell is exactly that and valid, else undefined (the general reader decides).
 */
function oneCharacterChoices(raw: string, byCode: readonly (string | undefined)[], min: number, max: number): string[] | undefined {
  if ((raw.length & 1) === 0) return undefined;
  const chosen: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (i > 0 && raw.charCodeAt(i - 1) !== 124 /* | */) return undefined;
    const id = byCode[raw.charCodeAt(i)];
    if (id === undefined || chosen.includes(id)) return undefined;
    chosen.push(id);
  }
  return chosen.length < min || chosen.length > max ? undefined : chosen;
}

/** Parses one answer cell for `question`; an empty cell is unanswered. */
export function parseAnswer(question: Question, raw: string): CellResult {
  const value = answerReader(question)(raw);
  return value instanceof Invalid ? { ok: false, reason: englishText(value.reason), problem: value.reason } : { ok: true, value };
}

/** NFC may expand a string, by at most 3 code points per code unit (UAX #15); below this a text cell cannot be too long. */
const NFC_EXPANSION = 3;

/** Most distinct multi cells a reader keeps to share (hostile files could hold many more). */
const SHARED_CHOICES = 4096;

/** Compiles the cell reader of one question: option sets and messages are built once, not per cell. */
function answerReader(question: Question): AnswerReader {
  switch (question.type) {
    case "text": {
      const max = question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
      return (raw) => {
        if (raw.trim() === "") return undefined;
        if (raw.length * NFC_EXPANSION <= max) return raw;
        const length = [...raw.normalize("NFC")].length;
        return length > max ? new Invalid(p("cell.tooLong", { length, max })) : raw;
      };
    }
    case "single": {
      const ids = optionIds(question.options);
      const list = [...ids.keys()].join(", ");
      const byCode = oneCharacterIds(ids);
      return (raw) => {
        // The usual cell is a one-character option id: found by its character code, no hashing.
        if (raw.length === 1) {
          const id = byCode[raw.charCodeAt(0)];
          if (id !== undefined) return id;
        }
        const text = raw.trim();
        if (text === "") return undefined;
        return ids.get(text) ?? new Invalid(p("cell.notOption", { text, list }));
      };
    }
    case "multi": {
      const ids = optionIds(question.options);
      const list = [...ids.keys()].join(", ");
      const min = question.minSelect ?? 1;
      const max = question.maxSelect ?? ids.size;
      const byCode = oneCharacterIds(ids);
      // The usual cells ("1|3") repeat across rows: each is read once and its list shared, frozen
      // (a national file holds a few hundred distinct lists, not 400,000 copies).
      const seen = new Map<string, readonly string[]>();
      return (raw) => {
        const known = seen.get(raw);
        if (known !== undefined) return known;
        const quick = oneCharacterChoices(raw, byCode, min, max);
        if (quick !== undefined) {
          if (seen.size < SHARED_CHOICES) seen.set(raw, Object.freeze(quick));
          return quick;
        }
        const text = raw.trim();
        if (text === "") return undefined;
        const chosen: string[] = [];
        for (const piece of text.split("|")) {
          const part = piece.trim();
          if (part === "") return new Invalid(p("cell.emptyOption", { text }));
          const id = ids.get(part);
          if (id === undefined) return new Invalid(p("cell.notOption", { text: part, list }));
          if (chosen.includes(id)) return new Invalid(p("cell.chosenTwice", { text: part }));
          chosen.push(id);
        }
        if (chosen.length < min) return new Invalid(p("cell.tooFew", { count: chosen.length, min }));
        if (chosen.length > max) return new Invalid(p("cell.tooMany", { count: chosen.length, max }));
        return chosen;
      };
    }
    case "scale": {
      const expected = p(question.allowNotApplicable ? "cell.scaleNa" : "cell.scale", { min: question.min, max: question.max, na: NOT_APPLICABLE });
      return (raw) => {
        const text = raw.trim();
        if (text === "") return undefined;
        if (text.toLowerCase() === NOT_APPLICABLE) {
          return question.allowNotApplicable ? NOT_APPLICABLE : new Invalid(p("cell.naNotAllowed", { text }));
        }
        const n = readNumber(text);
        if (n === undefined || !Number.isInteger(n)) return new Invalid(p("cell.notScale", { text, expected }));
        if (n < question.min || n > question.max) return new Invalid(p("cell.outOfRange", { n, expected }));
        return n;
      };
    }
    case "number":
      return (raw) => {
        const text = raw.trim();
        if (text === "") return undefined;
        const n = readNumber(text);
        if (n === undefined || !Number.isFinite(n)) return new Invalid(p("cell.notNumber", { text }));
        if (question.integer && !Number.isInteger(n)) return new Invalid(p("cell.notWhole", { n }));
        if (question.min !== undefined && n < question.min) return new Invalid(p("cell.belowMin", { n, min: question.min }));
        if (question.max !== undefined && n > question.max) return new Invalid(p("cell.aboveMax", { n, max: question.max }));
        return n;
      };
  }
}

/** Options of {@link writeResponsesCsv}. */
export interface WriteResponsesOptions {
  /** Time zone the times are written in (with their offset, so any reader gets the same instant). */
  readonly timezone?: string;
  /** Identity cells of each response ({@link RESPONSE_IDENTITY_COLUMNS}); when absent those columns are not written. */
  readonly identities?: (response: ScoringResponse) => readonly string[];
  /** The channel of each response ({@link RESPONSE_CHANNEL_COLUMN}); when absent that column is not written. */
  readonly channel?: (response: ScoringResponse) => string;
  /** Write the per-question time columns (default: when some of `responses` has times; a streamed export decides up front). */
  readonly timed?: boolean;
  /** Start with the header row (default true; false for the later pages of a streamed export). */
  readonly header?: boolean;
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
  const timed = options.timed ?? responses.some((r) => r.seconds !== undefined && Object.keys(r.seconds).length > 0);
  const channel = options.channel;
  const rows: string[][] =
    options.header === false
      ? []
      : [[...RESPONSE_COLUMNS, ...(channel ? [RESPONSE_CHANNEL_COLUMN] : []), ...(identities ? RESPONSE_IDENTITY_COLUMNS : []), ...questions, ...(timed ? questions.map((id) => `${id}${SECONDS_SUFFIX}`) : [])]];
  for (const r of responses) {
    rows.push([
      r.id,
      r.unit,
      r.group,
      r.startedAt === undefined ? "" : formatIsoTime(r.startedAt, zone),
      r.submittedAt === undefined ? "" : formatIsoTime(r.submittedAt, zone),
      ...(channel ? [channel(r)] : []),
      ...(identities ? RESPONSE_IDENTITY_COLUMNS.map((_, i) => identities(r)[i] ?? "") : []),
      ...questions.map((id) => {
        const value = r.answers[id];
        if (value === undefined) return "";
        return Array.isArray(value) ? value.join("|") : String(value);
      }),
      ...(timed ? questions.map((id) => (r.seconds?.[id] === undefined ? "" : String(Math.round(r.seconds[id]! * 10) / 10))) : []),
    ]);
  }
  if (rows.length === 0) return "";
  return writeCsv(rows);
}
