// A questionnaire written as an XLSForm workbook, with khaosat's scoring columns and sheet, so an
// organiser can edit it in Excel and import it again (export → import gives the same questionnaire).
import type { Workbook } from "exceljs";
import type { Question, QuestionnaireFile } from "../schema.js";
import { ACKNOWLEDGE_OPTION } from "./import.js";
import { acknowledgeLabels, languageSpec } from "./languages.js";
import { toRelevant, type RefInfo } from "./relevant.js";

/** One sheet as rows of text or numbers (the header first); what the workbook holds, for tests too. */
export interface SheetData {
  readonly name: string;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** Fixed workbook metadata, so the same questionnaire always gives the same workbook. */
const FIXED_DATE = new Date("2026-01-01T00:00:00Z");

/** Is this single question the acknowledge step a note or acknowledge row imports as? */
export function isAcknowledgeStep(question: Question, languages: readonly string[]): boolean {
  if (question.type !== "single" || question.maxPoints !== undefined || !question.required || question.options.length !== 1) return false;
  const option = question.options[0]!;
  if (option.id !== ACKNOWLEDGE_OPTION || option.score !== null) return false;
  const expected = acknowledgeLabels(languages);
  return languages.every((l) => option.label[l] === expected[l]) && Object.keys(option.label).length === languages.length;
}

/** The sheets of the XLSForm for a questionnaire (validated definition, defaults applied). */
export function xlsformSheets(q: QuestionnaireFile): SheetData[] {
  const languages = q.languages;
  const label = (base: string): string[] => languages.map((l) => `${base}::${languageSpec(l)}`);
  const texts = (t: Record<string, string> | undefined): string[] => languages.map((l) => t?.[l] ?? "");
  const all = q.sections.flatMap((s) => s.questions);
  const infos = new Map<string, RefInfo>(
    all.map((x) => [x.id, { type: x.type, ...(x.type === "single" || x.type === "multi" ? { options: x.options.map((o) => o.id) } : {}), ...(x.type === "scale" ? { min: x.min } : {}) }]),
  );
  const lookup = (name: string): RefInfo | undefined => infos.get(name);
  const hasHelp = all.some((x) => x.help !== undefined);
  const points = q.scoring?.kind === "points" || all.some((x) => (x.type === "single" || x.type === "multi") && x.maxPoints !== undefined);
  const scores = q.scoring !== undefined || all.some((x) => (x.type === "single" || x.type === "multi") && x.options.some((o) => o.score !== null));
  const hasComponent = q.sections.some((s) => s.component !== undefined);
  const hasScale = all.some((x) => x.type === "scale");
  const hasScaleLabels = all.some((x) => x.type === "scale" && x.labels !== undefined);
  const hasNa = all.some((x) => x.type === "scale" && x.allowNotApplicable);

  const header = [
    "type",
    "name",
    ...label("label"),
    ...(hasHelp ? label("hint") : []),
    "required",
    "relevant",
    "constraint",
    ...(hasScale ? ["parameters"] : []),
    ...(hasScaleLabels ? ["range_labels"] : []),
    ...(hasNa ? ["not_applicable"] : []),
    ...(hasComponent ? ["component"] : []),
    ...(points ? ["weight"] : []),
  ];
  const survey: Array<Array<string | number>> = [header];
  const choices: Array<Array<string | number>> = [["list_name", "name", ...label("label"), ...(scores ? ["score"] : [])]];
  const usedLists = new Set<string>();
  const listName = (wanted: string): string => {
    let name = wanted;
    for (let n = 2; usedLists.has(name); n++) name = `${wanted}_${n}`;
    usedLists.add(name);
    return name;
  };
  const row = (cells: Record<string, string | number | undefined>, textCells: Record<string, string[]>): Array<string | number> => {
    const out: Array<string | number> = header.map(() => "");
    for (const [key, value] of Object.entries(cells)) if (value !== undefined) out[header.indexOf(key)] = value;
    for (const [base, values] of Object.entries(textCells)) values.forEach((v, i) => (out[header.indexOf(`${base}::${languageSpec(languages[i]!)}`)] = v));
    return out;
  };

  for (const section of q.sections) {
    survey.push(row({ type: "begin_group", name: section.id, component: section.component }, { label: texts(section.title) }));
    for (const x of section.questions) {
      const common = { name: x.id, required: x.required ? "yes" : "no", relevant: x.showIf !== undefined ? toRelevant(x.showIf, lookup) : undefined };
      const textCells = { label: texts(x.text), ...(hasHelp ? { hint: texts(x.help) } : {}) };
      if (isAcknowledgeStep(x, languages)) {
        survey.push(row({ type: "acknowledge", ...common }, textCells));
        continue;
      }
      switch (x.type) {
        case "single":
        case "multi": {
          const list = listName(x.id);
          const constraint =
            x.type === "multi"
              ? [x.minSelect !== undefined ? `count-selected(.) >= ${x.minSelect}` : "", x.maxSelect !== undefined ? `count-selected(.) <= ${x.maxSelect}` : ""].filter((c) => c !== "").join(" and ")
              : "";
          survey.push(row({ type: `${x.type === "single" ? "select_one" : "select_multiple"} ${list}`, ...common, constraint: constraint || undefined, weight: x.maxPoints }, textCells));
          for (const o of x.options) choices.push([list, o.id, ...texts(o.label), ...(scores ? [o.score ?? ""] : [])]);
          break;
        }
        case "scale": {
          let labels: string | undefined;
          if (x.labels) {
            labels = listName(`${x.id}_scale`);
            for (const [value, t] of Object.entries(x.labels).sort((a, b) => Number(a[0]) - Number(b[0]))) choices.push([labels, value, ...texts(t), ...(scores ? [""] : [])]);
          }
          survey.push(row({ type: "range", ...common, parameters: `start=${x.min} end=${x.max} step=1`, range_labels: labels, not_applicable: x.allowNotApplicable ? "yes" : undefined }, textCells));
          break;
        }
        case "number": {
          const constraint = [x.min !== undefined ? `. >= ${x.min}` : "", x.max !== undefined ? `. <= ${x.max}` : ""].filter((c) => c !== "").join(" and ");
          survey.push(row({ type: x.integer ? "integer" : "decimal", ...common, constraint: constraint || undefined }, textCells));
          break;
        }
        case "text":
          survey.push(row({ type: "text", ...common, constraint: x.maxLength !== undefined ? `string-length(.) <= ${x.maxLength}` : undefined }, textCells));
          break;
      }
    }
    survey.push(row({ type: "end_group", name: section.id }, {}));
  }

  const defaultLanguage = languages[0]!;
  const others = languages.slice(1);
  const settingsHeader = ["form_id", "version", "form_title", "default_language", ...others.map((l) => `form_title::${languageSpec(l)}`)];
  const settingsRow: Array<string | number> = [q.id, q.version, q.title[defaultLanguage] ?? "", languageSpec(defaultLanguage), ...others.map((l) => q.title[l] ?? "")];
  for (const [key, value] of [
    ["intro", q.intro],
    ["attestation", q.attestation],
  ] as const) {
    if (!value) continue;
    for (const l of languages) {
      settingsHeader.push(`${key}::${languageSpec(l)}`);
      settingsRow.push(value[l] ?? "");
    }
  }
  const sheets: SheetData[] = [
    { name: "survey", rows: survey },
    { name: "choices", rows: choices },
    { name: "settings", rows: [settingsHeader, settingsRow] },
  ];

  if (q.scoring || q.groups) {
    const scoring: Array<Array<string | number>> = [["setting", "name", "value", ...label("label")]];
    const s = q.scoring;
    const blank = languages.map(() => "");
    if (s) {
      scoring.push(["kind", "", s.kind, ...blank]);
      if (s.kind === "points") {
        scoring.push(["surveyMax", "", s.surveyMax, ...blank]);
        if (s.appraisalMax !== undefined) scoring.push(["appraisalMax", "", s.appraisalMax, ...blank]);
      } else {
        scoring.push(["positive", "", s.positive.join(" "), ...blank]);
        if (s.overallQuestion !== undefined) scoring.push(["overallQuestion", "", s.overallQuestion, ...blank]);
      }
      scoring.push(["minResponses", "", s.minResponses, ...blank]);
      scoring.push(["excludeFlagged", "", s.excludeFlagged ? "yes" : "no", ...blank]);
    }
    for (const g of q.groups ?? []) scoring.push(["group", g.id, s?.groupWeights?.[g.id] ?? "", ...texts(g.label)]);
    for (const c of s?.classes ?? []) scoring.push(["class", c.label, c.min, ...blank]);
    sheets.push({ name: "scoring", rows: scoring });
  }
  return sheets;
}

/** Builds the XLSForm workbook (exceljs loaded on first use). Every cell is a value, never a formula. */
export async function xlsformWorkbook(q: QuestionnaireFile): Promise<Workbook> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "khaosat";
  workbook.lastModifiedBy = "khaosat";
  workbook.created = FIXED_DATE;
  workbook.modified = FIXED_DATE;
  for (const sheet of xlsformSheets(q)) {
    const ws = workbook.addWorksheet(sheet.name);
    for (const r of sheet.rows) ws.addRow([...r]);
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: "frozen", ySplit: 1 }];
    ws.columns.forEach((c, i) => {
      const widest = Math.max(...sheet.rows.map((r) => String(r[i] ?? "").length));
      c.width = Math.min(60, Math.max(10, widest + 2));
    });
  }
  return workbook;
}

/** Writes the XLSForm of a questionnaire to `file`. */
export async function exportXlsform(q: QuestionnaireFile, file: string): Promise<void> {
  const workbook = await xlsformWorkbook(q);
  await workbook.xlsx.writeFile(file);
}

/** Writes the XLSForm of a questionnaire to bytes. */
export async function exportXlsformBytes(q: QuestionnaireFile): Promise<Uint8Array> {
  const workbook = await xlsformWorkbook(q);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
