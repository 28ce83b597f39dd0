// XLSForm (survey, choices, settings sheets, plus khaosat's scoring columns and sheet) to a
// questionnaire: the sheets become the same data a YAML file holds, which then goes through the
// YAML loader itself, so every rule of the format holds and every error names sheet, row and column.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import { parseCondition, type Condition } from "../../conditions/index.js";
import { parseQuestionnaire, type QuestionnaireIssue } from "../load.js";
import type { Questionnaire } from "../model.js";
import { closest } from "../paths.js";
import { questionnaireProblem, said } from "../problem.js";
import { englishText, type Problem, type ProblemParam } from "../../i18n/problem.js";
import { acknowledgeLabels, languageCode } from "./languages.js";
import { printCondition, translateRelevant, type RefInfo } from "./relevant.js";
import { readWorkbook, type CellProblem, type Sheet, type SheetRow } from "./workbook.js";
import { parseXPath, XPathError, type XNode } from "./xpath.js";

/** The outcome of importing an XLSForm: the questionnaire, its YAML text and warnings, or every error. */
export type XlsformImportResult =
  | { readonly ok: true; readonly questionnaire: Questionnaire; readonly yaml: string; readonly warnings: readonly QuestionnaireIssue[] }
  | { readonly ok: false; readonly issues: readonly QuestionnaireIssue[] };

/** Where something is in the workbook. */
interface Loc {
  readonly sheet: string;
  readonly row?: number;
  readonly column?: string;
}

/** The option id a note's or acknowledge's single button stores (XLSForm's acknowledge stores "OK"). */
export const ACKNOWLEDGE_OPTION = "OK";

/** Reads an XLSForm file; a missing or unreadable file is an issue, not an exception. */
export async function importXlsformFile(file: string): Promise<XlsformImportResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? said("load.notFound") : code === "EISDIR" ? said("xlsform.folder") : said("load.unreadable", { detail: error instanceof Error ? error.message : String(error) });
    return { ok: false, issues: [{ file, path: "", ...problem }] };
  }
  return importXlsform(bytes, file);
}

/** Imports XLSForm workbook bytes; `fileName` is used in messages and for a missing form_id. */
export async function importXlsform(bytes: Uint8Array, fileName: string): Promise<XlsformImportResult> {
  const read = await readWorkbook(bytes);
  if (!read.ok) return { ok: false, issues: read.problems.map((p) => toIssue(fileName, p)) };
  return convertSheets(read.sheets, fileName, read.problems);
}

/** Converts sheets already read (tests build them directly) into a questionnaire. */
export function convertSheets(sheets: readonly Sheet[], fileName: string, readProblems: readonly CellProblem[] = []): XlsformImportResult {
  const converter = new Converter(sheets, fileName);
  for (const p of readProblems) if (converter.usesColumn(p.sheet, p.column)) converter.problems.push(p);
  const data = converter.run();
  const own = converter.problems;
  const yaml = stringify(data, { lineWidth: 0, version: "1.2" });
  const loaded = parseQuestionnaire(yaml, fileName);
  const fromLoader = (loaded.ok ? loaded.warnings : loaded.issues).map((issue) => converter.relocate(issue));
  const ownIssues = own.map((p) => toIssue(fileName, p));
  // A cell that already has an error of the import's own gets no second, derived one from the loader.
  const ownErrorAt = new Set(ownIssues.filter((i) => i.severity !== "warning").map((i) => i.path));
  // Rows refused above leave no questions; "needs at least one section" would only repeat that.
  const derived = (i: QuestionnaireIssue): boolean => ownErrorAt.size > 0 && /needs at least one (section|question)/.test(i.message);
  const errors = [...ownIssues.filter((i) => i.severity !== "warning"), ...fromLoader.filter((i) => i.severity !== "warning" && !ownErrorAt.has(i.path) && !derived(i))];
  const warnings = [...ownIssues.filter((i) => i.severity === "warning"), ...fromLoader.filter((i) => i.severity === "warning")];
  if (errors.length > 0 || !loaded.ok) return { ok: false, issues: sortIssues(dedupe(errors)) };
  return { ok: true, questionnaire: loaded.questionnaire, yaml, warnings: sortIssues(warnings) };
}

function dedupe(issues: QuestionnaireIssue[]): QuestionnaireIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SHEET_ORDER = ["settings", "survey", "choices", "scoring"];

