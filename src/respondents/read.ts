// Reads a respondents table from CSV (UTF-8, BOM allowed, comma or semicolon) or XLSX (streamed, so
// streamed row by row, merged blocks filled) into a header and rows of trimmed strings.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { parse } from "csv-parse/sync";
import { SaxesParser } from "saxes";

/** A file that cannot be read as a table; the message says what to do. */
export class TableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TableFileError";
  }
}

/**
 * One data row: its line (CSV) or row number (XLSX), its cells as text, and what is wrong with a
 * cell that has no usable text (a formula error, a formula without a saved value), by column index.
 */
export interface TableRow {
  readonly line: number;
  readonly cells: readonly string[];
  readonly cellProblems?: ReadonlyMap<number, string>;
}

/** A table: header names (as written) and the data rows after it. */
export interface Table {
  readonly header: readonly string[];
  readonly headerLine: number;
  readonly rows: readonly TableRow[];
}

/** Receives a table row by row: the header (the first non-empty row) once, then each later row. */
export interface TableSink {
  header(cells: readonly string[], line: number): void;
  row(row: TableRow): void;
}

/** Reads a .csv or .xlsx file into memory (small files, tests); `streamTable` for imports. */
export async function readTable(file: string): Promise<Table> {
  let head: { header: readonly string[]; headerLine: number } | undefined;
  const rows: TableRow[] = [];
  await streamTable(file, {
    header: (header, headerLine) => (head = { header, headerLine }),
    row: (row) => rows.push(row),
  });
  if (!head) throw new Error("bug: streamTable returned without a header");
  return { ...head, rows };
}

/**
 * Reads a .csv or .xlsx file row by row: an XLSX is streamed (its first sheet parsed as it is
 * decompressed), so memory holds the shared strings but never all the rows.
 */
export async function streamTable(file: string, sink: TableSink): Promise<void> {
  try {
    await stat(file);
  } catch {
    throw new TableFileError(`cannot read ${file}: no such file`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".txt") return readCsv(file, sink);
  if (ext === ".xlsx") return readXlsx(file, sink);
  if (ext === ".xls") throw new TableFileError(`${file} is an old Excel 97–2003 file; save it as .xlsx (Excel Workbook) or CSV UTF-8`);
  throw new TableFileError(`${file}: unknown file type "${ext}"; use .csv (UTF-8) or .xlsx`);
}


/**
 * Whether text without a byte-order mark is UTF-16 ("Unicode Text" saved without BOM): in such text
 * every other byte of the ASCII letters, digits, commas and line breaks is 0, which UTF-8 and the
 * legacy 8-bit encodings never have in a table. Looks at the first 4 KiB only.
 */
export function looksLikeUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return false;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  return oddZeros >= pairs * 0.3 || evenZeros >= pairs * 0.3;
}

const UTF16_ADVICE = 'is UTF-16 text ("Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" instead';

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

