export { PDF_FONTS, newPdf, finishPdf, streamPdf, drawQr, fitFontSize, fitsOnLine, drawFittedText, fittedTextHeight, drawParagraph, layoutParagraph, isLink, linkPieces, type PdfOptions, type PdfStream, type FittedTextOptions, type ParagraphOptions, type ParagraphLayout, type ParagraphLine } from "./pdf.js";
export { newWorkbook } from "./xlsx.js";
export { neutraliseCell, restoreCell, NEUTRALISING_CAST } from "./csv-cell.js";
