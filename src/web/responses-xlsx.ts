// A paper responses workbook (XLSX, the layout of SURVEY-FORMAT §4 on its first sheet) given to the
// same parser and importer as a responses CSV: the sheet is read by the respondents' streaming table
// reader, written as CSV (cells round-trip exactly), and every line number the parser reports is
// mapped back to the workbook's row, so the organiser is told the row they see in Excel.
import { writeCsv } from "../scoring/io/index.js";
import { streamTable } from "../respondents/index.js";
import type { Problem } from "../i18n/index.js";

/** The workbook as CSV bytes, the row of each CSV line, and cells that have no usable text. */
export interface WorkbookAsCsv {
  readonly csv: Uint8Array;
  /** The workbook row of a CSV line (the line itself when unknown). */
  rowOf(line: number): number;
  readonly problems: readonly { line: number; message: string; problems?: readonly Problem[] }[];
}

/** Reads the first sheet of the .xlsx file at `file`; a TableFileError says what is wrong with the file. */
export async function workbookAsCsv(file: string): Promise<WorkbookAsCsv> {
  const records: string[][] = [];
  const rows: number[] = [];
  const problems: { line: number; message: string; problems?: readonly Problem[] }[] = [];
  await streamTable(file, {
    header(cells, line) {
      records.push([...cells]);
      rows.push(line);
    },
    row(row) {
      // A workbook keeps no empty cells at the end of a row: they are empty answers, not missing columns.
      const width = records[0]?.length ?? 0;
      records.push(row.cells.length < width ? [...row.cells, ...Array<string>(width - row.cells.length).fill("")] : [...row.cells]);
      rows.push(row.line);
      for (const [column, message] of row.cellProblems ?? []) {
        const name = records[0]?.[column] ?? `column ${column + 1}`;
        const issue = row.cellIssues?.get(column);
        problems.push({ line: row.line, message: `${name}: ${message}`, ...(issue ? { problems: [{ key: "respondents.cell", params: { column: name, problem: issue } }] } : {}) });
      }
    },
  });
  // Each record starts on the line after the previous one's last: count the line breaks it holds.
  const byLine = new Map<number, number>();
  let line = 1;
  records.forEach((record, i) => {
    byLine.set(line, rows[i]!);
    line += writeCsv([record]).match(/\r\n|\r|\n/g)!.length;
  });
  return { csv: new TextEncoder().encode(writeCsv(records)), rowOf: (l) => byLine.get(l) ?? l, problems };
}
