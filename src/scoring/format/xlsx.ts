import { newWorkbook } from "../../documents/xlsx.js";
import type { LocalizedText, Questionnaire } from "../../questionnaire/index.js";
import type { PointsUnitResult, SatisfactionUnitResult, ScoreReport } from "../types.js";
import { reportComponents, satisfactionQuestions, unitColumns, type Cell, type UnitNames } from "./columns.js";
import { HEADINGS, REASONS, SHEETS, type Heading, type ReportLanguage } from "./labels.js";

type HeadingSpec = Heading | { readonly literal: string; readonly suffix?: Heading };

interface SheetColumn {
  readonly heading: HeadingSpec;
  readonly decimal?: boolean;
  readonly width?: number;
}

/**
 * The score as an Excel workbook: a ranking sheet, a components sheet, an excluded sheet (and for
 * satisfaction, criteria and choices sheets). Numbers are stored as numbers. Headings are
 * Vietnamese with English in a second row, or only `lang` when given.
 */
export async function formatScoreXlsx(report: ScoreReport, questionnaire: Questionnaire, lang?: ReportLanguage, unitNames?: UnitNames): Promise<Uint8Array> {
  const workbook = await newWorkbook();
  workbook.creator = "khaosat-bot";
  const sheetName = (key: keyof typeof SHEETS) => SHEETS[key][lang ?? "vi"];
  const languages: ReportLanguage[] = lang ? [lang] : ["vi", "en"];
  const textLang = lang && questionnaire.languages.includes(lang) ? lang : questionnaire.defaultLanguage;
  const localized = (text: LocalizedText | undefined) => (text ? (text[textLang] ?? text[questionnaire.defaultLanguage] ?? "") : "");

  const addSheet = (key: keyof typeof SHEETS, columns: readonly SheetColumn[], rows: readonly (readonly Cell[])[]) => {
    const sheet = workbook.addWorksheet(sheetName(key), { views: [{ state: "frozen", ySplit: languages.length }] });
    for (const language of languages) sheet.addRow(columns.map((c) => headingText(c.heading, language))).font = { bold: true };
    for (const row of rows) sheet.addRow(row.map((v) => (v === null ? null : v)));
    columns.forEach((c, i) => {
      const column = sheet.getColumn(i + 1);
      column.width = c.width ?? Math.min(40, Math.max(10, ...languages.map((l) => headingText(c.heading, l).length + 2)));
      if (c.decimal) column.numFmt = "0.00";
    });
    return sheet;
  };

  const ranking = unitColumns(report, questionnaire, false, unitNames);
  const flags = (["speeder", "straightliner", "delegation"] as const).map((f) => ({ heading: f as Heading, value: (u: PointsUnitResult | SatisfactionUnitResult) => u.flags[f] }));
  addSheet(
    "ranking",
    [...ranking.map((c) => ({ heading: c.heading, ...(c.decimal ? { decimal: true } : {}), ...(c.name === "unit" ? { width: 24 } : c.name === "unit_name" ? { width: 40 } : {}) })), ...flags.map((f) => ({ heading: f.heading }))],
    report.units.map((u) => [...ranking.map((c) => c.value(u, undefined)), ...flags.map((f) => f.value(u))]),
  );

  const titles = componentTitles(questionnaire, localized);
  const components = reportComponents(report, questionnaire);
  if (report.kind === "points") {
    addSheet(
      "components",
      [{ heading: "unit", width: 24 }, { heading: "component" }, { heading: "title", width: 40 }, { heading: "points", decimal: true }, { heading: "max", decimal: true }, { heading: "index", decimal: true }],
      report.units.flatMap((u) =>
        components.filter((c) => u.components[c]).map((c) => {
          const r = u.components[c]!;
          return [u.unit, c, titles.get(c) ?? "", r.points, r.max, r.index];
        }),
      ),
    );
  } else {
    addSheet(
      "components",
      [{ heading: "unit", width: 24 }, { heading: "component" }, { heading: "title", width: 40 }, { heading: "index", decimal: true }],
      report.units.flatMap((u) => components.filter((c) => u.components[c]).map((c) => [u.unit, c, titles.get(c) ?? "", u.components[c]!.index])),
    );
    const { criteria, choices } = satisfactionQuestions(questionnaire);
    addSheet(
      "criteria",
      [{ heading: "unit", width: 24 }, { heading: "criterion" }, { heading: "question", width: 60 }, { heading: "index", decimal: true }],
      report.units.flatMap((u) => criteria.map((q) => [u.unit, q, localized(questionnaire.byId.get(q)?.question.text), u.criteria[q] ?? null])),
    );
    if (choices.length > 0) {
      addSheet(
        "choices",
        [{ heading: "unit", width: 24 }, { heading: "question" }, { heading: "option" }, { heading: "title", width: 40 }, { heading: "share", decimal: true }],
        report.units.flatMap((u) =>
          choices.flatMap(({ question, options }) => {
            const info = questionnaire.byId.get(question)?.question;
            const labels = new Map(info && info.type === "multi" ? info.options.map((o) => [o.id, localized(o.label)]) : []);
            return options.map((o) => [u.unit, question, o, labels.get(o) ?? "", u.choices?.[question]?.[o] ?? null]);
          }),
        ),
      );
    }
  }

  addSheet(
    "excluded",
    [{ heading: "unit", width: 24 }, { heading: "reason", width: 36 }, { heading: "reasonCode", width: 24 }, { heading: "responses" }, { heading: "counted" }],
    report.excluded.map((x) => [x.unit, lang ? REASONS[x.reason][lang] : `${REASONS[x.reason].vi} / ${REASONS[x.reason].en}`, x.reason, x.responses, x.counted]),
  );

  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

function headingText(heading: HeadingSpec, lang: ReportLanguage): string {
  if (typeof heading === "string") return HEADINGS[heading][lang];
  return heading.suffix ? `${heading.literal} · ${HEADINGS[heading.suffix][lang]}` : heading.literal;
}

/** Title of each component: the title of its first section. */
function componentTitles(questionnaire: Questionnaire, localized: (text: LocalizedText | undefined) => string): Map<string, string> {
  const titles = new Map<string, string>();
  for (const section of questionnaire.definition.sections) {
    const component = section.component ?? section.id;
    if (!titles.has(component)) titles.set(component, localized(section.title));
  }
  return titles;
}
