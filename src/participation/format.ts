// Participation report output: an aligned table for the terminal, CSV, XLSX and JSON.
import { newWorkbook } from "../documents/index.js";
import { stringify } from "csv-stringify/sync";
import { NEUTRALISING_CAST } from "../documents/csv-cell.js";
import { DEFAULT_TIME_ZONE, formatZonedTime } from "../campaigns/index.js";
import { RESPONSE_CHANNELS } from "../db/types.js";
import type { ParticipationCounts, ParticipationReport } from "./report.js";

/** How times are shown: the campaign's time zone, like every other time organisers read. */
export interface ParticipationFormatOptions {
  readonly timeZone?: string;
  /** The terminal table's words in the reader's language (the CLI's); English by default. CSV, JSON and XLSX never change. */
  readonly words?: ParticipationTableWords;
  /** The XLSX: a group's label (the questionnaire's), written in a column next to the group's id. */
  readonly groupLabel?: (id: string) => string;
}

/** The human words of the terminal table: column headings (same order as the English ones), the totals row, the reminder lines. */
export interface ParticipationTableWords {
  readonly head: readonly string[];
  readonly total: string;
  readonly lastReminder: (when: string | null) => string;
  readonly unreachable: (count: number) => string;
  /** A group as the reader knows it (the questionnaire's label in their language); the id when absent. */
  readonly groupLabel?: (id: string) => string;
  /** A rate as the reader writes it ("62,5%" in Vietnamese); "62.5%" without. */
  readonly rate?: (rate: number) => string;
}

/** The terminal table's English headings, in order (a translation gives one word per heading). */
export const PARTICIPATION_TABLE_HEAD: readonly string[] = ["unit", "name", "group", "sampled", "redeemed", "attested", "in progress", "submitted", "rate", "responses", ...RESPONSE_CHANNELS];

/** Output formats of `khaosat participation`. */
export const PARTICIPATION_FORMATS = ["table", "csv", "xlsx", "json"] as const;
/** One of PARTICIPATION_FORMATS. */
export type ParticipationFormat = (typeof PARTICIPATION_FORMATS)[number];

// The respondent funnel first (sampled … submission_rate, unchanged since the first release), then
// submitted responses from every source, per channel (imported paper forms belong to no respondent).
const HEADER = [
  "unit",
  "unit_name",
  "group",
  "sampled",
  "redeemed",
  "attested",
  "in_progress",
  "submitted",
  "submission_rate",
  "responses",
  ...RESPONSE_CHANNELS.map((c) => `responses_${c}`),
];

function cells(report: ParticipationReport): (string | number)[][] {
  const rate = (r: number | null) => (r === null ? "" : r);
  const counts = (c: ParticipationCounts) => [c.sampled, c.redeemed, c.attested, c.inProgress, c.submitted, rate(c.rate), c.responses.total, ...RESPONSE_CHANNELS.map((ch) => c.responses[ch])];
  return [...report.rows.map((r) => [r.unit, r.unitName, r.group, ...counts(r)]), ["TOTAL", "", "", ...counts(report.totals)]];
}

// The reminder lines under the table and the sheet; CSV stays one plain table for mail merges.
function reminderLines(report: ParticipationReport, options: ParticipationFormatOptions): string[] {
  if (!report.reminders) return [];
  const { lastReminderAt, unreachable } = report.reminders;
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const when = lastReminderAt ? `${formatZonedTime(lastReminderAt, timeZone)} (${timeZone})` : null;
  if (options.words) return [options.words.lastReminder(when), options.words.unreachable(unreachable)];
  return [`last reminder: ${when ?? "none yet"}`, `unreachable (blocked the bot or deactivated): ${unreachable}`];
}

/** CSV with a header row; the last row holds the totals. */
export function participationCsv(report: ParticipationReport): string {
  return stringify([HEADER, ...cells(report)], { cast: NEUTRALISING_CAST });
}

/** JSON: rows and totals. */
export function participationJson(report: ParticipationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** An aligned text table for the terminal; rates with a percent sign. */
export function participationTable(report: ParticipationReport, options: ParticipationFormatOptions = {}): string {
  const head = [...(options.words?.head ?? PARTICIPATION_TABLE_HEAD)];
  const label = options.words?.groupLabel;
  const rate = options.words?.rate;
  const body = cells(report).map((row) => row.map((c, i) => (i === 8 ? (c === "" ? "-" : (rate?.(c as number) ?? `${(c as number).toFixed(1)}%`)) : i === 2 && label && c !== "" ? label(String(c)) : String(c))));
  if (options.words) body[body.length - 1]![0] = options.words.total;
  const widths = head.map((h, i) => Math.max([...h].length, ...body.map((r) => [...(r[i] ?? "")].length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c + " ".repeat(widths[i]! - [...c].length)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const rows = body.map(line);
  return `${[line(head), rule, ...rows.slice(0, -1), rule, rows[rows.length - 1]!, ...reminderLines(report, options)].join("\n")}\n`;
}

/** Vietnamese headings of the XLSX sheet, column by column with HEADER (which is the English row). */
const HEADER_VI: Readonly<Record<string, string>> = {
  unit: "Mã đơn vị",
  unit_name: "Tên đơn vị",
  group: "Nhóm",
  sampled: "Số được chọn",
  redeemed: "Đã nhập mã",
  attested: "Đã xác nhận",
  in_progress: "Đang trả lời",
  submitted: "Đã gửi phiếu",
  submission_rate: "Tỷ lệ gửi phiếu (%)",
  responses: "Số phiếu",
  responses_telegram: "Phiếu qua Telegram",
  responses_zalo: "Phiếu qua Zalo",
  responses_console: "Phiếu qua máy tính",
  responses_import: "Phiếu giấy / nhập từ tệp",
};

/** An XLSX workbook with one sheet, headings in Vietnamese with English below (like the score file), frozen. */
export async function participationXlsx(report: ParticipationReport, options: ParticipationFormatOptions = {}): Promise<Uint8Array> {
  const workbook = await newWorkbook();
  const sheet = workbook.addWorksheet("participation", { views: [{ state: "frozen", ySplit: 2 }] });
  // With the questionnaire's labels, a "group_label" column follows the group's id (people read the label, lookups use the id).
  const label = options.groupLabel;
  const withLabel = <T,>(row: readonly T[], text: (group: T) => T): T[] => (label ? [...row.slice(0, 3), text(row[2]!), ...row.slice(3)] : [...row]);
  sheet.addRow(withLabel(HEADER.map((h) => HEADER_VI[h] ?? h), () => "Tên nhóm")).font = { bold: true };
  sheet.addRow(withLabel(HEADER, () => "group_label")).font = { bold: true };
  for (const row of cells(report)) sheet.addRow(withLabel(row, (group) => (group === "" ? "" : label!(String(group)))));
  sheet.getRow(sheet.rowCount).font = { bold: true };
  const lines = reminderLines(report, options);
  if (lines.length > 0) sheet.addRow([]);
  for (const text of lines) sheet.addRow([text]);
  sheet.columns.forEach((col, i) => (col.width = i === 1 || (label && i === 3) ? 32 : 14));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
