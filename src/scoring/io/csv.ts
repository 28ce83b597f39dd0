import { neutraliseCell, restoreCell } from "../../documents/csv-cell.js";

/** One CSV record with the file line it starts on (1-based; a quoted cell may span several lines). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** A problem with a file as a whole (encoding, quoting, header), with the line it was found on when known. */
export interface FileIssue {
  readonly line?: number;
  readonly message: string;
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
  if ((source[0] === 0xff && source[1] === 0xfe) || (source[0] === 0xfe && source[1] === 0xff)) {
    return {
      ok: false,
      issue: { message: 'the file is UTF-16 text ("Unicode text" in Excel); save it as "CSV UTF-8 (Comma delimited)" instead' },
    };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(source) };
  } catch {
    // Locate the first undecodable byte so the organiser can see which row holds the legacy text.
    const lenient = new TextDecoder("utf-8").decode(source);
    const at = lenient.indexOf("\uFFFD");
    const line = at < 0 ? undefined : countLines(lenient, at);
    return {
      ok: false,
      issue: {
        ...(line !== undefined ? { line } : {}),
        message:
          'the file is not UTF-8 text (perhaps Windows-1258 or TCVN3); save it from Excel as "CSV UTF-8 (Comma delimited)", or convert it, e.g. iconv -f WINDOWS-1258 -t UTF-8',
      },
    };
  }
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

/**
 * The CSV tokenizer under {@link readCsv}, in one pass without keeping the records: calls `onRecord`
 * with each record's cells (a new array the callee may keep) and the line it starts on, in file order;
 * blank lines are skipped. Returns the quoting problem that stopped it, if any: the records before it
 * have been passed on already, so a caller that must not act on a broken file waits for the result.
 */
export function scanCsv(text: string, delimiter: string, onRecord: (cells: string[], line: number) => void): FileIssue | undefined {
  const delim = delimiter.charCodeAt(0);
  const n = text.length;
  let line = 1;
  let i = 0;
  while (i < n) {
    const recordLine = line;
    const cells: string[] = [];
    for (;;) {
      let cell: string;
      if (text.charCodeAt(i) === 34 /* " */) {
        const openLine = line;
        i++;
        cell = "";
        let from = i;
        for (;;) {
          if (i >= n) return { line: openLine, message: "a quoted cell that starts on this line is never closed (missing \")" };
          const c = text.charCodeAt(i);
          if (c === 34) {
            if (text.charCodeAt(i + 1) === 34) {
              cell += text.slice(from, i + 1);
              i += 2;
              from = i;
              continue;
            }
            cell += text.slice(from, i);
            i++;
            break;
          }
          if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
          i++;
        }
        const after = i < n ? text.charCodeAt(i) : -1;
        if (after !== -1 && after !== delim && after !== 10 && after !== 13) {
          return { line, message: `unexpected text after a closing quote: a quoted cell must end at ${delimiter === "," ? "a comma" : `"${delimiter}"`} or the end of the line` };
        }
      } else {
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === delim || c === 10 || c === 13) break;
          i++;
        }
        cell = text.slice(start, i);
      }
      cells.push(restoreCell(cell));
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === delim) {
        i++;
        // A delimiter at the very end of the text still closes an (empty) last cell.
        if (i >= n) {
          cells.push("");
          break;
        }
      } else {
        i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        line++;
        break;
      }
    }
    if (!(cells.length === 1 && cells[0] === "")) onRecord(cells, recordLine);
  }
  return undefined;
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
