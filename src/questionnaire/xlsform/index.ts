export { importXlsform, importXlsformFile, convertSheets, formatLoc, ACKNOWLEDGE_OPTION, type XlsformImportResult } from "./import.js";
export { exportXlsform, exportXlsformBytes, xlsformSheets, xlsformWorkbook, isAcknowledgeStep, type SheetData } from "./export.js";
export { translateRelevant, toRelevant, printCondition, canonicalCondition, ExportConditionError, type RefInfo, type TranslateResult } from "./relevant.js";
export { parseXPath, XPathError, type XNode, type XOp } from "./xpath.js";
export { readWorkbook, XLSFORM_LIMITS, type Sheet, type SheetRow, type CellProblem } from "./workbook.js";
export { loadQuestionnaireSource, isXlsformPath, type SourceLoadResult } from "./source.js";
