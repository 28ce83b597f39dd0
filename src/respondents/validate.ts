// Row-by-row validation of a respondents table against the campaign's questionnaire. Every problem
// is reported with its line, so the organiser can fix the whole file in one go.
import type { Questionnaire } from "../questionnaire/index.js";
import type { RespondentInput } from "../db/index.js";
import type { Table } from "./read.js";

/** Columns of the respondents file. */
export const RESPONDENT_COLUMNS = ["external_id", "full_name", "unit", "unit_name", "group", "language", "phone", "email", "subject_units", "coordinator"] as const;
type Column = (typeof RESPONDENT_COLUMNS)[number];
const REQUIRED: readonly Column[] = ["external_id", "full_name", "unit", "unit_name", "group"];

/** A problem with one line (or with the header, line of the header). */
export interface RowProblem {
  readonly line: number;
  readonly message: string;
}

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

/** Validates a table (a row whose external id the campaign already has is an update, not a duplicate). */
export function validateRespondents(table: Table, questionnaire: Questionnaire): ValidatedTable {
  const warnings: RowProblem[] = [];
  const normalized = table.header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
  const index = new Map<string, number>();
  const headerErrors: string[] = [];
  normalized.forEach((name, i) => {
    if (name === "") return;
    if (index.has(name)) headerErrors.push(`column "${table.header[i]}" appears twice`);
    else index.set(name, i);
    if (!(RESPONDENT_COLUMNS as readonly string[]).includes(name)) warnings.push({ line: table.headerLine, message: `column "${table.header[i]}" is not used (ignored)` });
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) headerErrors.push(`missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  if (headerErrors.length > 0) {
    return {
      valid: [],
      errors: [{ line: table.headerLine, message: `header: ${headerErrors.join("; ")} (expected columns: ${RESPONDENT_COLUMNS.join(", ")})` }],
      warnings,
      fatal: true,
    };
  }

  const groups = questionnaire.definition.groups?.map((g) => g.id);
  const languages = questionnaire.languages;
  const firstLine = new Map<string, number>();
  const unitNames = new Map<string, { name: string; line: number }>();
  const valid: RespondentInput[] = [];
  const errors: RowProblem[] = [];

  for (const row of table.rows) {
    const get = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? "" : (row.cells[i] ?? "").trim();
    };
    if (RESPONDENT_COLUMNS.every((c) => get(c) === "")) continue;
    const problems: string[] = [];
    for (const c of REQUIRED) if (get(c) === "") problems.push(`${c} is empty`);

    const externalId = get("external_id");
    if (externalId !== "") {
      const first = firstLine.get(externalId);
      if (first !== undefined) problems.push(`external_id ${externalId} is a duplicate (first on line ${first})`);
      else firstLine.set(externalId, row.line);
    }
    const unit = get("unit");
    if (unit !== "" && !CODE.test(unit)) problems.push(`unit "${unit}" must be a code of letters, digits, "_", "." or "-" (e.g. SO_TP)`);
    const unitName = get("unit_name");
    if (unit !== "" && unitName !== "") {
      const seen = unitNames.get(unit);
      if (!seen) unitNames.set(unit, { name: unitName, line: row.line });
      else if (seen.name !== unitName) problems.push(`unit ${unit} is named "${unitName}" here but "${seen.name}" on line ${seen.line}`);
    }
    const group = get("group");
    if (group !== "" && groups && !groups.includes(group)) problems.push(`unknown group "${group}" (the questionnaire's groups: ${groups.join(", ")})`);
    const language = get("language").toLowerCase() || questionnaire.defaultLanguage;
    if (!languages.includes(language)) problems.push(`bad language "${get("language")}" (use ${languages.join(" or ")}, or leave it empty for ${questionnaire.defaultLanguage})`);
    let phone = get("phone");
    // Excel turns 0912345678 typed into a number cell into 912345678; Vietnamese numbers have 10 digits.
    if (/^[1-9]\d{8}$/.test(phone)) {
      warnings.push({ line: row.line, message: `phone ${phone} read as 0${phone} (the leading 0 was lost in a number cell)` });
      phone = `0${phone}`;
    }
    if (phone !== "" && !PHONE.test(phone)) problems.push(`phone "${phone}" is not a phone number`);
    const email = get("email");
    if (email !== "" && !EMAIL.test(email)) problems.push(`email "${email}" is not an e-mail address`);
    const subjectUnits = get("subject_units")
      .split("|")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    for (const s of subjectUnits) if (!CODE.test(s)) problems.push(`subject unit "${s}" must be a unit code (units joined by "|")`);
    if (new Set(subjectUnits).size !== subjectUnits.length) problems.push("subject_units lists a unit twice");
    const coordinatorText = get("coordinator").toLowerCase();
    if (!YES.has(coordinatorText) && !NO.has(coordinatorText)) problems.push(`coordinator "${get("coordinator")}" must be yes or no`);

    if (problems.length > 0) {
      errors.push({ line: row.line, message: problems.join("; ") });
      continue;
    }
    valid.push({
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
    });
  }
  return { valid, errors, warnings, fatal: false };
}
