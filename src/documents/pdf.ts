// PDF documents (code slips, receipts, posters): pdfkit with an embedded DejaVu font, which covers
// every Vietnamese letter (pdfkit's standard fonts cannot encode them), and vector QR codes.
import { writeSync } from "node:fs";
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

/**
 * Ends the document and resolves with its bytes: twice a document's size in memory, so only for
 * documents known to be small (a report served over HTTP). A document of any length, such as the
 * slips of a national round, goes to a file through `streamPdf`.
 */
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

/** A document streaming into a file: `end` ends it and resolves once its last byte is written. */
export interface PdfStream {
  end(): Promise<void>;
}

/**
 * Streams a document into an open file (or a function taking each chunk) as pdfkit produces it, in bounded memory: call it before
 * drawing. pdfkit pushes each page's bytes when the next page begins (pages are not buffered), and
 * they are written then, synchronously: drawing is synchronous, so bytes left for the event loop to
 * carry (a pipe) would pile up in the stream until the last page. An error writing (a full disk)
 * is thrown from the drawing call that started the page, so the renderer fails at once.
 */
export function streamPdf(doc: PDFKit.PDFDocument, fd: number | ((chunk: Buffer) => void)): PdfStream {
  // Or into a function that takes each chunk at once (a console download: its stream is drained between pages).
  const put =
    typeof fd === "number"
      ? (chunk: Buffer): void => {
          for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        }
      : fd;
  const write = (): void => {
    let chunk: Buffer | null;
    while ((chunk = doc.read() as Buffer | null) !== null) put(chunk);
  };
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
    // Paused mode: bytes wait in the stream until read here, at each new page and whenever pdfkit says more is there.
    doc.on("readable", () => {
      try {
        write();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
  let pages = 0;
  doc.on("pageAdded", () => {
    write();
    if (++pages % FORGET_EVERY === 0) forgetLayouts(doc);
  });
  return {
    end() {
      doc.end();
      write();
      return done;
    },
  };
}

/**
 * pdfkit keeps the layout of every word it has set, per font, for the document's whole life: on a
 * national round's slips (a code and a number in every name) about 100,000 words, which held a
 * live heap of 250 MB and more. Emptied every `FORGET_EVERY` pages: at most a few thousand words
 * are kept, and the words every page repeats (the instructions) are laid out again only that
 * rarely (emptied at every page, the slips took a fifth more CPU time; without the cache, ten times
 * more). pdfkit has no call for it; its fonts keep the cache in `layoutCache` (none when the
 * document was made with `fontLayoutCache: false`).
 */
const FORGET_EVERY = 50;

function forgetLayouts(doc: PDFKit.PDFDocument): void {
  const fonts = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: Record<string, unknown> }> })._fontFamilies;
  for (const font of Object.values(fonts ?? {})) {
    if (font.layoutCache) font.layoutCache = Object.create(null) as Record<string, unknown>;
  }
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
  /** Lines it may wrap onto when too wide even at `minSize` (default: as many as it needs). */
  readonly maxLines?: number;
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

/** The height `drawFittedText` takes for `text` (it sets the document's font). */
export function fittedTextHeight(doc: PDFKit.PDFDocument, text: string, options: FittedTextOptions): number {
  const size = fitFontSize(doc, text, options.font, options.maxSize, options.minSize, options.width);
  if (fitsOnLine(doc, text, options.font, size, options.width)) return doc.font(options.font).fontSize(size).currentLineHeight(true);
  return layoutParagraph(doc, text, { font: options.font, maxSize: size, width: options.width, ...(options.maxLines ? { maxLines: options.maxLines } : {}) }).height;
}

/**
 * Draws a name or heading on one line, shrunk (down to the minimum) to fit; only a text too wide
 * even at the minimum wraps, between words. The cursor (`doc.y`) ends below the text, as with `doc.text`.
 */
export function drawFittedText(doc: PDFKit.PDFDocument, text: string, x: number, y: number, options: FittedTextOptions): number {
  const size = fitFontSize(doc, text, options.font, options.maxSize, options.minSize, options.width);
  if (fitsOnLine(doc, text, options.font, size, options.width)) doc.text(text, x, y, { width: options.width, align: options.align ?? "left" });
  // Too wide even at the minimum: wrapped between words only (pdfkit would also break after a '/' or
  // '-', or inside a word longer than the line).
  else drawParagraph(doc, text, x, y, { font: options.font, maxSize: size, width: options.width, align: options.align ?? "left", ...(options.maxLines ? { maxLines: options.maxLines } : {}) });
  return size;
}

/** A paragraph whose links and names must never be broken where a reader would type them wrongly. */
export interface ParagraphOptions {
  readonly font: string;
  /** The paragraph is set at the largest size from `maxSize` down to `minSize` (default `maxSize`) at which it fits. */
  readonly maxSize: number;
  readonly minSize?: number;
  readonly width: number;
  /** Room below `y`: a paragraph taller than this is set smaller (down to `minSize`). */
  readonly height?: number;
  readonly align?: "left" | "center" | "right";
  /** Links (https://…, www.…, t.me/…, zalo.me/…) go on a line of their own in this font (default `font`)… */
  readonly linkFont?: string;
  /** …shrunk down to this size (default the paragraph's) to stay whole; only then broken, after a '/' or '?'. */
  readonly linkMinSize?: number;
  /**
   * At most this many lines: a text longer even at `minSize` (a 10,000-character name from a file)
   * ends its last line with "…" after a whole word rather than push the rest off the paper.
   */
  readonly maxLines?: number;
  /** Written after the "…" of a paragraph cut at `maxLines` (a unit's code after its name: "… (P01)"). */
  readonly keepEnd?: string;
  /**
   * A word wider than the line even at `minSize`: "shrink" (default) draws it smaller to fit; "cut"
   * keeps what fits of it followed by "…" (a table cell of a name read from a file, where a
   * 200-letter "word" shrunk to the cell's width could not be read anyway).
   */
  readonly longWords?: "shrink" | "cut";
}

/** One laid-out line of a paragraph. */
export interface ParagraphLine {
  readonly text: string;
  readonly font: string;
  readonly size: number;
}

/** A paragraph's lines; `fits` is false when it needed more than `height` or a word wider than the line even at the smallest size. */
export interface ParagraphLayout {
  readonly lines: readonly ParagraphLine[];
  readonly height: number;
  readonly fits: boolean;
}

const LINK = /^[("'“]?(?:https?:\/\/|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:me|vn|com|net|org)\/)/i;

/** Whether a word of a printed text is a link (it must not be broken except after a '/' or '?'). */
export function isLink(word: string): boolean {
  return LINK.test(word);
}

/** A link cut after each '/' or '?' run: the only places it may go onto the next line (no hyphen is added). */
export function linkPieces(link: string): string[] {
  return link.split(/(?<=[/?])(?=[^/?])/);
}

/**
 * Lays out `text` in lines of `width`: words are never broken (a word is only ever moved whole to
 * the next line), and links get a line of their own, shrunk to stay whole, and only when even the
 * smallest size is too wide are they broken after a '/' or '?'. The whole paragraph is shrunk
 * (from `maxSize` to `minSize`) until it fits `height` and every word fits the line.
 */
export function layoutParagraph(doc: PDFKit.PDFDocument, text: string, options: ParagraphOptions): ParagraphLayout {
  const minSize = options.minSize ?? options.maxSize;
  let last: ParagraphLayout | undefined;
  for (let size = options.maxSize; ; size = Math.max(minSize, size - FIT_STEP)) {
    const lines = layoutAt(doc, text, options, size, size <= minSize);
    if (lines) {
      const height = lines.reduce((sum, line) => sum + doc.font(line.font).fontSize(line.size).currentLineHeight(true), 0);
      last = { lines, height, fits: (options.height === undefined || height <= options.height + 0.01) && lines.length <= (options.maxLines ?? Infinity) };
      if (last.fits) return last;
    }
    if (size <= minSize) break;
  }
  // Only reached in the last resort of `layoutAt`, which always lays out: the smallest size, too tall.
  if (options.maxLines === undefined || last!.lines.length <= options.maxLines) return { ...last!, fits: false };
  const kept = last!.lines.slice(0, options.maxLines);
  const end = kept[kept.length - 1]!;
  let words = end.text.split(" ");
  const measure = (t: string) => doc.font(end.font).fontSize(end.size).widthOfString(t);
  const tail = options.keepEnd ? ` … ${options.keepEnd}` : " …";
  while (words.length > 1 && measure(`${words.join(" ")}${tail}`) > options.width - FIT_SLACK) words = words.slice(0, -1);
  let line = `${words.join(" ")}${tail}`;
  // One word left, still too wide with the tail: what fits of it ("ỦỦỦ… (P01)"), when words may be cut.
  if (options.longWords === "cut" && measure(line) > options.width - FIT_SLACK) line = cutToWidth(words[0]!.replace(/…$/, ""), options.width - FIT_SLACK - measure(tail.slice(2)), measure) + tail.slice(2);
  kept[kept.length - 1] = { ...end, text: line };
  const height = kept.reduce((sum, line) => sum + doc.font(line.font).fontSize(line.size).currentLineHeight(true), 0);
  return { lines: kept, height, fits: false };
}

/**
 * The lines at `size`, or undefined when a word does not fit the line. `lastResort` (the smallest
 * size): a link may shrink further, to `linkMinSize`, and an overwide word gets a line of its own,
 * shrunk when drawn.
 */
function layoutAt(doc: PDFKit.PDFDocument, text: string, options: ParagraphOptions, size: number, lastResort: boolean): ParagraphLine[] | undefined {
  const width = options.width - FIT_SLACK;
  const font = options.font;
  const linkFont = options.linkFont ?? font;
  // A link is set in the paragraph's size while the paragraph may still shrink (one size reads
  // better and keeps pdftotext's reading order); below the paragraph's smallest, on its own.
  const linkMin = lastResort ? Math.min(size, options.linkMinSize ?? size) : size;
  const measure = (s: string, f: string, z: number) => doc.font(f).fontSize(z).widthOfString(s);
  const lines: ParagraphLine[] = [];
  let current = "";
  const flush = () => {
    if (current !== "") lines.push({ text: current, font, size });
    current = "";
  };
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (isLink(word)) {
      flush();
      let linkSize = size;
      while (linkSize > linkMin && measure(word, linkFont, linkSize) > width) linkSize = Math.max(linkMin, linkSize - FIT_STEP);
      if (measure(word, linkFont, linkSize) <= width) {
        lines.push({ text: word, font: linkFont, size: linkSize });
        continue;
      }
      // Broken only at the smallest size: a whole link is worth a smaller paragraph.
      if (!lastResort) return undefined;
      let part = "";
      for (const piece of linkPieces(word)) {
        if (part !== "" && measure(part + piece, linkFont, linkSize) > width) {
          lines.push({ text: part, font: linkFont, size: linkSize });
          part = "";
        }
        part += piece;
      }
      lines.push({ text: part, font: linkFont, size: linkSize });
      continue;
    }
    const candidate = current === "" ? word : `${current} ${word}`;
    if (measure(candidate, font, size) <= width) {
      current = candidate;
      continue;
    }
    flush();
    if (measure(word, font, size) > width) {
      if (!lastResort) return undefined;
      if (options.longWords === "cut") {
        lines.push({ text: cutToWidth(word, width, (t) => measure(t, font, size)), font, size });
        continue;
      }
    }
    current = word;
  }
  flush();
  return lines;
}

const graphemes = new Intl.Segmenter("vi", { granularity: "grapheme" });

/** The longest start of `word` (whole letters with their marks) that fits `width` followed by "…". */
export function cutToWidth(word: string, width: number, measure: (text: string) => number): string {
  const letters = [...graphemes.segment(word)].map((g) => g.segment);
  let low = 0;
  let high = letters.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(`${letters.slice(0, mid).join("")}…`) <= width) low = mid;
    else high = mid - 1;
  }
  return `${letters.slice(0, low).join("")}…`;
}

/**
 * Draws a paragraph laid out by `layoutParagraph` (a line still too wide, in the last resort, is
 * shrunk to the width rather than cut). The cursor (`doc.y`) ends below it, as with `doc.text`.
 */
export function drawParagraph(doc: PDFKit.PDFDocument, text: string, x: number, y: number, options: ParagraphOptions): ParagraphLayout {
  const layout = layoutParagraph(doc, text, options);
  let lineY = y;
  for (const line of layout.lines) {
    doc.font(line.font).fontSize(line.size);
    const height = doc.currentLineHeight(true);
    let lineWidth = doc.widthOfString(line.text);
    if (lineWidth > options.width) {
      doc.fontSize((line.size * options.width) / lineWidth);
      lineWidth = doc.widthOfString(line.text);
    }
    const align = options.align ?? "left";
    const lineX = align === "left" ? x : align === "center" ? x + (options.width - lineWidth) / 2 : x + options.width - lineWidth;
    doc.text(line.text, lineX, lineY, { lineBreak: false });
    lineY += height;
  }
  doc.x = x;
  doc.y = lineY;
  return layout;
}
