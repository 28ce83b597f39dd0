// Reads a respondents table from CSV (UTF-8, BOM allowed, comma or semicolon) or XLSX (streamed, so
// a large file needs memory for its cell texts only) into header + rows of trimmed strings.
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";

/** A file that cannot be read as a table; the message says what to do. */
export class TableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TableFileError";
  }
}

/** One data row: its line (CSV) or row number (XLSX) and its cells as text. */
export interface TableRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/** A table: header names (as written) and the data rows after it. */
export interface Table {
  readonly header: readonly string[];
  readonly headerLine: number;
  readonly rows: readonly TableRow[];
}

/** Reads a .csv or .xlsx file. */
export async function readTable(file: string): Promise<Table> {
  try {
    await stat(file);
  } catch {
    throw new TableFileError(`cannot read ${file}: no such file`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".txt") return readCsv(file);
  if (ext === ".xlsx") return readXlsx(file);
  if (ext === ".xls") throw new TableFileError(`${file} is an old Excel 97–2003 file; save it as .xlsx (Excel Workbook) or CSV UTF-8`);
  throw new TableFileError(`${file}: unknown file type "${ext}"; use .csv (UTF-8) or .xlsx`);
}

/** Line number (1-based) of a byte offset. */
function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

async function readCsv(file: string): Promise<Table> {
  let bytes: Uint8Array = await readFile(file);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new TableFileError(`${file} is UTF-16 text ("Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" instead`);
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    throw new TableFileError(
      `${file} is not UTF-8 (invalid byte 0x${bytes[bad]!.toString(16).padStart(2, "0")} on line ${lineOf(bytes, bad)}); it is probably in a legacy encoding such as Windows-1258. ` +
        `In Excel use "Save As → CSV UTF-8 (Comma delimited)", or convert it: iconv -f WINDOWS-1258 -t UTF-8 ${file} > respondents-utf8.csv`,
    );
  }
  const text = new TextDecoder("utf-8").decode(bytes);
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0);
  // Excel in a Vietnamese locale separates fields with ";" (the comma is the decimal separator).
  const delimiter = firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    throw new TableFileError(`${file}: not a valid CSV file: ${(error as Error).message}`);
  }
  const [head, ...rest] = records;
  if (!head) throw new TableFileError(`${file} is empty: expected a header row`);
  return {
    header: head.record.map((h) => h.trim()),
    headerLine: head.info.lines,
    rows: rest.map((r) => ({ line: r.info.lines, cells: r.record })),
  };
}

/** Text of an XLSX cell value: formulas give their cached result, rich text is flattened. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value instanceof Date) return value.toISOString().replace(/T00:00:00\.000Z$/, "");
  if (typeof value === "object") {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string; formula?: string; sharedFormula?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join("").trim();
    if ("formula" in v || "sharedFormula" in v) return cellText(v.result);
    if (typeof v.text === "string" || typeof v.text === "object") return cellText(v.text);
    if (typeof v.error === "string") return v.error;
  }
  return String(value).trim();
}

/** A stream turning UTF-8 bytes into strings, never splitting a character. */
function utf8Text(): Transform {
  const decoder = new StringDecoder("utf8");
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      const text = decoder.write(chunk);
      done(null, text === "" ? undefined : text);
    },
    flush(done) {
      const text = decoder.end();
      done(null, text === "" ? undefined : text);
    },
  });
}

/** Column letters → 1-based index. */
function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

async function readXlsx(file: string): Promise<Table> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(file), {
    entries: "emit",
    sharedStrings: "cache",
    hyperlinks: "ignore",
    styles: "cache",
    worksheets: "emit",
  });
  // exceljs decodes each compressed chunk on its own, which garbles a Vietnamese letter whose UTF-8
  // bytes straddle two chunks; hand it text decoded across chunk boundaries instead.
  const internals = reader as unknown as { _parseSharedStrings(entry: Readable): AsyncGenerator<unknown> };
  const parseSharedStrings = internals._parseSharedStrings.bind(reader);
  internals._parseSharedStrings = (entry) => parseSharedStrings(entry.pipe(utf8Text()));
  const rows: { line: number; cells: string[] }[] = [];
  const merges: string[] = [];
  try {
    for await (const worksheet of reader) {
      // The streaming reader also skips <mergeCell>: tap the sheet's XML on its way to the parser.
      const ws = worksheet as unknown as { iterator: AsyncIterable<Buffer | string> };
      const source = ws.iterator;
      ws.iterator = (async function* tap() {
        const decoder = new StringDecoder("utf8");
        let tail = "";
        for await (const chunk of source) {
          const piece = typeof chunk === "string" ? chunk : decoder.write(chunk);
          const text = tail + piece;
          for (const m of text.matchAll(/<mergeCell\b[^>]*\bref="([A-Z]+\d+:[A-Z]+\d+)"/g)) merges.push(m[1]!);
          tail = text.slice(-200);
          if (piece !== "") yield piece;
        }
        const rest = decoder.end();
        if (rest !== "") yield rest;
      })();
      for await (const row of worksheet) {
        const values = (row as ExcelJS.Row).values as unknown[];
        const cells = values.slice(1).map(cellText);
        while (cells.length > 0 && cells[cells.length - 1] === "") cells.pop();
        rows.push({ line: (row as ExcelJS.Row).number, cells });
      }
      break; // the first sheet only
    }
  } catch (error) {
    throw new TableFileError(`${file}: not a readable XLSX file: ${(error as Error).message}`);
  }
  // A merged block shows its value in every row it spans (e.g. a unit name merged down its staff).
  const byLine = new Map(rows.map((r) => [r.line, r]));
  for (const ref of new Set(merges)) {
    const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
    if (!m) continue;
    const c1 = columnIndex(m[1]!), r1 = Number(m[2]), c2 = columnIndex(m[3]!), r2 = Number(m[4]);
    const value = byLine.get(r1)?.cells[c1 - 1] ?? "";
    for (let r = r1; r <= r2; r++) {
      let row = byLine.get(r);
      if (!row) {
        row = { line: r, cells: [] };
        byLine.set(r, row);
        rows.push(row);
      }
      for (let c = c1; c <= c2; c++) {
        while (row.cells.length < c) row.cells.push("");
        if (row.cells[c - 1] === "") row.cells[c - 1] = value;
      }
    }
  }
  rows.sort((a, b) => a.line - b.line);
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c !== ""));
  const [head, ...rest] = nonEmpty;
  if (!head) throw new TableFileError(`${file} has no rows in its first sheet: expected a header row`);
  return { header: head.cells, headerLine: head.line, rows: rest };
}
