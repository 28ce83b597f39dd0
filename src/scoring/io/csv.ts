import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { CsvError, parse, type InfoRecord, type Options, type Parser } from "csv-parse";
import { parse as parseCsv } from "csv-parse/sync";
import { neutraliseCell, restoreCell } from "../../documents/csv-cell.js";
import { englishText, type Problem } from "../../i18n/problem.js";

/** A file issue told by key; the message is the English text. */
function issueOf(key: string, params: Record<string, string | number> = {}, line?: number): FileIssue {
  const problem = { key: `csv.${key}`, params };
  return { ...(line !== undefined ? { line } : {}), message: englishText(problem), problems: [problem] };
}

/** One CSV record with the file line it starts on (1-based; a quoted cell may span several lines). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** A problem with a file as a whole (encoding, quoting, header), with the line it was found on when known. */
export interface FileIssue {
  readonly line?: number;
  readonly message: string;
  /** The same problem by key of the `problems` namespace (where one is set), for a reader of another language. */
  readonly problems?: readonly Problem[];
}

/** Result of reading a CSV file: its records, or why it could not be read. */
export type CsvReadResult = { readonly ok: true; readonly records: CsvRecord[] } | { readonly ok: false; readonly issue: FileIssue };

/** Result of decoding a file's bytes as text. */
export type DecodeResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly issue: FileIssue };

/**
 * Decodes UTF-8 with or without a byte-order mark and refuses anything else, because a legacy
 * encoding (Windows-1258, TCVN3) silently turns Vietnamese names and unit ids into other strings.
 */
export function decodeUtf8(source: string | Uint8Array): DecodeResult {
  if (typeof source === "string") return { ok: true, text: source.startsWith("\uFEFF") ? source.slice(1) : source };
  const utf16 = utf16Issue(source);
  if (utf16) return { ok: false, issue: utf16 };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(source) };
  } catch {
    // Locate the first undecodable byte so the organiser can see which row holds the legacy text.
    const lenient = new TextDecoder("utf-8").decode(source);
    const at = lenient.indexOf("\uFFFD");
    const line = at < 0 ? undefined : countLines(lenient, at);
    return { ok: false, issue: notUtf8(line) };
  }
}

/** UTF-16 text, told by its byte-order mark. */
function utf16Issue(bytes: Uint8Array): FileIssue | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return issueOf("utf16");
  }
  return undefined;
}

function notUtf8(line: number | undefined): FileIssue {
  return issueOf("notUtf8", {}, line);
}

