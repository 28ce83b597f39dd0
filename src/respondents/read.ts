// Reads a respondents table from CSV (UTF-8, BOM allowed, comma or semicolon) or XLSX (streamed, so
// streamed row by row, merged blocks filled) into a header and rows of trimmed strings.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { restoreCell } from "../documents/csv-cell.js";
import { englishText, type Problem } from "../i18n/problem.js";

/** A file that cannot be read as a table; the message says what to do. */
export class TableFileError extends Error {
  /** The same problem as a key of the `problems` namespace, for a reader of another language (`file` is a parameter). */
  readonly problem: Problem | undefined;
  constructor(message: string, problem?: Problem) {
    super(message);
    this.name = "TableFileError";
    this.problem = problem;
  }
}

/** A TableFileError told by key; its message is the English text. */
function fileError(key: string, params: Record<string, string | number>): TableFileError {
  const problem = { key: `table.${key}`, params };
  return new TableFileError(englishText(problem), problem);
}

/**
 * One data row: its line (CSV) or row number (XLSX), its cells as text, and what is wrong with a
 * cell that has no usable text (a formula error, a formula without a saved value), by column index.
 */
export interface TableRow {
  readonly line: number;
  readonly cells: readonly string[];
  readonly cellProblems?: ReadonlyMap<number, string>;
  /** The same problems by key (for a reader of another language). */
  readonly cellIssues?: ReadonlyMap<number, Problem>;
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
export async function streamTable(file: string, sink: TableSink, limits: TableLimits = TABLE_LIMITS): Promise<void> {
  try {
    await stat(file);
  } catch {
    throw fileError("noSuchFile", { file });
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".txt") return readCsv(file, sink, limits);
  if (ext === ".xlsx") return readXlsx(file, sink, limits);
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


/**
 * The limits of a respondents table, enforced while it is read (never after reading it whole). A
 * national round is ~90,000 rows of a dozen short columns; these leave ample room above that.
 */
export const TABLE_LIMITS = {
  /** Size of a .csv file, or of a compressed .xlsx file. */
  maxFileBytes: 200 * 1024 * 1024,
  /** Data rows. */
  maxRows: 1_000_000,
  /** Columns of a row. */
  maxColumns: 200,
  /** Characters of one cell. */
  maxCellChars: 10_000,
  /** Uncompressed size of any one part of an .xlsx (a sheet's XML, its shared strings); 50,000 rows take ~50 MB. */
  maxXlsxPartBytes: 128 * 1024 * 1024,
  /** Characters of the shared strings' XML of an .xlsx (the strings are kept in memory). */
  maxSharedStringChars: 64 * 1024 * 1024,
  /** Parts (files) inside an .xlsx. */
  maxXlsxParts: 10_000,
};

/** Limits of `streamTable` (tests lower them). */
export type TableLimits = { readonly [K in keyof typeof TABLE_LIMITS]: number };

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Refuses a file larger than the limit without reading it. */
async function checkFileSize(file: string, kind: string, limits: TableLimits): Promise<void> {
  const { size } = await stat(file);
  if (size > limits.maxFileBytes) {
    throw fileError("tooBig", { file, size: mib(size), limit: mib(limits.maxFileBytes), kind });
  }
}

/** Checks each row against the row, column and cell limits before handing it on. */
function limitedSink(file: string, sink: TableSink, limits: TableLimits): TableSink {
  let rows = 0;
  const check = (cells: readonly string[], line: number) => {
    if (cells.length > limits.maxColumns) {
      throw fileError("columns", { file, line, columns: cells.length, max: limits.maxColumns });
    }
    for (let i = 0; i < cells.length; i++) {
      if (cells[i]!.length > limits.maxCellChars) {
        throw fileError("cellChars", { file, line, column: i + 1, length: cells[i]!.length.toLocaleString("en"), max: limits.maxCellChars.toLocaleString("en") });
      }
    }
  };
  return {
    header(cells, line) {
      check(cells, line);
      sink.header(cells, line);
    },
    row(row) {
      if (++rows > limits.maxRows) {
        throw fileError("rows", { file, max: limits.maxRows.toLocaleString("en") });
      }
      check(row.cells, row.line);
      sink.row(row);
    },
  };
}

/**
 * Where a buffer stops being valid UTF-8: `bad` is the offset of the first invalid byte (or -1),
 * `complete` the length of the prefix made of whole characters (a character cut at the end of the
 * buffer is left for the next chunk).
 */
function scanUtf8(bytes: Uint8Array): { bad: number; complete: number } {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return { bad: i, complete: i };
    if (i + need >= bytes.length) {
      for (let k = i + 1; k < bytes.length; k++) if ((bytes[k]! & 0xc0) !== 0x80) return { bad: i, complete: i };
      return { bad: -1, complete: i };
    }
    for (let k = 1; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { bad: i, complete: i };
    i += need + 1;
  }
  return { bad: -1, complete: i };
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/**
 * Streams a CSV file: the bytes are checked as UTF-8 chunk by chunk (the first chunk also for
 * UTF-16 and the delimiter), parsed by csv-parse's stream parser and handed on row by row, so
 * memory holds a chunk and a row, whatever the file's size.
 */
async function readCsv(file: string, rawSink: TableSink, limits: TableLimits): Promise<void> {
  await checkFileSize(file, "CSV", limits);
  const sink = limitedSink(file, rawSink, limits);
  const { parse } = await import("csv-parse");
  let parser: ReturnType<typeof parse> | undefined;
  let failure: unknown;
  let head = true;
  let line = 1;
  let pending: Buffer = Buffer.alloc(0);
  let first = true;
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  const fail = (error: unknown) => {
    failure ??= error;
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let bytes = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      if (first) {
        first = false;
        if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksLikeUtf16(bytes)) throw fileError("utf16", { file });
        if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
        const newline = bytes.indexOf(0x0a);
        const firstLine = bytes.subarray(0, newline < 0 ? bytes.length : newline).toString("utf8");
        // Excel in a Vietnamese locale separates fields with ";" (the comma is the decimal separator).
        const delimiter = firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
        parser = parse({ delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: limits.maxColumns * limits.maxCellChars });
        parser.on("data", (r: { record: string[]; info: { lines: number } }) => {
          if (failure) return;
          try {
            if (head) {
              head = false;
              sink.header(
                r.record.map((h) => h.trim()),
                r.info.lines,
              );
            } else sink.row({ line: r.info.lines, cells: r.record.map(restoreCell) });
          } catch (error) {
            fail(error);
          }
        });
        parser.on("error", (error) => fail(fileError("invalidCsv", { file, detail: error.message })));
      }
      const { bad, complete } = scanUtf8(bytes);
      if (bad >= 0) throw notUtf8(file, bytes[bad]!, line + countNewlines(bytes, bad));
      line += countNewlines(bytes, complete);
      pending = Buffer.from(bytes.subarray(complete));
      parser!.write(bytes.subarray(0, complete));
      if (failure) throw failure;
    }
    if (pending.length > 0) throw notUtf8(file, pending[0]!, line);
    if (parser) await new Promise<void>((resolve) => parser!.end(resolve));
    if (failure) throw failure;
  } finally {
    source.destroy();
    parser?.destroy();
  }
  if (head) throw fileError("empty", { file });
}

function notUtf8(file: string, byte: number, line: number): TableFileError {
  return fileError("notUtf8", { file, byte: `0x${byte.toString(16).padStart(2, "0")}`, line });
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

/** A stream turning UTF-8 bytes into strings, never splitting a character; fails past `maxChars`. */
function utf8Text(maxChars = Infinity, tooLong: () => Error = () => new Error("too long")): Transform {
  const decoder = new StringDecoder("utf8");
  let chars = 0;
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      const text = decoder.write(chunk);
      chars += text.length;
      if (chars > maxChars) return done(tooLong());
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
 * Reads the zip's central directory (at the end of the file; small) and refuses an .xlsx whose parts
 * declare more than the limits once decompressed, before anything is decompressed or written to a
 * temporary file. Parts whose sizes lie are stopped while decompressing (shared strings, the sheet).
 */
async function checkZipDirectory(file: string, limits: TableLimits): Promise<void> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new TableFileError(`${file}: not a readable XLSX file (no zip directory): save it again from Excel as .xlsx`);
    const entries = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (entries > limits.maxXlsxParts) throw new TableFileError(`${file} holds ${entries} parts, over the limit of ${limits.maxXlsxParts} for an .xlsx: save only the sheet of respondents`);
    if (dirOffset === 0xffffffff || dirOffset + dirSize > size) throw new TableFileError(`${file}: not a readable XLSX file (zip directory out of range or ZIP64): save it again from Excel as .xlsx`);
    const dir = Buffer.alloc(dirSize);
    await handle.read(dir, 0, dirSize, dirOffset);
    let total = 0;
    for (let at = 0, n = 0; n < entries && at + 46 <= dir.length; n++) {
      if (dir.readUInt32LE(at) !== 0x02014b50) break;
      const uncompressed = dir.readUInt32LE(at + 24);
      const nameLength = dir.readUInt16LE(at + 28);
      const name = dir.subarray(at + 46, at + 46 + nameLength).toString("utf8");
      if (uncompressed === 0xffffffff || uncompressed > limits.maxXlsxPartBytes) {
        throw new TableFileError(
          `${file}: its part ${name.slice(0, 80)} expands to ${uncompressed === 0xffffffff ? "4 GB or more" : mib(uncompressed)}, over the ${mib(limits.maxXlsxPartBytes)} limit for one part: remove empty rows and columns (or whitespace) and save it again, or split it into several files`,
        );
      }
      total += uncompressed;
      at += 46 + nameLength + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32);
    }
    if (total > limits.maxXlsxPartBytes * 4) {
      throw new TableFileError(`${file} expands to ${mib(total)}, over the ${mib(limits.maxXlsxPartBytes * 4)} limit for an .xlsx: save only the sheet of respondents, or split it into several files`);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Streams the first sheet of an XLSX. exceljs unzips and reads the shared strings (as events, kept
 * as plain strings); the sheet's XML is copied to a temporary file while its merged blocks (written
 * after the rows) are noted, then parsed row by row with merged blocks filled as each row passes.
 */
async function readXlsx(file: string, rawSink: TableSink, limits: TableLimits): Promise<void> {
  await checkFileSize(file, "XLSX", limits);
  await checkZipDirectory(file, limits);
  const sink = limitedSink(file, rawSink, limits);
  // Loaded on first use: importing exceljs costs about half a second that every command would pay.
  // Its streaming reader only: the whole of exceljs (writers, archiver, jszip) took a third more to load.
  const { default: WorkbookReader } = await import("exceljs/lib/stream/xlsx/workbook-reader.js");
  const reader = new WorkbookReader(createReadStream(file), {
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
  // Counted as they are decompressed: the shared strings are kept in memory, and a small file can expand to gigabytes.
  internals._parseSharedStrings = (entry) => parseSharedStrings(entry.pipe(utf8Text(limits.maxSharedStringChars, () => new TableFileError(
    `${file}: its shared strings (the sheet's texts) expand to more than ${limits.maxSharedStringChars.toLocaleString("en")} characters, the limit: is this a respondents list? Save only the sheet of respondents, or split it into several files`,
  ))));
  // exceljs writes a sheet met before the shared strings to a temporary file of its own, whole and
  // unbounded (a 3 MB file of whitespace became a 3 GB file, left behind on failure). Telling it the
  // strings and relations are already known makes it hand the sheet over as it is decompressed;
  // copySheet copies it, within the limit, to a folder removed in every case.
  const known = reader as unknown as { sharedStrings?: unknown; workbookRels?: unknown; model?: unknown };
  known.sharedStrings ??= [];
  known.workbookRels ??= [];
  known.model ??= { sheets: [] };
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
          await copySheet((value as { iterator: AsyncIterable<Buffer | string> }).iterator, sheetFile, merges, limits.maxXlsxPartBytes, () => new TableFileError(
            `${file}: its first sheet expands to more than ${mib(limits.maxXlsxPartBytes)} of XML, the limit: remove empty rows and columns (or whitespace) and save it again, or split it into several files`,
          ));
          found = true;
        }
      }
    } catch (error) {
      if (error instanceof TableFileError) throw error;
      throw fileError("unreadableXlsx", { file, detail: (error as Error).message });
    }
    if (!found) throw fileError("noSheet", { file });
    await parseSheet(file, sheetFile, shared, merges, sink);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Copies a sheet's XML to `target` as UTF-8 text, noting its `<mergeCell>` blocks on the way. */
async function copySheet(source: AsyncIterable<Buffer | string>, target: string, merges: Merge[], maxBytes: number, tooLarge: () => Error): Promise<void> {
  const out = createWriteStream(target, { encoding: "utf8" });
  let bytes = 0;
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
      bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      if (bytes > maxBytes) throw tooLarge();
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
  let problems: Map<number, Problem> | undefined;
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
      sink.row(problems ? { line, cells, cellProblems: new Map([...problems].map(([c, p]) => [c, englishText(p)])), cellIssues: problems } : { line, cells });
    }
  };

  // The XML parser is loaded with the first workbook read (the bot and most commands read none).
  const { SaxesParser } = await import("saxes");
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
        let problem: Problem | undefined;
        const where = `${columnLetters(col)}${line}`;
        if (type === "inlineStr") text = decodeEscapes(inlineText).trim();
        else if (value === null) {
          if (formula) problem = { key: "table.formulaNoValue", params: { cell: where } };
        } else if (type === "s") text = shared[Number(value)] ?? "";
        else if (type === "str") text = decodeEscapes(value).trim();
        else if (type === "e") problem = { key: formula ? "table.formulaError" : "table.cellError", params: { cell: where, value: value.trim() } };
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
    if (parseError) throw fileError("unreadableXlsx", { file, detail: parseError.message });
  }
  parser.close();
  if (parseError) throw fileError("unreadableXlsx", { file, detail: parseError.message });
  if (!headerSeen) throw fileError("noRows", { file });
}