async function readCsv(file: string, sink: TableSink): Promise<void> {
  let bytes: Uint8Array = await readFile(file);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksLikeUtf16(bytes)) {
    throw new TableFileError(`${file} ${UTF16_ADVICE}`);
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
  sink.header(
    head.record.map((h) => h.trim()),
    head.info.lines,
  );
  for (const r of rest) sink.row({ line: r.info.lines, cells: r.record });
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

/** 1-based index → column letters. */
function columnLetters(index: number): string {
  let letters = "";
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A merged block, 1-based and inclusive. */
interface Merge {
  readonly r1: number;
  readonly c1: number;
  readonly r2: number;
  readonly c2: number;
}

function parseMerge(ref: string): Merge | null {
  const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
  if (!m) return null;
  const c1 = columnIndex(m[1]!), r1 = Number(m[2]), c2 = columnIndex(m[3]!), r2 = Number(m[4]);
  return { r1: Math.min(r1, r2), c1: Math.min(c1, c2), r2: Math.max(r1, r2), c2: Math.max(c1, c2) };
}

// Excel writes control characters as _xHHHH_ in cell text.
const decodeEscapes = (text: string): string => (text.includes("_x") ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text);

/** Text of a `<c>` element's number value: integers as written, no exponent for ids and phones. */
function numberText(v: string): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return v.trim();
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
}

/**
 * Streams the first sheet of an XLSX. exceljs unzips and reads the shared strings (as events, kept
 * as plain strings); the sheet's XML is copied to a temporary file while its merged blocks (written
 * after the rows) are noted, then parsed row by row with merged blocks filled as each row passes.
 */
async function readXlsx(file: string, sink: TableSink): Promise<void> {
  // Loaded on first use: importing exceljs costs about half a second that every command would pay.
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(file), {
    entries: "emit",
    sharedStrings: "emit",
    hyperlinks: "ignore",
    styles: "ignore",
    worksheets: "emit",
  });
  // exceljs decodes each compressed chunk on its own, which garbles a Vietnamese letter whose UTF-8
  // bytes straddle two chunks; hand it text decoded across chunk boundaries instead.
  const internals = reader as unknown as { _parseSharedStrings(entry: Readable): AsyncGenerator<unknown> };
  const parseSharedStrings = internals._parseSharedStrings.bind(reader);
  internals._parseSharedStrings = (entry) => parseSharedStrings(entry.pipe(utf8Text()));
  const shared: string[] = [];
  const merges: Merge[] = [];
  const tmp = await mkdtemp(path.join(tmpdir(), "khaosat-xlsx-"));
  const sheetFile = path.join(tmp, "sheet.xml");
  let found = false;
  try {
    try {
      // exceljs yields each shared string as a bare { index, text } and other parts as { eventType, value }.
      const events = (reader as unknown as { parse(): AsyncIterable<{ eventType?: string; value?: unknown; index?: number; text?: unknown }> }).parse();
      for await (const event of events) {
        const { eventType, value } = event;
        if (eventType === undefined && typeof event.index === "number") {
          shared[event.index] = cellText(event.text);
        } else if (eventType === "worksheet" && !found) {
          // The first sheet only; the loop goes on so that exceljs removes its own temporary files.
          await copySheet((value as { iterator: AsyncIterable<Buffer | string> }).iterator, sheetFile, merges);
          found = true;
        }
      }
    } catch (error) {
      throw new TableFileError(`${file}: not a readable XLSX file: ${(error as Error).message}`);
    }
    if (!found) throw new TableFileError(`${file} has no sheet: expected a header row in the first sheet`);
    await parseSheet(file, sheetFile, shared, merges, sink);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Copies a sheet's XML to `target` as UTF-8 text, noting its `<mergeCell>` blocks on the way. */
async function copySheet(source: AsyncIterable<Buffer | string>, target: string, merges: Merge[]): Promise<void> {
  const out = createWriteStream(target, { encoding: "utf8" });
  const decoder = new StringDecoder("utf8");
  let tail = "";
  const scan = (piece: string) => {
    const text = tail + piece;
    for (const m of text.matchAll(/<mergeCell\b[^>]*\bref="([A-Z]+\d+:[A-Z]+\d+)"/g)) {
      // The tail is scanned again with the next piece: only take blocks that end in the new text.
      if (m.index + m[0].length > tail.length) {
        const merge = parseMerge(m[1]!);
        if (merge) merges.push(merge);
      }
    }
    tail = text.slice(-200);
  };
  try {
    for await (const chunk of source) {
      const piece = typeof chunk === "string" ? chunk : decoder.write(chunk);
      scan(piece);
      if (!out.write(piece)) await once(out, "drain");
    }
    const rest = decoder.end();
    scan(rest);
    out.end(rest);
    await once(out, "finish");
  } catch (error) {
    out.destroy();
    throw error;
  }
}

/** Parses a sheet's XML row by row into `sink`, filling merged blocks. */
async function parseSheet(file: string, sheetFile: string, shared: readonly string[], merges: readonly Merge[], sink: TableSink): Promise<void> {
  const byStart = new Map<number, Merge[]>();
  for (const m of merges) if (m.r1 !== m.r2 || m.c1 !== m.c2) byStart.set(m.r1, [...(byStart.get(m.r1) ?? []), m]);
  let active: { merge: Merge; value: string }[] = [];
  let headerSeen = false;

  let line = 0;
  let cells: string[] = [];
  let problems: Map<number, string> | undefined;
  let col = 0;
  let type = "";
  let formula = false;
  let value: string | null = null;
  let capture: "v" | "t" | null = null;
  let inlineText = "";
  let nextRow = 1;
  let nextCol = 1;

  const endRow = () => {
    for (const merge of byStart.get(line) ?? []) active.push({ merge, value: cells[merge.c1 - 1] ?? "" });
    if (active.length > 0) {
      active = active.filter((a) => a.merge.r2 >= line);
      for (const { merge, value: fill } of active) {
        if (merge.r1 > line) continue;
        for (let c = merge.c1; c <= merge.c2; c++) {
          while (cells.length < c) cells.push("");
          if (cells[c - 1] === "" && !problems?.has(c - 1)) cells[c - 1] = fill;
        }
      }
    }
    while (cells.length > 0 && cells[cells.length - 1] === "") cells.pop();
    if (!headerSeen) {
      if (cells.some((c) => c !== "")) {
        headerSeen = true;
        sink.header(cells, line);
      }
    } else {
      sink.row(problems ? { line, cells, cellProblems: problems } : { line, cells });
    }
  };

  const parser = new SaxesParser();
  parser.on("opentag", (node) => {
    const attributes = node.attributes as Record<string, string>;
    switch (node.name) {
      case "row": {
        const r = Number(attributes.r);
        line = Number.isInteger(r) && r > 0 ? r : nextRow;
        nextRow = line + 1;
        nextCol = 1;
        cells = [];
        problems = undefined;
        break;
      }
      case "c": {
        const ref = attributes.r;
        const letters = ref === undefined ? null : /^([A-Z]+)\d*$/.exec(ref);
        col = letters ? columnIndex(letters[1]!) : nextCol;
        nextCol = col + 1;
        type = attributes.t ?? "n";
        formula = false;
        value = null;
        inlineText = "";
        capture = null;
        break;
      }
      case "f":
        formula = true;
        break;
      case "v":
        value = "";
        capture = "v";
        break;
      case "t":
        if (type === "inlineStr") capture = "t";
        break;
    }
  });
  parser.on("text", (text) => {
    if (capture === "v") value += text;
    else if (capture === "t") inlineText += text;
  });
  parser.on("closetag", (node) => {
    switch (node.name) {
      case "v":
      case "t":
        capture = null;
        break;
      case "c": {
        let text = "";
        let problem: string | undefined;
        const where = `cell ${columnLetters(col)}${line}`;
        if (type === "inlineStr") text = decodeEscapes(inlineText).trim();
        else if (value === null) {
          if (formula) problem = `${where} holds a formula without a saved value: open the file in Excel and save it again`;
        } else if (type === "s") text = shared[Number(value)] ?? "";
        else if (type === "str") text = decodeEscapes(value).trim();
        else if (type === "e") problem = `${where} holds ${formula ? "a formula error" : "an error"} (${value.trim()})`;
        else if (type === "b") text = value.trim() === "1" ? "yes" : "no";
        else text = numberText(value);
        while (cells.length < col - 1) cells.push("");
        cells[col - 1] = text;
        if (problem) (problems ??= new Map()).set(col - 1, problem);
        break;
      }
      case "row":
        endRow();
        break;
    }
  });
  let parseError: Error | undefined;
  parser.on("error", (error) => (parseError ??= error));
  for await (const chunk of createReadStream(sheetFile, { encoding: "utf8", highWaterMark: 256 * 1024 })) {
    parser.write(chunk as string);
    if (parseError) throw new TableFileError(`${file}: not a readable XLSX file: ${parseError.message}`);
  }
  parser.close();
  if (parseError) throw new TableFileError(`${file}: not a readable XLSX file: ${parseError.message}`);
  if (!headerSeen) throw new TableFileError(`${file} has no rows in its first sheet: expected a header row`);
}
