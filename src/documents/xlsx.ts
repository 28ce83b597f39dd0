// Spreadsheets (reports, code lists): exceljs, loaded on first use because importing it costs about
// half a second, which every `khaosat` command would otherwise pay.
import type ExcelJSModule from "exceljs";

/** A new, empty exceljs workbook. */
export async function newWorkbook(): Promise<ExcelJSModule.Workbook> {
  const { default: ExcelJS } = await import("exceljs");
  return new ExcelJS.Workbook();
}
