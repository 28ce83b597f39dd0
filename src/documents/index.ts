export { PDF_FONTS, newPdf, finishPdf, drawQr, type PdfOptions } from "./pdf.js";
export { newWorkbook } from "./xlsx.js";
