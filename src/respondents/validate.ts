// Row-by-row validation of a respondents table against the campaign's questionnaire. Every problem
// is reported with its line, so the organiser can fix the whole file in one go.
import type { Questionnaire } from "../questionnaire/index.js";
import type { RespondentInput } from "../db/index.js";
import type { Table, TableRow, TableSink } from "./read.js";
import { englishJoined, type Problem, type ProblemParam } from "../i18n/problem.js";

/** Columns of the respondents file. */
export const RESPONDENT_COLUMNS = ["external_id", "full_name", "unit", "unit_name", "group", "language", "phone", "email", "subject_units", "coordinator"] as const;
type Column = (typeof RESPONDENT_COLUMNS)[number];
const REQUIRED: readonly Column[] = ["external_id", "full_name", "unit", "unit_name", "group"];

/** A problem with one line (or with the header, line of the header). */
export interface RowProblem {
  readonly line: number;
  /** In English (the CLI's words): the problems joined with "; ". */
  readonly message: string;
  /** The same problems by key of the `problems` namespace, for a reader of another language. */
  readonly problems?: readonly Problem[];
}

/** A row problem from keyed problems; the message is their English text. */
function rowProblem(line: number, problems: readonly Problem[]): RowProblem {
  return { line, message: englishJoined(problems), problems };
}

const p = (key: string, params: Record<string, ProblemParam> = {}): Problem => ({ key: `respondents.${key}`, params });

/** The outcome of validating a table. */
export interface ValidatedTable {
  /** Rows that passed, in file order. */
  readonly valid: readonly RespondentInput[];
  /** One entry per bad row (all of its problems joined), in line order. */
  readonly errors: readonly RowProblem[];
  readonly warnings: readonly RowProblem[];
  /** The whole file is unusable (header problems): nothing can be imported even with --skip-invalid. */
  readonly fatal: boolean;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9][0-9 .()-]{5,19}$/;
const YES = new Set(["yes", "y", "true", "1", "x", "có", "co"]);
const NO = new Set(["", "no", "n", "false", "0", "không", "khong"]);

/** Validates a table in memory; see `RespondentValidator` for the streamed form. */
export function validateRespondents(table: Table, questionnaire: Questionnaire, knownUnits: ReadonlySet<string> = new Set()): ValidatedTable {
  const validator = new RespondentValidator(questionnaire, knownUnits);
  validator.header(table.header, table.headerLine);
  for (const row of table.rows) validator.row(row);
  return validator.finish();
}

/**
 * Validates respondents row by row as a file is read, keeping only the compact records, the first
 * line of each external id and unit, and the problems (a row whose external id the campaign already
 * has is an update, not a duplicate). `knownUnits`: unit codes the campaign already has.
 */
export class RespondentValidator implements TableSink {
  readonly #questionnaire: Questionnaire;
  readonly #knownUnits: ReadonlySet<string>;
  readonly #groups: readonly string[] | undefined;
  readonly #index = new Map<string, number>();
  readonly #firstLine = new Map<string, number>();
  readonly #unitNames = new Map<string, { name: string; line: number }>();
  readonly #valid: { record: RespondentInput; line: number }[] = [];
  readonly #errors: RowProblem[] = [];
  readonly #warnings: RowProblem[] = [];
  #fatal = false;
  #headerSeen = false;

  constructor(questionnaire: Questionnaire, knownUnits: ReadonlySet<string> = new Set()) {
    this.#questionnaire = questionnaire;
    this.#knownUnits = knownUnits;
    this.#groups = questionnaire.definition.groups?.map((g) => g.id);
  }

