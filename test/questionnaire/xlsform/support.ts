// Helpers for the XLSForm tests: sheets from row tables, workbooks on disk, definitions compared.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { QuestionnaireFile } from "../../../src/questionnaire/index.js";
import { canonicalCondition, type Sheet, type SheetData } from "../../../src/questionnaire/xlsform/index.js";

type Cell = string | number | null | undefined;

/** Sheets as the workbook reader gives them, from row tables (header first; row numbers from 1). */
export function sheetsOf(tables: Record<string, ReadonlyArray<ReadonlyArray<Cell>>>): Sheet[] {
  return Object.entries(tables).map(([name, rows]) => sheetOf({ name, rows: rows.map((r) => r.map((c) => c ?? "")) }));
}

/** One sheet as the reader gives it: trimmed headers, non-empty rows, text cells. */
export function sheetOf(data: SheetData): Sheet {
  const [header = [], ...body] = data.rows;
  const headers = header.map((h) => String(h).trim()).filter((h) => h !== "");
  const rows = body.flatMap((r, i) => {
    const cells = new Map<string, string>();
    r.forEach((value, c) => {
      const h = String(header[c] ?? "").trim();
      const text = String(value).trim();
      if (h !== "" && text !== "" && !cells.has(h)) cells.set(h, text);
    });
    return cells.size > 0 ? [{ row: i + 2, cells }] : [];
  });
  return { name: data.name, headers, rows };
}

/** Writes row tables as an .xlsx file (exceljs), returning its path. */
export async function writeWorkbook(tables: Record<string, ReadonlyArray<ReadonlyArray<Cell>>>, name = "form.xlsx"): Promise<string> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  for (const [sheet, rows] of Object.entries(tables)) {
    const ws = workbook.addWorksheet(sheet);
    for (const r of rows) ws.addRow(r.map((c) => c ?? null));
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), "khaosat-xlsform-")), name);
  await workbook.xlsx.writeFile(file);
  return file;
}

/** A definition with every showIf in canonical form, for comparing two spellings of one questionnaire. */
export function comparable(q: QuestionnaireFile): QuestionnaireFile {
  return {
    ...q,
    sections: q.sections.map((s) => ({
      ...s,
      questions: s.questions.map((x) => (x.showIf === undefined ? x : { ...x, showIf: canonicalCondition(x.showIf) })),
    })),
  };
}
