import type { Questionnaire } from "../../questionnaire/index.js";
import type { ScoreReport } from "../types.js";
import { unitColumns, type Cell, type UnitNames } from "./columns.js";
import { formatDecimal } from "../../i18n/numbers.js";
import { HEADINGS, REASONS, type ReportLanguage } from "./labels.js";

/**
 * The score as an aligned plain-text ranking for a terminal: rank, unit, responses, counted,
 * points, index and class per ranked unit, then the excluded units with their reasons.
 */
export function formatScoreTable(report: ScoreReport, questionnaire: Questionnaire, lang: ReportLanguage = "en", unitNames?: UnitNames): string {
  const columns = unitColumns(report, questionnaire, false, unitNames);
  const header = columns.map((c) => (typeof c.heading === "string" ? HEADINGS[c.heading][lang] : c.heading.literal));
  const body = report.units.map((unit) => columns.map((c) => show(c.value(unit, undefined), c.numeric, c.decimal === true, lang)));
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((row) => width(row[i]!))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i]!.numeric ? pad(cell, widths[i]!, "start") : pad(cell, widths[i]!, "end")))
      .join("  ")
      .trimEnd();
  const title =
    lang === "vi"
      ? `${questionnaire.id} v${questionnaire.version} · ${report.units.length} đơn vị được xếp hạng, ${report.excluded.length} không xếp hạng`
      : `${questionnaire.id} v${questionnaire.version} · ${report.units.length} ranked, ${report.excluded.length} excluded`;
  const out = [title, "", line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
  if (report.units.length === 0) out.push(lang === "vi" ? "(không có đơn vị nào được xếp hạng)" : "(no unit is ranked)");
  if (report.excluded.length > 0) {
    out.push("", lang === "vi" ? "Không xếp hạng:" : "Excluded:");
    const named = (unit: string) => (unitNames?.get(unit) ? `${unit} ${unitNames.get(unit)}` : unit);
    const unitWidth = Math.max(...report.excluded.map((x) => width(named(x.unit))));
    for (const x of report.excluded) {
      const min = questionnaire.definition.scoring?.minResponses;
      // The threshold is named where it is what withheld the unit.
      const needed = x.reason === "insufficient_responses" && min !== undefined ? (lang === "vi" ? `, cần ít nhất ${min}` : `, at least ${min} needed`) : "";
      const counts = lang === "vi" ? `${x.responses} phiếu, ${x.counted} được tính${needed}` : `${x.responses} response${x.responses === 1 ? "" : "s"}, ${x.counted} counted${needed}`;
      out.push(`  ${pad(named(x.unit), unitWidth, "end")}  ${REASONS[x.reason][lang]} (${counts})`);
    }
  }
  return out.join("\n") + "\n";
}

function show(value: Cell, numeric: boolean, decimal: boolean, lang: ReportLanguage): string {
  if (value === null) return numeric ? "-" : "";
  // Two decimals everywhere so a column lines up on the decimal mark (a comma in Vietnamese, as people write it;
  // no grouping, so the columns keep their widths). The reason codes stay in the CSV and JSON, not here.
  return typeof value === "number" && decimal ? formatDecimal(lang, value, 2) : String(value);
}

/** Display width: one per character after composing Vietnamese diacritics. */
function width(text: string): number {
  return [...text.normalize("NFC")].length;
}

function pad(text: string, size: number, side: "start" | "end"): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return side === "start" ? fill + text : text + fill;
}