  /** The header row: decides which column is which. */
  header(header: readonly string[], line: number): void {
    this.#headerSeen = true;
    const normalized = header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
    const headerErrors: Problem[] = [];
    normalized.forEach((name, i) => {
      if (name === "") return;
      if (this.#index.has(name)) headerErrors.push(p("columnTwice", { column: header[i]! }));
      else this.#index.set(name, i);
      if (!(RESPONDENT_COLUMNS as readonly string[]).includes(name)) this.#warnings.push(rowProblem(line, [p("columnUnused", { column: header[i]! })]));
    });
    const missing = REQUIRED.filter((c) => !this.#index.has(c));
    if (missing.length > 0) headerErrors.push(p("missingColumns", { count: missing.length, columns: missing.join(", ") }));
    if (headerErrors.length > 0) {
      this.#fatal = true;
      this.#errors.push(rowProblem(line, [p("header", { problems: headerErrors, columns: RESPONDENT_COLUMNS.join(", ") })]));
    }
  }

  /** One data row: becomes a compact record or a problem at once. */
  row(row: TableRow): void {
    if (this.#fatal || !this.#headerSeen) return;
    const questionnaire = this.#questionnaire;
    const groups = this.#groups;
    const languages = questionnaire.languages;
    const cellProblem = (c: Column) => {
      const i = this.#index.get(c);
      if (i === undefined) return undefined;
      const text = row.cellProblems?.get(i);
      return text === undefined ? undefined : (row.cellIssues?.get(i) ?? { key: "respondents.plain", params: { text } });
    };
    const get = (c: Column) => {
      const i = this.#index.get(c);
      return i === undefined ? "" : (row.cells[i] ?? "").trim();
    };
    if (RESPONDENT_COLUMNS.every((c) => get(c) === "" && cellProblem(c) === undefined)) return;
    const problems: Problem[] = [];
    for (const c of RESPONDENT_COLUMNS) {
      const problem = cellProblem(c);
      if (problem !== undefined) problems.push(p("cell", { column: c, problem }));
      else if (get(c) === "" && REQUIRED.includes(c)) problems.push(p("empty", { column: c }));
    }

    const externalId = get("external_id");
    if (externalId !== "") {
      const first = this.#firstLine.get(externalId);
      if (first !== undefined) problems.push(p("duplicateId", { id: externalId, first }));
      else this.#firstLine.set(externalId, row.line);
    }
    const unit = get("unit");
    if (unit !== "" && !CODE.test(unit)) problems.push(p("badUnit", { unit }));
    const unitName = get("unit_name");
    if (unit !== "" && unitName !== "") {
      const seen = this.#unitNames.get(unit);
      if (!seen) this.#unitNames.set(unit, { name: unitName, line: row.line });
      else if (seen.name !== unitName) problems.push(p("unitNamedTwice", { unit, name: unitName, other: seen.name, line: seen.line }));
    }
    const group = get("group");
    if (group !== "" && groups && !groups.includes(group)) problems.push(p("unknownGroup", { group, groups: groups.join(", ") }));
    const language = get("language").toLowerCase() || questionnaire.defaultLanguage;
    if (!languages.includes(language)) problems.push(p("badLanguage", { language: get("language"), languages: [...languages], default: questionnaire.defaultLanguage }));
    let phone = get("phone");
    // Excel turns 0912345678 typed into a number cell into 912345678; Vietnamese numbers have 10 digits.
    if (/^[1-9]\d{8}$/.test(phone)) {
      this.#warnings.push(rowProblem(row.line, [p("phoneZero", { phone })]));
      phone = `0${phone}`;
    }
    if (phone !== "" && !PHONE.test(phone)) problems.push(p("badPhone", { phone }));
    const email = get("email");
    if (email !== "" && !EMAIL.test(email)) problems.push(p("badEmail", { email }));
    const subjectUnits = get("subject_units")
      .split("|")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    for (const s of subjectUnits) if (!CODE.test(s)) problems.push(p("badSubjectUnit", { unit: s }));
    if (new Set(subjectUnits).size !== subjectUnits.length) problems.push(p("subjectUnitTwice"));
    const coordinatorText = get("coordinator").toLowerCase();
    if (!YES.has(coordinatorText) && !NO.has(coordinatorText)) problems.push(p("badCoordinator", { value: get("coordinator") }));

    if (problems.length > 0) {
      this.#errors.push(rowProblem(row.line, problems));
      return;
    }
    this.#valid.push({
      line: row.line,
      record: {
        externalId,
        fullName: get("full_name").normalize("NFC"),
        unitCode: unit,
        unitName: unitName.normalize("NFC"),
        groupId: group,
        language,
        phone: phone === "" ? null : phone,
        email: email === "" ? null : email,
        subjectUnits,
        coordinator: YES.has(coordinatorText),
      },
    });
  }

  /** The outcome, once every row has been seen: a subject unit may be defined on a later line. */
  finish(): ValidatedTable {
    if (!this.#headerSeen) throw new Error("bug: RespondentValidator.finish before a header");
    if (this.#fatal) return { valid: [], errors: this.#errors, warnings: this.#warnings, fatal: true };
    const valid: RespondentInput[] = [];
    const late: RowProblem[] = [];
    for (const { record, line } of this.#valid) {
      const unknown = record.subjectUnits.filter((u) => !this.#unitNames.has(u) && !this.#knownUnits.has(u));
      if (unknown.length === 0) valid.push(record);
      else late.push(rowProblem(line, [p("unknownSubjectUnits", { count: unknown.length, units: unknown.join(", ") })]));
    }
    const errors = late.length === 0 ? this.#errors : [...this.#errors, ...late].sort((a, b) => a.line - b.line);
    return { valid, errors, warnings: this.#warnings, fatal: false };
  }
}
