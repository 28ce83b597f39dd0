// exceljs's streaming workbook reader on its own: importing "exceljs" also loads the writers (archiver,
// jszip) that an import never uses. The module exports the class that exceljs exposes as
// ExcelJS.stream.xlsx.WorkbookReader.
declare module "exceljs/lib/stream/xlsx/workbook-reader.js" {
  import type ExcelJS from "exceljs";
  const WorkbookReader: typeof ExcelJS.stream.xlsx.WorkbookReader;
  export default WorkbookReader;
}
