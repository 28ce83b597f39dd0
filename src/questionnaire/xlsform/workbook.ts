// Reads an XLSX workbook into plain sheets of text cells, within limits, naming where each cell was.
import type { Cell, Workbook, Worksheet } from "exceljs";
import type { Problem } from "../../i18n/problem.js";
import { said } from "../problem.js";

/** Limits on an XLSForm workbook: a questionnaire is small, so anything larger is a mistake or hostile. */
export const XLSFORM_LIMITS = {
  /** Bytes of the .xlsx file. */
  fileBytes: 5 * 1024 * 1024,
  /** Rows holding something, per sheet. */
  rowsPerSheet: 2000,
  /** Columns with a header, per sheet. */
  columnsPerSheet: 200,
  /** Non-empty cells in the whole workbook. */
  cells: 100_000,
  /** Characters in one cell. */
  cellChars: 10_000,
  /** Bytes of the workbook once unzipped: a small file can hide a huge sheet (a "zip bomb"). */
  unzippedBytes: 100 * 1024 * 1024,
} as const;

/** One row of a sheet: its 1-based row number and text per column header (as written, trimmed). */
export interface SheetRow {
  readonly row: number;
  readonly cells: ReadonlyMap<string, string>;
}

/** A sheet as text: headers in order (trimmed, as written) and its non-empty rows below the header. */
export interface Sheet {
  readonly name: string;
  readonly headers: readonly string[];
  readonly rows: readonly SheetRow[];
}

/** A problem with the workbook itself or with a cell, located by sheet, row and column header. */
export interface CellProblem {
  readonly warning?: boolean;
  readonly sheet?: string;
  readonly row?: number;
  readonly column?: string;
  /** In English; `problem` says the same by key (src/questionnaire/problem.ts). */
  readonly message: string;
  readonly problem?: Problem;
}

export type ReadWorkbookResult = { readonly ok: true; readonly sheets: readonly Sheet[]; readonly problems: readonly CellProblem[] } | { readonly ok: false; readonly problems: readonly CellProblem[] };

/** Loads an .xlsx (bytes) and reads every sheet as text; cell-level problems are returned, not thrown. */
export async function readWorkbook(bytes: Uint8Array): Promise<ReadWorkbookResult> {
  if (bytes.length > XLSFORM_LIMITS.fileBytes) {
    return { ok: false, problems: [said("xlsform.workbook.tooBig", { size: (bytes.length / 1024 / 1024).toFixed(1), limit: XLSFORM_LIMITS.fileBytes / 1024 / 1024 })] };
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    const xls = bytes[0] === 0xd0 && bytes[1] === 0xcf;
    return { ok: false, problems: [said(xls ? "xlsform.workbook.oldXls" : "xlsform.workbook.notXlsx")] };
  }
  const unzipped = unzippedSize(bytes);
  if (unzipped === undefined) return { ok: false, problems: [said("xlsform.workbook.damaged")] };
  if (unzipped > XLSFORM_LIMITS.unzippedBytes) {
    return { ok: false, problems: [said("xlsform.workbook.unpacksTooBig", { size: Math.round(unzipped / 1024 / 1024), limit: XLSFORM_LIMITS.unzippedBytes / 1024 / 1024 })] };
  }
  // Loaded on first use: importing exceljs costs about half a second that every command would pay.
  const { default: ExcelJS } = await import("exceljs");
  const workbook: Workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (error) {
    return { ok: false, problems: [said("xlsform.workbook.unreadable", { detail: error instanceof Error ? error.message : String(error) })] };
  }
  const problems: CellProblem[] = [];
  const sheets: Sheet[] = [];
  let cells = 0;
  for (const worksheet of workbook.worksheets) {
    const read = readSheet(worksheet, problems);
    if (read === "too-big") return { ok: false, problems };
    cells += read.rows.reduce((n, r) => n + r.cells.size, 0);
    if (cells > XLSFORM_LIMITS.cells) {
      return { ok: false, problems: [said("xlsform.workbook.tooManyCells", { max: XLSFORM_LIMITS.cells })] };
    }
    sheets.push(read);
  }
  return { ok: true, sheets, problems };
}

