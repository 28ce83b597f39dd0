export { PDF_FONTS, newPdf, finishPdf, drawQr, fitFontSize, fitsOnLine, drawFittedText, type PdfOptions, type FittedTextOptions } from "./pdf.js";
export { newWorkbook } from "./xlsx.js";
export { neutraliseCell, restoreCell, NEUTRALISING_CAST } from "./csv-cell.js";
