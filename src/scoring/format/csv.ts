import type { Questionnaire } from "../../questionnaire/index.js";
import { writeCsv } from "../io/csv.js";
import type { ScoreReport } from "../types.js";
import { unitColumns, type Cell } from "./columns.js";

/**
 * The score as CSV, one row per unit: ranked units in rank order, then excluded units with their
 * reason; components (and for satisfaction, criteria and choices) as columns. Headers are
 * machine names (`survey_points`, `area3.index`) so scripts can rely on them.
 */
export function formatScoreCsv(report: ScoreReport, questionnaire: Questionnaire): string {
  const columns = unitColumns(report, questionnaire, true);
  const rows: string[][] = [columns.map((c) => c.name)];
  for (const unit of report.units) rows.push(columns.map((c) => cellText(c.value(unit, undefined))));
  for (const excluded of report.excluded) rows.push(columns.map((c) => cellText(c.value(undefined, excluded))));
  return writeCsv(rows);
}

function cellText(value: Cell): string {
  return value === null ? "" : String(value);
}