/** The length of the prefix of `bytes` made of whole UTF-8 characters (at most 3 bytes of a character cut at the end are left out). */
function wholeCharacters(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

function countLines(text: string, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

/**
 * The cell delimiter, read from the header line: a comma, or a semicolon when the header has
 * semicolons and no comma (Excel with Vietnamese regional settings saves CSV that way, since
 * the comma is the decimal separator there).
 */
export function detectDelimiter(text: string): "," | ";" {
  const end = text.search(/[\r\n]/);
  const header = end < 0 ? text : text.slice(0, end);
  return !header.includes(",") && header.includes(";") ? ";" : ",";
}

/**
 * Splits CSV text (RFC 4180: quoted cells, doubled quotes, CRLF, LF or CR line ends) into records,
 * keeping the line each record starts on. Blank lines are dropped.
 */
export function readCsv(text: string, delimiter: string = detectDelimiter(text)): CsvReadResult {
  const records: CsvRecord[] = [];
  const issue = scanCsv(text, delimiter, (cells, line) => {
    records.push({ line, cells });
  });
  return issue ? { ok: false, issue } : { ok: true, records };
}

/** Receives each record's cells (a new array the callee may keep) and the file line it starts on. */
export type RecordSink = (cells: string[], line: number) => void;

/**
 * The one CSV pass under every reader here: csv-parse, record by record, keeping none (its
 * `on_record` hands each record on and drops it). Blank lines are skipped; cells written by
 * `neutraliseCell` get their text back. `lines` is the last line of the previous record, from which
 * each record's first line follows (csv-parse tells where a record ends, a quoted cell may span lines).
 */
function csvOptions(delimiter: string, onRecord: RecordSink, at: { lines: number }): Options {
  return {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: false,
    on_record: (cells: string[], context: InfoRecord) => {
      const line = at.lines + 1;
      at.lines = context.lines;
      if (cells.length === 1 && cells[0] === "") return undefined;
      for (let i = 0; i < cells.length; i++) cells[i] = restoreCell(cells[i]!);
      onRecord(cells, line);
      return undefined;
    },
  };
}

/** The quoting problem that stopped csv-parse, in the words of this project; other errors (bugs) are thrown on. */
function csvIssue(error: unknown, recordLine: number, delimiter: string): FileIssue {
  if (!(error instanceof CsvError)) throw error;
  const line = (error as CsvError & { lines?: number }).lines ?? recordLine;
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return issueOf("quoteNotClosed", {}, recordLine);
    case "CSV_INVALID_CLOSING_QUOTE":
      return delimiter === "," ? issueOf("afterQuoteComma", {}, line) : issueOf("afterQuote", { delimiter }, line);
    case "INVALID_OPENING_QUOTE":
      return issueOf("openingQuote", {}, line);
    default:
      return issueOf("invalid", { detail: error.message }, line);
  }
}

/**
 * The CSV pass over text in memory: calls `onRecord` for each record, in file order. Returns the
 * quoting problem that stopped it, if any: the records before it have been passed on already, so a
 * caller that must not act on a broken file waits for the result.
 */
export function scanCsv(text: string, delimiter: string, onRecord: RecordSink): FileIssue | undefined {
  const at = { lines: 0 };
  try {
    parseCsv(text, csvOptions(delimiter, onRecord, at));
  } catch (error) {
    return csvIssue(error, at.lines + 1, delimiter);
  }
  return undefined;
}

/**
 * The same pass streamed from a file: read in chunks, checked as UTF-8 chunk by chunk (the first also
 * for UTF-16 and for the delimiter), parsed by csv-parse's stream parser. Memory holds a chunk and a
 * record, whatever the file's size. Returns the encoding or quoting problem that stopped it, if any.
 * File-system errors (a missing file) are thrown.
 */
export async function scanCsvFile(path: string, onRecord: RecordSink): Promise<FileIssue | undefined> {
  const at = { lines: 0 };
  let carry: Buffer = Buffer.alloc(0);
  let parser: Parser | undefined;
  let delimiter = ",";
  let failure: unknown;
  let linesBefore = 1;
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (failure) break;
      if (!parser) {
        const utf16 = utf16Issue(chunk);
        if (utf16) return utf16;
        delimiter = detectDelimiter(new TextDecoder("utf-8").decode(chunk.subarray(0, 64 * 1024)));
        parser = parse({ ...csvOptions(delimiter, onRecord, at), bom: true });
        parser.on("error", (error) => (failure ??= error));
      }
      // Bytes go to csv-parse as they are (it decodes each cell); they are only checked here, with
      // a character cut at the end of the chunk carried over to the next.
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const complete = wholeCharacters(bytes);
      const body = bytes.subarray(0, complete);
      if (!isUtf8(body)) {
        const lenient = new TextDecoder("utf-8").decode(body);
        return notUtf8(linesBefore - 1 + countLines(lenient, Math.max(0, lenient.indexOf("\uFFFD"))));
      }
      carry = Buffer.from(bytes.subarray(complete));
      for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) linesBefore++;
      // csv-parse handles a write synchronously (its records are handed on, none is queued), so a
      // quoting problem is known once the write returns.
      parser.write(body);
      if (failure) return csvIssue(failure, at.lines + 1, delimiter);
    }
    if (carry.length > 0) return notUtf8(linesBefore);
    if (!parser) return undefined;
    const done = parser;
    if (!failure) await new Promise<void>((resolve) => done.end(resolve));
    // A stream reports its error on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    if (failure) return csvIssue(failure, at.lines + 1, delimiter);
    return undefined;
  } finally {
    source.destroy();
    parser?.destroy();
  }
}

/** Quotes a cell when it needs it (delimiter, quote, line break, or surrounding spaces). */
export function csvCell(value: string, delimiter = ","): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Joins rows into CSV text with LF line ends. */
export function writeCsv(rows: readonly (readonly string[])[], delimiter = ","): string {
  return rows.map((row) => row.map((cell) => csvCell(neutraliseCell(cell), delimiter)).join(delimiter)).join("\n") + "\n";
}

/** `file:line: message` (or `file: message` when the line is unknown), the way compilers print problems. */
export function formatFileIssue(file: string, issue: { readonly line?: number; readonly message: string }): string {
  return `${file}${issue.line !== undefined ? `:${issue.line}` : ""}: ${issue.message}`;
}