function readSheet(worksheet: Worksheet, problems: CellProblem[]): Sheet | "too-big" {
  const name = worksheet.name;
  const filled: Array<{ row: number; values: Map<number, string> }> = [];
  let tooBig = false;
  worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (tooBig) return;
    const values = new Map<number, string>();
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      const text = cellText(cell, (problem) => problems.push({ sheet: name, row: rowNumber, column: `#${col}`, ...problem }));
      if (text !== "") values.set(col, text.length > XLSFORM_LIMITS.cellChars ? text.slice(0, XLSFORM_LIMITS.cellChars) : text);
      if (text.length > XLSFORM_LIMITS.cellChars) problems.push({ sheet: name, row: rowNumber, column: `#${col}`, ...said("xlsform.workbook.cellChars", { length: text.length, max: XLSFORM_LIMITS.cellChars }) });
    });
    if (values.size === 0) return;
    filled.push({ row: rowNumber, values });
    if (filled.length > XLSFORM_LIMITS.rowsPerSheet + 1) tooBig = true;
  });
  if (tooBig) {
    problems.push({ sheet: name, ...said("xlsform.workbook.tooManyRows", { max: XLSFORM_LIMITS.rowsPerSheet }) });
    return "too-big";
  }
  const [header, ...body] = filled;
  if (!header) return { name, headers: [], rows: [] };
  const byColumn = new Map<number, string>();
  const headers: string[] = [];
  for (const [col, text] of [...header.values.entries()].sort((a, b) => a[0] - b[0])) {
    const h = text.trim();
    byColumn.set(col, h);
    headers.push(h);
  }
  if (headers.length > XLSFORM_LIMITS.columnsPerSheet) {
    problems.push({ sheet: name, row: header.row, ...said("xlsform.workbook.tooManyColumns", { columns: headers.length, max: XLSFORM_LIMITS.columnsPerSheet }) });
  }
  // Problems found while reading cells name the column by number; give them their header.
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i]!;
    if (p.sheet === name && p.column?.startsWith("#")) {
      const h = byColumn.get(Number(p.column.slice(1)));
      problems[i] = { ...p, column: h ?? `${columnLetter(Number(p.column.slice(1)))} (no header)` };
    }
  }
  const rows: SheetRow[] = [];
  for (const r of body) {
    const cells = new Map<string, string>();
    for (const [col, text] of r.values) {
      const h = byColumn.get(col);
      if (h === undefined) {
        problems.push({ sheet: name, row: r.row, column: `${columnLetter(col)} (no header)`, ...said("xlsform.workbook.noHeader"), warning: true });
        continue;
      }
      if (!cells.has(h)) cells.set(h, text.trim());
    }
    if ([...cells.values()].some((v) => v !== "")) rows.push({ row: r.row, cells });
  }
  return { name, headers, rows };
}

/** The text of a cell as the author sees it; formulas are refused (a form holds values, not live formulas). */
function cellText(cell: Cell, problem: (said: { readonly message: string; readonly problem: Problem }) => void): string {
  const v = cell.value as unknown;
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v.normalize("NFC");
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (v instanceof Date) {
    problem(said("xlsform.workbook.date"));
    return "";
  }
  if (typeof v === "object") {
    const o = v as { richText?: Array<{ text: string }>; formula?: string; sharedFormula?: string; text?: unknown; error?: string };
    if (o.richText) return o.richText.map((r) => r.text).join("").normalize("NFC");
    if (o.formula !== undefined || o.sharedFormula !== undefined) {
      problem(said("xlsform.workbook.formula", { formula: String(o.formula ?? o.sharedFormula) }));
      return "";
    }
    if (o.error !== undefined) {
      problem(said("xlsform.workbook.cellError", { error: o.error }));
      return "";
    }
    if (typeof o.text === "string") return o.text.normalize("NFC");
    if (o.text && typeof o.text === "object" && Array.isArray((o.text as { richText?: unknown }).richText)) {
      return ((o.text as { richText: Array<{ text: string }> }).richText.map((r) => r.text).join("")).normalize("NFC");
    }
  }
  return String(v);
}

/**
 * Sum of the uncompressed sizes in the zip's central directory, read before anything is unpacked,
 * so memory stays bounded whatever the file claims. Undefined when the directory is unreadable.
 */
export function unzippedSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 65,535.
  for (let end = bytes.length - 22; end >= Math.max(0, bytes.length - 22 - 65_535); end--) {
    if (view.getUint32(end, true) !== 0x06054b50) continue;
    const entries = view.getUint16(end + 10, true);
    let at = view.getUint32(end + 16, true);
    let total = 0;
    for (let i = 0; i < entries; i++) {
      if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return undefined;
      const size = view.getUint32(at + 24, true);
      // 0xFFFFFFFF means a ZIP64 size: far beyond any questionnaire.
      total += size === 0xffffffff ? Number.MAX_SAFE_INTEGER : size;
      at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    return total;
  }
  return undefined;
}

/** Spreadsheet column letters for a 1-based column number (1 → A, 27 → AA). */
export function columnLetter(n: number): string {
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
