// PDF documents (code slips, receipts, posters): pdfkit with an embedded DejaVu font, which covers
// every Vietnamese letter (pdfkit's standard fonts cannot encode them), and vector QR codes.
import { createRequire } from "node:module";
import type QRCodeModule from "qrcode";

const require = createRequire(import.meta.url);

/** The fonts embedded in printed documents, registered under these names. */
export const PDF_FONTS = {
  regular: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
  mono: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf"),
} as const;

/** Document settings: title, fixed dates (reproducible output in tests) and page options. */
export interface PdfOptions {
  readonly title: string;
  readonly createdAt?: Date;
  readonly size?: string | [number, number];
}

/** The QR code library, loaded with pdfkit by `newPdf` (every QR code is drawn into a document it made). */
let qrcode: typeof QRCodeModule | undefined;

/**
 * A new PDF with the fonts registered as "regular", "bold" and "mono". pdfkit and the QR code
 * library are loaded on first use: importing pdfkit costs most of a second, which every `khaosat`
 * command would otherwise pay, and both would sit in the bot's memory (the bot prints no PDF
 * unless asked for one).
 */
export async function newPdf(options: PdfOptions): Promise<PDFKit.PDFDocument> {
  const [{ default: PDFDocument }, qr] = await Promise.all([import("pdfkit"), qrcode ? undefined : import("qrcode")]);
  qrcode ??= qr!.default;
  const doc = new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    ...(options.size ? { size: options.size } : {}),
    info: {
      Title: options.title,
      Producer: "khaosat-bot",
      Creator: "khaosat-bot",
      ...(options.createdAt ? { CreationDate: options.createdAt, ModDate: options.createdAt } : {}),
    },
  });
  for (const [name, file] of Object.entries(PDF_FONTS)) doc.registerFont(name, file);
  return doc;
}

/** Ends the document and resolves with its bytes. */
export function finishPdf(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.end();
  return done;
}

/** Draws a QR code of `text` as vector squares (sharp on any printer, no image decoding), with a quiet zone. */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  if (!qrcode) throw new Error("drawQr: draw into a document made by newPdf (which loads the QR code library)");
  const qr = qrcode.create(text, { errorCorrectionLevel: "M" });
  const count = qr.modules.size;
  const quiet = 2;
  const module = size / (count + 2 * quiet);
  doc.save().fillColor("black");
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.modules.get(row, col)) doc.rect(x + (col + quiet) * module, y + (row + quiet) * module, module, module);
    }
  }
  doc.fill().restore();
}

/** A line of text that should stay on one line: the font and the size range it may be shrunk within. */
export interface FittedTextOptions {
  readonly font: string;
  readonly maxSize: number;
  readonly minSize: number;
  readonly width: number;
  readonly align?: "left" | "center" | "right";
}

// pdfkit's line wrapper sums word widths, which can exceed the whole string's width by a rounding
// error; a little slack keeps a string that measures as fitting from wrapping its last word.
const FIT_SLACK = 1;
const FIT_STEP = 0.25;

/**
 * The largest size from `maxSize` down to `minSize` (in steps of a quarter point) at which `text`
 * fits `width` on one line, measured in `font`; `minSize` when even that is too wide. Leaves the
 * document's font set to `font` (and its size to the result).
 */
export function fitFontSize(doc: PDFKit.PDFDocument, text: string, font: string, maxSize: number, minSize: number, width: number): number {
  let size = maxSize;
  while (size > minSize) {
    if (fitsOnLine(doc, text, font, size, width)) return size;
    size = Math.max(minSize, size - FIT_STEP);
  }
  doc.font(font).fontSize(minSize);
  return minSize;
}

/** Whether `text` fits `width` on one line in `font` at `size` (leaves the document's font and size set to them). */
export function fitsOnLine(doc: PDFKit.PDFDocument, text: string, font: string, size: number, width: number): boolean {
  return doc.font(font).fontSize(size).widthOfString(text) <= width - FIT_SLACK;
}

/**
 * Draws a name or heading on one line, shrunk (down to the minimum) to fit; only a text too wide
 * even at the minimum wraps. The cursor (`doc.y`) ends below the text, as with `doc.text`.
 */
export function drawFittedText(doc: PDFKit.PDFDocument, text: string, x: number, y: number, options: FittedTextOptions): number {
  const size = fitFontSize(doc, text, options.font, options.maxSize, options.minSize, options.width);
  doc.text(text, x, y, { width: options.width, align: options.align ?? "left" });
  return size;
}