function sortIssues(issues: QuestionnaireIssue[]): QuestionnaireIssue[] {
  const key = (i: QuestionnaireIssue): [number, number] => {
    const m = /^(\w+)(?: row (\d+))?/.exec(i.path);
    const sheet = m ? SHEET_ORDER.indexOf(m[1]!) : -1;
    return [sheet < 0 ? (i.path === "" ? -1 : 9) : sheet, m?.[2] ? Number(m[2]) : 0];
  };
  return issues
    .map((issue, index) => ({ issue, index, k: key(issue) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.index - b.index)
    .map((x) => x.issue);
}

/** `survey row 14, column relevant` */
export function formatLoc(loc: Loc): string {
  return `${loc.sheet}${loc.row !== undefined ? ` row ${loc.row}` : ""}${loc.column !== undefined ? `, column ${loc.column}` : ""}`;
}

function toIssue(file: string, p: CellProblem & { warning?: boolean }): QuestionnaireIssue {
  const where = p.sheet !== undefined ? formatLoc({ sheet: p.sheet, ...(p.row !== undefined ? { row: p.row } : {}), ...(p.column !== undefined ? { column: p.column } : {}) }) : "";
  return { file, path: where, message: p.message, ...(p.problem ? { problem: p.problem } : {}), ...(p.warning ? { severity: "warning" as const } : {}) };
}

// ---- columns -----------------------------------------------------------------------------------

interface Column {
  readonly header: string;
  /** Lower-cased name before `::` (`label`, `hint`, `media`, ...). */
  readonly base: string;
  /** Language code for `label::…`-style columns; undefined for plain ones. */
  readonly language?: string;
  readonly spec?: string;
}

function parseHeader(header: string): Column {
  const [first, ...rest] = header.split("::");
  const base = first!.trim().toLowerCase().replace(/\s+/g, "_");
  if (rest.length === 0) return { header, base };
  const spec = rest.join("::").trim();
  if (base === "media" || base === "bind" || base === "body" || base === "instance") return { header, base, spec };
  const language = languageCode(spec);
  return { header, base, spec, ...(language ? { language } : {}) };
}

const TEXT_BASES = new Set(["label", "hint", "constraint_message", "required_message", "guidance_hint", "form_title", "intro", "attestation", "image", "audio", "video", "big-image", "big_image"]);

/** Survey columns ignored with a warning, with the key of the reason given. */
const SURVEY_IGNORED: Readonly<Record<string, string>> = {
  appearance: "xlsform.ignored.appearance",
  media: "xlsform.ignored.media",
  image: "xlsform.ignored.media",
  audio: "xlsform.ignored.media",
  video: "xlsform.ignored.media",
  "big-image": "xlsform.ignored.media",
  big_image: "xlsform.ignored.media",
  guidance_hint: "xlsform.ignored.guidance_hint",
  constraint_message: "xlsform.ignored.constraint_message",
  required_message: "xlsform.ignored.required_message",
  autoplay: "xlsform.ignored.autoplay",
};

/** Survey columns refused wherever they hold something, with the reason. */
const SURVEY_REFUSED: Readonly<Record<string, string>> = {
  calculation: "xlsform.refusedColumn.calculation",
  choice_filter: "xlsform.refusedColumn.choice_filter",
  repeat_count: "xlsform.refusedColumn.repeat_count",
  default: "xlsform.refusedColumn.default",
  trigger: "xlsform.refusedColumn.trigger",
  bind: "xlsform.refusedColumn.bind",
  body: "xlsform.refusedColumn.body",
  instance: "xlsform.refusedColumn.instance",
};

const SURVEY_USED = new Set(["type", "name", "label", "hint", "required", "relevant", "constraint", "parameters", "component", "weight", "range_labels", "not_applicable", "read_only"]);

/** Metadata types a chat survey records in its own way: ignored with a warning. */
const METADATA_TYPES = new Set(["start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email", "audit", "start-geopoint"]);

const REFUSED_TYPES: Readonly<Record<string, string>> = {
  begin_repeat: "xlsform.refusedType.begin_repeat",
  end_repeat: "xlsform.refusedType.begin_repeat",
  calculate: "xlsform.refusedType.calculate",
  hidden: "xlsform.refusedType.hidden",
  geopoint: "xlsform.refusedType.geopoint",
  geotrace: "xlsform.refusedType.geopoint",
  geoshape: "xlsform.refusedType.geopoint",
  date: "xlsform.refusedType.date",
  time: "xlsform.refusedType.time",
  datetime: "xlsform.refusedType.date",
  image: "xlsform.refusedType.image",
  audio: "xlsform.refusedType.image",
  video: "xlsform.refusedType.image",
  file: "xlsform.refusedType.image",
  "background-audio": "xlsform.refusedType.image",
  barcode: "xlsform.refusedType.barcode",
  rank: "xlsform.refusedType.rank",
  trigger: "xlsform.refusedType.trigger",
  "xml-external": "xlsform.refusedType.xmlExternal",
  "csv-external": "xlsform.refusedType.xmlExternal",
  select_one_from_file: "xlsform.refusedType.select_one_from_file",
  select_multiple_from_file: "xlsform.refusedType.select_one_from_file",
  select_one_external: "xlsform.refusedType.select_one_external",
  select_multiple_external: "xlsform.refusedType.select_one_external",
  "uri:deviceid": "xlsform.refusedType.uriDeviceid",
};

const KNOWN_TYPES = ["text", "integer", "decimal", "range", "note", "acknowledge", "select_one", "select_multiple", "begin_group", "end_group", ...Object.keys(REFUSED_TYPES), ...METADATA_TYPES];

// ---- the converter ------------------------------------------------------------------------------

type Rec = Record<string, unknown>;
type Texts = Record<string, string>;

interface PendingCondition {
  readonly path: string;
  readonly question: Rec;
  readonly parts: Array<{ loc: Loc; expression: string }>;
  readonly order: number;
}

interface GroupFrame {
  readonly name: string;
  readonly label: Texts;
  readonly row: SheetRow;
  readonly relevant?: string;
  readonly component?: string;
  readonly serial: number;
}

type Said = { readonly message: string; readonly problem: Problem };

/** ` (did you mean "x"?)` by key, or "". */
const maybe = (hint: string | undefined) => (hint ? questionnaireProblem("hint.didYouMean", { word: hint }) : "");

class Converter {
  readonly problems: Array<CellProblem & { warning?: boolean }> = [];
  private readonly locations = new Map<string, Loc>();
  private readonly survey?: Sheet;
  private readonly choices?: Sheet;
  private readonly settings?: Sheet;
  private readonly scoringSheet?: Sheet;
  private defaultLanguage = "vi";
  private languages: string[] = [];
  private readonly infos = new Map<string, RefInfo & { order: number }>();
  private readonly pending: PendingCondition[] = [];

  constructor(
    sheets: readonly Sheet[],
    private readonly fileName: string,
  ) {
    const known = ["survey", "choices", "settings", "scoring"];
    for (const sheet of sheets) {
      const lower = sheet.name.trim().toLowerCase();
      if (lower === "survey") this.survey = sheet;
      else if (lower === "choices") this.choices = sheet;
      else if (lower === "settings") this.settings = sheet;
      else if (lower === "scoring") this.scoringSheet = sheet;
      else if (lower === "external_choices" && sheet.rows.length > 0) this.error({ sheet: sheet.name }, said("xlsform.externalChoices"));
      else {
        const hint = closest(lower, known);
        this.warn({ sheet: sheet.name }, said("xlsform.sheetIgnored", { hint: hint ? questionnaireProblem("xlsform.hintSemicolon", { word: hint }) : "" }));
      }
    }
  }

  /** Whether a column's cells are read at all (problems in ignored columns do not matter). */
  usesColumn(sheetName: string | undefined, column: string | undefined): boolean {
    if (sheetName === undefined || column === undefined) return true;
    const sheet = [this.survey, this.choices, this.settings, this.scoringSheet].find((s) => s?.name === sheetName);
    if (!sheet) return false;
    const base = parseHeader(column).base;
    const used =
      sheet === this.survey
        ? SURVEY_USED
        : sheet === this.choices
          ? new Set(["list_name", "name", "label", "score"])
          : sheet === this.settings
            ? new Set(["form_id", "version", "form_title", "default_language", "intro", "attestation"])
            : new Set(["setting", "name", "value", "label"]);
    return used.has(base) || SURVEY_REFUSED[base] !== undefined;
  }

  /** An error said by key (`said(...)`: its English message and its problem). */
  error(loc: Loc, problem: Said): void {
    this.problems.push({ ...loc, ...problem });
  }
  warn(loc: Loc, problem: Said): void {
    this.problems.push({ ...loc, ...problem, warning: true });
  }
  private at(pathText: string, loc: Loc): void {
    if (!this.locations.has(pathText)) this.locations.set(pathText, loc);
  }

  /** Gives a loader issue (a path in the YAML data) the sheet, row and column it came from. */
  relocate(issue: QuestionnaireIssue): QuestionnaireIssue {
    const loc = this.locate(issue.path);
    const places = (text: string): string =>
      text.replace(/(sections\[\d+\](?:\.questions\[\d+\])?(?:\.options\[\d+\])?)(?:\.[A-Za-z]+)*(?:, line \d+)?/g, (whole, p: string) => {
        const l = this.locate(p);
        return l ? formatLoc({ sheet: l.sheet, ...(l.row !== undefined ? { row: l.row } : {}) }) : whole;
      });
    const message = places(issue.message);
    // A message naming other places of the YAML names sheets and rows instead: its key's parameters do the same.
    const problem = issue.problem && message !== issue.message ? this.relocateProblem(issue.problem, places) : issue.problem;
    const keyed = problem && englishText(problem) === message ? { problem } : {};
    return { file: issue.file, path: loc ? formatLoc(loc) : issue.path, message, ...keyed, ...(issue.severity ? { severity: issue.severity } : {}) };
  }

  /** The problem with each place it names (`where.atLine`, or a path in a text parameter) as a sheet and row. */
  private relocateProblem(problem: Problem, places: (text: string) => string): Problem {
    const params: Record<string, ProblemParam> = {};
    for (const [name, value] of Object.entries(problem.params ?? {})) {
      if (typeof value === "string") params[name] = places(value);
      else if (!Array.isArray(value) && typeof value === "object" && (value as Problem).key === "questionnaire:where.atLine") {
        const at = (value as Problem).params ?? {};
        params[name] = places(`${String(at.path)}, line ${String(at.line)}`);
      } else params[name] = value;
    }
    return { ...problem, params };
  }

  private locate(pathText: string): Loc | undefined {
    let p = pathText;
    for (;;) {
      const loc = this.locations.get(p);
      if (loc) return loc;
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (cut <= 0) return this.locations.get("");
      p = p.slice(0, cut);
    }
  }

  run(): Rec {
    if (!this.survey) {
      this.error({ sheet: "survey" }, said("xlsform.noSurvey"));
      return { schemaVersion: 1 };
    }
    this.at("", { sheet: "survey" });
    this.findLanguages();
    const settings = this.readSettings();
    const lists = this.readChoices();
    const sections = this.readSurvey(lists);
    const { groups, scoring } = this.readScoring();
    this.translateConditions();
    const data: Rec = { schemaVersion: 1, ...settings.head, languages: this.languages, title: settings.title };
    if (settings.intro) data.intro = settings.intro;
    if (settings.attestation) data.attestation = settings.attestation;
    if (groups.length > 0) data.groups = groups;
    if (scoring) data.scoring = scoring;
    data.sections = sections;
    return data;
  }

  // ---- languages ---------------------------------------------------------------------------------

  private findLanguages(): void {
    const settingsRow = this.settings?.rows[0];
    const defaultSpec = settingsRow?.cells.get(this.header(this.settings!, "default_language") ?? "");
    const found: string[] = [];
    let plain = false;
    for (const sheet of [this.survey, this.choices, this.settings, this.scoringSheet]) {
      if (!sheet) continue;
      for (const header of sheet.headers) {
        const col = parseHeader(header);
        if (!TEXT_BASES.has(col.base)) continue;
        if (col.spec !== undefined && col.language === undefined) {
          if (col.base === "label" || col.base === "hint") this.error({ sheet: sheet.name, row: 1, column: header }, said("xlsform.languages.unknownColumn", { spec: col.spec }));
          continue;
        }
        if (col.base !== "label" && col.base !== "hint" && col.base !== "form_title") continue;
        if (col.language === undefined) plain = true;
        else if (!found.includes(col.language)) found.push(col.language);
      }
    }
    if (defaultSpec !== undefined && defaultSpec !== "") {
      const code = languageCode(defaultSpec);
      if (!code) this.error({ sheet: "settings", row: settingsRow!.row, column: "default_language" }, said("xlsform.languages.unknownDefault", { spec: defaultSpec }));
      this.defaultLanguage = code ?? "vi";
    } else if (found.length > 0 && !plain) {
      this.defaultLanguage = found[0]!;
    } else {
      this.defaultLanguage = "vi";
      if (found.length === 0 || !found.includes("vi")) {
        this.warn({ sheet: "settings", column: "default_language" }, said("xlsform.languages.noDefault"));
      }
    }
    this.languages = [this.defaultLanguage, ...found.filter((l) => l !== this.defaultLanguage)];
    this.at("languages", { sheet: "settings", column: "default_language" });
  }

  private header(sheet: Sheet | undefined, base: string): string | undefined {
    return sheet?.headers.find((h) => parseHeader(h).base === base && !h.includes("::"));
  }

  /** The texts of a row in each language for a base column (`label`), recording where each came from. */
  private texts(sheet: Sheet, row: SheetRow, base: string, pathText: string): Texts | undefined {
    const out: Texts = {};
    let first: string | undefined;
    for (const header of sheet.headers) {
      const col = parseHeader(header);
      if (col.base !== base || (col.spec !== undefined && col.language === undefined)) continue;
      const language = col.language ?? this.defaultLanguage;
      first ??= header;
      const value = row.cells.get(header);
      this.at(`${pathText}.${language}`, { sheet: sheet.name, row: row.row, column: header });
      if (value === undefined || value === "") continue;
      // An explicit language column wins over the plain one for the same language.
      if (out[language] !== undefined && col.language === undefined) continue;
      out[language] = value;
      const shown = /\$\{\s*([^}]*)\}/.exec(value);
      if (shown) this.error({ sheet: sheet.name, row: row.row, column: header }, said("xlsform.textShowsAnswer", { shown: `\${${shown[1]}}` }));
    }
    if (first !== undefined) this.at(pathText, { sheet: sheet.name, row: row.row, column: first });
    return Object.keys(out).length > 0 ? out : undefined;
  }

  // ---- settings ------------------------------------------------------------------------------------

  private readSettings(): { head: Rec; title: Texts; intro?: Texts; attestation?: Texts } {
    const sheet = this.settings;
    const row = sheet?.rows[0];
    const base = path.basename(this.fileName).replace(/\.[^.]*$/, "");
    const get = (name: string): string | undefined => {
      const h = this.header(sheet, name);
      return h && row ? row.cells.get(h) : undefined;
    };
    const loc = (column: string): Loc => ({ sheet: "settings", ...(row ? { row: row.row } : {}), column });
    if (sheet && row) {
      const used = new Set(["form_id", "version", "form_title", "default_language", "intro", "attestation"]);
      for (const h of sheet.headers) {
        const col = parseHeader(h);
        if (!used.has(col.base) && row.cells.get(h)) this.warn(loc(h), said("xlsform.settings.ignoredColumn", { column: h }));
      }
      if (sheet.rows.length > 1) this.warn({ sheet: "settings", row: sheet.rows[1]!.row }, said("xlsform.settings.firstRowOnly"));
    }
    let id = get("form_id");
    if (!id) {
      id = slug(base);
      this.warn(loc("form_id"), said("xlsform.settings.noFormId", { id }));
    } else if (!/^[a-z0-9-]+$/.test(id)) {
      const fixed = slug(id);
      if (fixed !== "") {
        this.warn(loc("form_id"), said("xlsform.settings.formIdFixed", { id, fixed }));
        id = fixed;
      }
    }
    this.at("id", loc("form_id"));
    let version: unknown = 1;
    const versionText = get("version");
    if (versionText === undefined || versionText === "") this.warn(loc("version"), said("xlsform.settings.noVersion"));
    else version = /^\d+$/.test(versionText) ? Number(versionText) : versionText;
    if (typeof version === "string") this.error(loc("version"), said("xlsform.settings.badVersion", { version }));
    this.at("version", loc("version"));

    let title = sheet && row ? this.texts(sheet, row, "form_title", "title") : undefined;
    if (!title) {
      title = { [this.defaultLanguage]: base };
      this.warn(loc("form_title"), said("xlsform.settings.noTitle", { title: base }));
    }
    for (const language of this.languages) {
      if (title[language] === undefined) {
        title[language] = title[this.defaultLanguage] ?? Object.values(title)[0]!;
        this.warn(loc("form_title"), said("xlsform.settings.titleLanguage", { language, defaultLanguage: this.defaultLanguage }));
      }
    }
    this.at("title", loc("form_title"));
    this.formTitle = title;
    const intro = sheet && row ? this.texts(sheet, row, "intro", "intro") : undefined;
    const attestation = sheet && row ? this.texts(sheet, row, "attestation", "attestation") : undefined;
    return { head: { id, version }, title, ...(intro ? { intro } : {}), ...(attestation ? { attestation } : {}) };
  }

  // ---- choices -------------------------------------------------------------------------------------

  private readChoices(): Map<string, Array<{ row: SheetRow; name: string }>> {
    const lists = new Map<string, Array<{ row: SheetRow; name: string }>>();
    const sheet = this.choices;
    if (!sheet) return lists;
    const listHeader = this.header(sheet, "list_name") ?? this.header(sheet, "list name");
    const nameHeader = this.header(sheet, "name");
    if (!listHeader || !nameHeader) {
      if (sheet.rows.length > 0) this.error({ sheet: sheet.name, row: 1 }, said("xlsform.choices.columns"));
      return lists;
    }
    const other = new Set<string>();
    for (const h of sheet.headers) {
      const col = parseHeader(h);
      if (["list_name", "name", "label", "score"].includes(col.base)) continue;
      if (["image", "audio", "video", "media", "big-image", "big_image"].includes(col.base)) {
        if (sheet.rows.some((r) => r.cells.get(h))) this.warn({ sheet: sheet.name, column: h }, said("xlsform.choices.media"));
      } else other.add(h);
    }
    for (const h of other) {
      const rows = sheet.rows.filter((r) => r.cells.get(h)).map((r) => r.row);
      if (rows.length > 0) this.warn({ sheet: sheet.name, column: h }, said("xlsform.choices.otherColumn", { rows: compactRows(rows) }));
    }
    for (const row of sheet.rows) {
      const list = row.cells.get(listHeader) ?? "";
      const name = row.cells.get(nameHeader) ?? "";
      if (list === "") {
        this.error({ sheet: sheet.name, row: row.row, column: listHeader }, said("xlsform.choices.noList"));
        continue;
      }
      if (name === "") this.error({ sheet: sheet.name, row: row.row, column: nameHeader }, said("xlsform.choices.noName"));
      const entries = lists.get(list) ?? [];
      entries.push({ row, name });
      lists.set(list, entries);
    }
    return lists;
  }

  // ---- survey --------------------------------------------------------------------------------------

  private readSurvey(lists: Map<string, Array<{ row: SheetRow; name: string }>>): Rec[] {
    const sheet = this.survey!;
    const S = sheet.name;
    const typeHeader = this.header(sheet, "type");
    const nameHeader = this.header(sheet, "name");
    if (!typeHeader || !nameHeader) {
      this.error({ sheet: S, row: 1 }, said("xlsform.survey.columns"));
      return [];
    }
    const col = (row: SheetRow, base: string): { value: string; header: string } | undefined => {
      const h = this.header(sheet, base);
      const value = h ? row.cells.get(h) : undefined;
      return h && value !== undefined && value !== "" ? { value, header: h } : undefined;
    };

    // Columns that are ignored or refused, reported once per column (ignored) or per row (refused).
    for (const h of sheet.headers) {
      const c = parseHeader(h);
      const rows = sheet.rows.filter((r) => r.cells.get(h)).map((r) => r.row);
      if (rows.length === 0) continue;
      if (SURVEY_IGNORED[c.base] !== undefined) this.warn({ sheet: S, column: h }, said("xlsform.survey.ignoredColumn", { rows: compactRows(rows), why: questionnaireProblem(SURVEY_IGNORED[c.base]!) }));
      else if (SURVEY_REFUSED[c.base] !== undefined) {
        // A row whose type is refused already says so; its calculation or repeat_count adds nothing.
        const typeRefused = (r: number): boolean => {
          const t = (sheet.rows.find((x) => x.row === r)?.cells.get(typeHeader) ?? "").trim().toLowerCase().replace(/\s+/g, "_").split("_").slice(0, 2).join("_");
          return REFUSED_TYPES[t] !== undefined || REFUSED_TYPES[t.split("_")[0]!] !== undefined;
        };
        for (const r of rows) if (!typeRefused(r)) this.error({ sheet: S, row: r, column: h }, said("xlsform.survey.refusedColumn", { what: questionnaireProblem(SURVEY_REFUSED[c.base]!) }));
      } else if (!SURVEY_USED.has(c.base)) this.warn({ sheet: S, column: h }, said("xlsform.survey.unknownColumn", { rows: compactRows(rows) }));
    }

    const sections: Rec[] = [];
    const sectionIds = new Set<string>();
    const stack: GroupFrame[] = [];
    let serial = 0;
    let current: { serial: number; section: Rec; questions: Rec[] } | undefined;
    let order = 0;
    const sectionFor = (): Rec[] => {
      const top = stack[stack.length - 1];
      const key = top?.serial ?? -1;
      if (current && current.serial === key) return current.questions;
      const si = sections.length;
      let id = stack.length > 0 ? stack.map((g) => g.name).join("_") : "main";
      if (sectionIds.has(id)) {
        let n = 2;
        while (sectionIds.has(`${id}_${n}`)) n++;
        id = `${id}_${n}`;
      }
      sectionIds.add(id);
      const title: Texts = {};
      for (const language of this.languages) {
        const parts = stack.map((g) => g.label[language] ?? g.label[this.defaultLanguage] ?? g.name);
        title[language] = parts.length > 0 ? parts.join(" › ") : "";
      }
      const section: Rec = { id, title: stack.length > 0 ? title : {} };
      const component = [...stack].reverse().find((g) => g.component !== undefined)?.component;
      if (component !== undefined) section.component = component;
      const questions: Rec[] = [];
      section.questions = questions;
      sections.push(section);
      const where = top ? { sheet: S, row: top.row.row } : { sheet: S };
      this.at(`sections[${si}]`, where);
      if (top) {
        this.at(`sections[${si}].id`, { ...where, column: nameHeader });
        this.at(`sections[${si}].title`, { ...where, column: this.header(sheet, "label") ?? sheet.headers.find((h) => parseHeader(h).base === "label") ?? nameHeader });
        for (const language of this.languages) {
          const h = sheet.headers.find((x) => parseHeader(x).base === "label" && (parseHeader(x).language ?? this.defaultLanguage) === language);
          if (h) this.at(`sections[${si}].title.${language}`, { ...where, column: h });
        }
        const componentHeader = this.header(sheet, "component");
        if (componentHeader) this.at(`sections[${si}].component`, { ...where, column: componentHeader });
      }
      current = { serial: key, section, questions };
      return questions;
    };

    for (const row of sheet.rows) {
      const rawType = (row.cells.get(typeHeader) ?? "").trim();
      const name = row.cells.get(nameHeader) ?? "";
      const loc = (header: string): Loc => ({ sheet: S, row: row.row, column: header });
      if (rawType === "") {
        this.error(loc(typeHeader), said("xlsform.survey.noType"));
        continue;
      }
      const words = rawType.replace(/\s+/g, " ").split(" ");
      let kind = words[0]!.toLowerCase();
      if ((kind === "begin" || kind === "end") && words[1]) {
        kind = `${kind}_${words[1].toLowerCase()}`;
        words.splice(0, 2, kind);
      }
      if (kind === "begin_group") {
        const label = this.texts(sheet, row, "label", `__group_${row.row}`) ?? {};
        const relevant = col(row, "relevant");
        const component = col(row, "component")?.value;
        if (name === "") this.error(loc(nameHeader), said("xlsform.survey.groupNoName"));
        for (const b of ["constraint", "weight", "required"]) {
          const c = col(row, b);
          if (c && !(b === "required" && /^(no|false|false\(\))$/i.test(c.value))) this.error(loc(c.header), said("xlsform.survey.onGroup", { column: b }));
        }
        stack.push({ name: name || `group${row.row}`, label, row, serial: ++serial, ...(relevant ? { relevant: relevant.value } : {}), ...(component !== undefined ? { component } : {}) });
        if (relevant) this.groupRelevantHeader = relevant.header;
        continue;
      }
      if (kind === "end_group") {
        if (stack.length === 0) this.error(loc(typeHeader), said("xlsform.survey.endWithoutBegin"));
        else stack.pop();
        serial++;
        // Questions after the group belong to the enclosing group again, in a new section.
        current = undefined;
        continue;
      }
      if (METADATA_TYPES.has(kind)) {
        this.warn(loc(typeHeader), said("xlsform.survey.metadata", { kind }));
        continue;
      }
      if (REFUSED_TYPES[kind] !== undefined) {
        this.error(loc(typeHeader), said("xlsform.survey.refusedType", { type: rawType, why: questionnaireProblem(REFUSED_TYPES[kind]!) }));
        continue;
      }
      const isSelect = kind === "select_one" || kind === "select_multiple";
      if (!KNOWN_TYPES.includes(kind)) {
        const hint = closest(kind, KNOWN_TYPES);
        this.error(loc(typeHeader), said("xlsform.survey.unknownType", { type: rawType, hint: maybe(hint) }));
        continue;
      }
      if (isSelect && words.length !== 2) {
        this.error(loc(typeHeader), words.includes("or_other") ? said("xlsform.survey.orOther", { type: rawType }) : said("xlsform.survey.needsList", { type: rawType, kind }));
        continue;
      }
      if (!isSelect && words.length > 1) {
        this.error(loc(typeHeader), said("xlsform.survey.noListName", { type: rawType, kind }));
        continue;
      }

      const questions = sectionFor();
      const si = sections.length - 1;
      const qi = questions.length;
      const p = `sections[${si}].questions[${qi}]`;
      this.at(p, { sheet: S, row: row.row });
      this.at(`${p}.id`, loc(nameHeader));
      this.at(`${p}.type`, loc(typeHeader));
      const q: Rec = { id: name };
      if (name === "") this.error(loc(nameHeader), said("xlsform.survey.noName"));
      const text = this.texts(sheet, row, "label", `${p}.text`);
      const help = this.texts(sheet, row, "hint", `${p}.help`);
      const required = col(row, "required");
      const constraint = col(row, "constraint");
      const parameters = col(row, "parameters");
      const weight = col(row, "weight");
      const rangeLabels = col(row, "range_labels");
      const na = col(row, "not_applicable");
      const componentCell = col(row, "component");
      const readOnly = col(row, "read_only");
      if (readOnly && !/^(no|false|false\(\))$/i.test(readOnly.value)) this.error(loc(readOnly.header), said("xlsform.survey.readOnly"));
      if (componentCell) this.error(loc(componentCell.header), said("xlsform.survey.component"));
      const onlyFor = (cell: { header: string } | undefined, what: string, allowed: boolean): void => {
        if (cell && !allowed) this.error(loc(cell.header), said("xlsform.survey.onlyFor", { column: cell.header, what: questionnaireProblem(what) }));
      };

      let type: RefInfo["type"];
      if (kind === "note" || kind === "acknowledge") {
        type = "single";
        q.type = "single";
        q.text = text ?? {};
        if (help) q.help = help;
        q.options = [{ id: ACKNOWLEDGE_OPTION, label: acknowledgeLabels(this.languages) }];
        if (required && kind === "note") this.warn(loc(required.header), said("xlsform.survey.noteRequired"));
        if (required && kind === "acknowledge" && !isYes(required.value)) this.warn(loc(required.header), said("xlsform.survey.acknowledgeRequired"));
        onlyFor(constraint, "xlsform.survey.for.constraint", false);
        onlyFor(weight, "xlsform.survey.for.weight", false);
      } else {
        q.type = kind === "integer" || kind === "decimal" ? "number" : kind === "range" ? "scale" : kind === "select_one" ? "single" : kind === "select_multiple" ? "multi" : "text";
        type = q.type as RefInfo["type"];
        q.text = text ?? {};
        if (help) q.help = help;
        if (required) {
          const r = parseYesNo(required.value);
          if (r === undefined) this.error(loc(required.header), said("xlsform.survey.badRequired", { value: required.value }));
          if (r === false || r === undefined) q.required = false;
        } else q.required = false;
        this.at(`${p}.required`, loc(required?.header ?? this.header(sheet, "required") ?? typeHeader));
        if (kind === "integer") q.integer = true;
        if (isSelect) {
          const listName = words[1]!;
          const entries = lists.get(listName);
          this.at(`${p}.options`, loc(typeHeader));
          if (!entries) {
            const hint = closest(listName, lists.keys());
            this.error(loc(typeHeader), said("xlsform.survey.noSuchList", { list: listName, hint: maybe(hint) }));
            q.options = [];
          } else {
            q.options = entries.map((e, k) => this.option(e.row, e.name, `${p}.options[${k}]`));
          }
          if (weight) {
            const points = Number(weight.value);
            q.maxPoints = Number.isFinite(points) ? points : weight.value;
            this.at(`${p}.maxPoints`, loc(weight.header));
            if (!Number.isFinite(points)) this.error(loc(weight.header), said("xlsform.survey.badWeight", { value: weight.value }));
          }
        } else onlyFor(weight, "xlsform.survey.for.weight", false);
        if (kind === "range") this.range(q, row, parameters, rangeLabels, na, lists, p);
        else {
          onlyFor(parameters, "xlsform.survey.for.range", false);
          onlyFor(rangeLabels, "xlsform.survey.for.range", false);
          onlyFor(na, "xlsform.survey.for.range", false);
        }
        if (constraint) this.constraint(q, kind, constraint.value, loc(constraint.header), p);
      }
      const relevant = col(row, "relevant");
      const parts: Array<{ loc: Loc; expression: string }> = [];
      for (const g of stack) if (g.relevant !== undefined) parts.push({ loc: { sheet: S, row: g.row.row, column: this.groupRelevantHeader ?? "relevant" }, expression: g.relevant });
      if (relevant) parts.push({ loc: loc(relevant.header), expression: relevant.value });
      if (parts.length > 0) {
        this.pending.push({ path: `${p}.showIf`, question: q, parts, order });
        this.at(`${p}.showIf`, parts[parts.length - 1]!.loc);
      }
      if (name !== "" && !this.infos.has(name)) {
        const options = Array.isArray(q.options) ? (q.options as Rec[]).map((o) => String(o.id)) : undefined;
        this.infos.set(name, { type, order, ...(options ? { options } : {}), ...(typeof q.min === "number" && type === "scale" ? { min: q.min } : {}) });
      }
      order++;
      questions.push(q);
    }
    for (const g of stack) this.error({ sheet: S, row: g.row.row, column: typeHeader }, said("xlsform.survey.noEndGroup", { name: g.name }));
    // Top-level questions take the form title as their section title.
    for (const s of sections) if (Object.keys(s.title as Texts).length === 0) s.title = { ...this.formTitle };
    return sections;
  }

  private groupRelevantHeader?: string;
  /** Sections outside any group are titled like the form. */
  private formTitle: Texts = {};

  private option(row: SheetRow, name: string, p: string): Rec {
    const sheet = this.choices!;
    this.at(p, { sheet: sheet.name, row: row.row });
    this.at(`${p}.id`, { sheet: sheet.name, row: row.row, column: this.header(sheet, "name") ?? "name" });
    const option: Rec = { id: name, label: this.texts(sheet, row, "label", `${p}.label`) ?? {} };
    const scoreHeader = this.header(sheet, "score");
    const score = scoreHeader ? row.cells.get(scoreHeader) : undefined;
    if (scoreHeader) this.at(`${p}.score`, { sheet: sheet.name, row: row.row, column: scoreHeader });
    if (score !== undefined && score !== "") {
      const n = Number(score);
      option.score = Number.isFinite(n) ? n : score;
    }
    return option;
  }

  private range(q: Rec, row: SheetRow, parameters: { value: string; header: string } | undefined, labels: { value: string; header: string } | undefined, na: { value: string; header: string } | undefined, lists: Map<string, Array<{ row: SheetRow; name: string }>>, p: string): void {
    const S = this.survey!.name;
    const values: Record<string, string> = { start: "1", end: "10", step: "1" };
    const where: Loc = { sheet: S, row: row.row, column: parameters?.header ?? "parameters" };
    for (const part of (parameters?.value ?? "").split(/[\s,;]+/).filter((x) => x !== "")) {
      const m = /^(\w+)\s*=\s*(.+)$/.exec(part);
      if (!m || !["start", "end", "step"].includes(m[1]!)) {
        this.error(where, said("xlsform.range.badPart", { part }));
        continue;
      }
      values[m[1]!] = m[2]!;
    }
    const num = (key: string): number | string => (/^-?\d+$/.test(values[key]!) ? Number(values[key]) : values[key]!);
    q.min = num("start");
    q.max = num("end");
    if (values.step !== "1") this.error(where, said("xlsform.range.step", { step: String(values.step) }));
    if (typeof q.min === "string" || typeof q.max === "string") this.error(where, said("xlsform.range.whole"));
    this.at(`${p}.min`, where);
    this.at(`${p}.max`, where);
    if (labels) {
      const entries = lists.get(labels.value);
      this.at(`${p}.labels`, { sheet: S, row: row.row, column: labels.header });
      if (!entries) this.error({ sheet: S, row: row.row, column: labels.header }, said("xlsform.range.noSuchList", { list: labels.value }));
      else {
        const out: Rec = {};
        for (const e of entries) {
          const sheet = this.choices!;
          out[e.name] = this.texts(sheet, e.row, "label", `${p}.labels[${JSON.stringify(e.name)}]`) ?? {};
          this.at(`${p}.labels[${JSON.stringify(e.name)}]`, { sheet: sheet.name, row: e.row.row, column: this.header(sheet, "name") ?? "name" });
        }
        q.labels = out;
      }
    }
    if (na) {
      const yes = parseYesNo(na.value);
      if (yes === undefined) this.error({ sheet: S, row: row.row, column: na.header }, said("xlsform.range.notApplicable"));
      if (yes) q.allowNotApplicable = true;
    }
  }

  private constraint(q: Rec, kind: string, expression: string, loc: Loc, p: string): void {
    const supported =
      kind === "integer" || kind === "decimal"
        ? ". >= n and . <= n"
        : kind === "text"
          ? "string-length(.) <= n"
          : kind === "select_multiple"
            ? "count-selected(.) >= n and count-selected(.) <= n"
            : undefined;
    if (!supported) {
      this.error(loc, said("xlsform.constraint.notSupported", { kind }));
      return;
    }
    let tree: XNode;
    try {
      tree = parseXPath(expression);
    } catch (error) {
      if (!(error instanceof XPathError)) throw error;
      this.error(loc, said("xlsform.expressionAt", { detail: error.problem, at: expression.slice(error.at, error.at + 20) }));
      return;
    }
    const items = tree.kind === "and" ? tree.items : [tree];
    for (const item of items) {
      const part = expression.slice(item.at).split(/\s+and\s+/)[0]!.trim();
      const refuse = (): void => this.error(loc, said("xlsform.constraint.unsupported", { part, supported }));
      if (item.kind !== "compare") {
        refuse();
        continue;
      }
      let { left, right, op } = item;
      if (left.kind === "number") [left, right, op] = [right, left, ({ "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!=" } as const)[op]];
      if (right.kind !== "number") {
        refuse();
        continue;
      }
      const n = right.value;
      const subject = left.kind === "self" ? "self" : left.kind === "call" && left.args[0]?.kind === "self" ? left.name : undefined;
      const set = (key: string, value: number): void => {
        q[key] = value;
        this.at(`${p}.${key}`, loc);
      };
      if (subject === "self" && (kind === "integer" || kind === "decimal")) {
        const whole = kind === "integer" && Number.isInteger(n);
        if (op === ">=") set("min", n);
        else if (op === "<=") set("max", n);
        else if (op === ">" && whole) set("min", n + 1);
        else if (op === "<" && whole) set("max", n - 1);
        else refuse();
      } else if (subject === "string-length" && kind === "text" && Number.isInteger(n)) {
        if (op === "<=") set("maxLength", n);
        else if (op === "<") set("maxLength", n - 1);
        else refuse();
      } else if (subject === "count-selected" && kind === "select_multiple" && Number.isInteger(n)) {
        if (op === "<=") set("maxSelect", n);
        else if (op === "<") set("maxSelect", n - 1);
        else if (op === ">=") set("minSelect", n);
        else if (op === ">") set("minSelect", n + 1);
        else if (op === "=") {
          set("minSelect", n);
          set("maxSelect", n);
        } else refuse();
      } else refuse();
    }
  }

  // ---- scoring -----------------------------------------------------------------------------------

  private readScoring(): { groups: Rec[]; scoring?: Rec } {
    const sheet = this.scoringSheet;
    const groups: Rec[] = [];
    if (!sheet) return { groups };
    const S = sheet.name;
    const settingHeader = this.header(sheet, "setting");
    const nameHeader = this.header(sheet, "name");
    const valueHeader = this.header(sheet, "value");
    if (!settingHeader || !valueHeader) {
      if (sheet.rows.length > 0) this.error({ sheet: S, row: 1 }, said("xlsform.scoring.columns"));
      return { groups };
    }
    const scoring: Rec = {};
    const weights: Rec = {};
    const classes: Rec[] = [];
    const SETTINGS = ["kind", "surveyMax", "appraisalMax", "minResponses", "excludeFlagged", "positive", "overallQuestion", "group", "class"];
    for (const row of sheet.rows) {
      const setting = row.cells.get(settingHeader) ?? "";
      const name = nameHeader ? (row.cells.get(nameHeader) ?? "") : "";
      const value = row.cells.get(valueHeader) ?? "";
      const at = (column: string): Loc => ({ sheet: S, row: row.row, column });
      const key = SETTINGS.find((s) => s.toLowerCase() === setting.replace(/_/g, "").toLowerCase());
      if (!key) {
        const hint = closest(setting, SETTINGS);
        this.error(at(settingHeader), said("xlsform.scoring.unknownSetting", { setting, settings: SETTINGS.join(", "), hint: hint ? questionnaireProblem("xlsform.hintSemicolon", { word: hint }) : "" }));
        continue;
      }
      const number = (text: string): number | string => (text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text);
      if (key === "group") {
        const gi = groups.length;
        this.at(`groups[${gi}]`, { sheet: S, row: row.row });
        this.at(`groups[${gi}].id`, at(nameHeader ?? "name"));
        groups.push({ id: name, label: this.texts(sheet, row, "label", `groups[${gi}].label`) ?? {} });
        if (value !== "") {
          weights[name] = number(value);
          this.at(`scoring.groupWeights.${name}`, at(valueHeader));
          this.at(`scoring.groupWeights[${JSON.stringify(name)}]`, at(valueHeader));
        }
        this.at("scoring.groupWeights", at(valueHeader));
      } else if (key === "class") {
        const ci = classes.length;
        this.at(`scoring.classes[${ci}]`, { sheet: S, row: row.row });
        this.at(`scoring.classes[${ci}].label`, at(nameHeader ?? "name"));
        this.at(`scoring.classes[${ci}].min`, at(valueHeader));
        classes.push({ label: name, min: number(value) });
      } else {
        if (key in scoring) this.error(at(settingHeader), said("xlsform.scoring.twice", { key }));
        this.at(`scoring.${key}`, at(valueHeader));
        if (key === "kind" || key === "overallQuestion") scoring[key] = value;
        else if (key === "excludeFlagged") scoring[key] = parseYesNo(value) ?? value;
        else if (key === "positive") scoring[key] = value.split(/[\s,;]+/).filter((x) => x !== "").map(number);
        else scoring[key] = number(value);
      }
    }
    this.at("scoring", { sheet: S });
    if (Object.keys(weights).length > 0) scoring.groupWeights = weights;
    if (classes.length > 0) scoring.classes = classes;
    if (Object.keys(scoring).length === 0) return { groups };
    return { groups, scoring };
  }

  // ---- conditions ----------------------------------------------------------------------------------

  private translateConditions(): void {
    for (const item of this.pending) {
      const lookup = (name: string): RefInfo | undefined => this.infos.get(name);
      const conditions: Condition[] = [];
      for (const part of item.parts) {
        const result = translateRelevant(part.expression, lookup);
        if (!result.ok) {
          const shown = part.expression.slice(result.at, result.at + 30);
          this.error(part.loc, said("xlsform.expressionAt", { detail: result.problem, at: `${shown}${part.expression.length > result.at + 30 ? "…" : ""}` }));
          continue;
        }
        const parsed = parseCondition(result.showIf);
        if (parsed.ok) conditions.push(parsed.condition);
      }
      if (conditions.length === item.parts.length) {
        item.question.showIf = printCondition(conditions.length === 1 ? conditions[0]! : { kind: "and", items: conditions.flatMap((c) => (c.kind === "and" ? c.items : [c])) });
      }
    }
  }
}

function slug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** yes/no as XLSForm writes it (yes, true, true(), 1). */
function parseYesNo(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["yes", "true", "true()", "1", "có"].includes(t)) return true;
  if (["no", "false", "false()", "0", "không", ""].includes(t)) return false;
  return undefined;
}

function isYes(text: string): boolean {
  return parseYesNo(text) === true;
}

/** `3-5, 9` */
function compactRows(rows: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j]! + 1) j++;
    parts.push(i === j ? String(rows[i]) : `${rows[i]}-${rows[j]}`);
    i = j;
  }
  return parts.join(", ");
}
