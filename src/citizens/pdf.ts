import { deadlineText, formatCode, slipText, type Closing } from "../access/index.js";
import { drawFittedText, drawParagraph, drawQr, fitsOnLine, fittedTextHeight, finishPdf as finish, layoutParagraph, newPdf, streamPdf } from "../documents/index.js";

/** One anonymous slip on a receipt: the unit, the service, the deep link and the code. */
export interface ReceiptSlip {
  readonly code: string;
  readonly link: string;
  readonly unit: string;
  readonly service?: string;
}

/** Document settings shared by the receipt and poster PDFs. */
export interface CitizenPdfOptions {
  /** The Telegram bot; absent when only Zalo is used. */
  readonly botUsername?: string;
  /** ZALO_BOT_LINK: the link that opens the Zalo bot (the QR when there is no Telegram bot, else offered in the text). */
  readonly zaloLink?: string;
  /** Campaign name, printed small. */
  readonly title?: string;
  /** Fixed document dates make the PDF reproducible in tests. */
  readonly createdAt?: Date;
  /** When the campaign closes: printed on each receipt and on the poster ("Hạn trả lời: …"). */
  readonly closing?: Closing;
  /** The language of the printed texts: Vietnamese (default) or English (for a counter serving foreigners). */
  readonly language?: string;
}

/** The instructions printed on a receipt slip: Telegram, Zalo (the code is typed: Zalo links carry no code), or both. */
export function receiptInstructions(botUsername: string | undefined, zaloLink?: string, language?: string): string {
  const t = slipText(language);
  const after = t("receipt.after");
  if (botUsername === undefined) return t("receipt.zaloOnly", { link: zaloLink ?? t("zaloBotInApp"), after });
  const telegram = t("receipt.telegram", { bot: botUsername.replace(/^@/, ""), after });
  return zaloLink === undefined ? telegram : telegram + t("receipt.zaloToo", { link: zaloLink });
}

// 80 mm paper has a printable width of about 72 mm; pages are cut by the printer after each slip.
// A slip whose names or links take more lines than usual gets a longer page rather than a second one.
const RECEIPT = { width: 226.77, height: 340, margin: 12 } as const;
const RECEIPT_QR = 130;

/** The layout of a receipt slip's texts (the same for measuring the page and for drawing it). */
function receiptTexts(doc: PDFKit.PDFDocument, slip: ReceiptSlip) {
  const width = RECEIPT.width - 2 * RECEIPT.margin;
  // Each field stays on one line, shrunk as far as a receipt stays legible: at the minimum sizes a
  // unit name or service of about 60 characters still fits the 72 mm line. A unit name too long
  // for bold at 7 pt is set in the narrower regular face rather than in tinier bold; longer ones
  // wrap between words (a few lines at most: hundreds of characters from a file end in "…").
  const unitFont = fitsOnLine(doc, slip.unit, "bold", 7, width) ? "bold" : "regular";
  return {
    header: { font: "bold", maxSize: 10, minSize: 7, width, align: "center" } as const,
    unit: { font: unitFont, maxSize: 9.5, minSize: 6, width, align: "center", maxLines: 4 } as const,
    service: { font: "regular", maxSize: 8.5, minSize: 6, width, align: "center", maxLines: 3 } as const,
    // A link (ZALO_BOT_LINK) gets a line of its own, shrunk to 6 pt to stay whole (about 55
    // characters), and only a longer one is broken, after a '/' or '?', never inside a word.
    instructions: { font: "regular", maxSize: 7.5, minSize: 7.5, width, align: "center", linkMinSize: 6 } as const,
    deadline: { font: "bold", maxSize: 8.5, minSize: 7, width, align: "center", maxLines: 2 } as const,
  };
}

/** A PDF for 80 mm receipt printers: one slip a page (unit, service, QR of the deep link, code, the instructions). */
export async function renderReceiptPdf(slips: readonly ReceiptSlip[], options: CitizenPdfOptions): Promise<Buffer> {
  const doc = await newDocument(options, slipText(options.language)("receipt.title"));
  drawReceipts(doc, slips, options);
  return finish(doc);
}

/** The receipts of `renderReceiptPdf`, streamed into an open file as they are drawn (bounded memory, any batch size). */
export async function writeReceiptPdf(fd: number, slips: readonly ReceiptSlip[], options: CitizenPdfOptions): Promise<void> {
  const doc = await newDocument(options, slipText(options.language)("receipt.title"));
  const out = streamPdf(doc, fd);
  drawReceipts(doc, slips, options);
  await out.end();
}

function drawReceipts(doc: PDFKit.PDFDocument, slips: readonly ReceiptSlip[], options: CitizenPdfOptions): void {
  const instructions = receiptInstructions(options.botUsername, options.zaloLink, options.language);
  const header = slipText(options.language)("receipt.header");
  // The deadline in the receipt's language, as its other texts.
  const deadline = options.closing ? deadlineText(options.closing, options.language) : undefined;
  for (const slip of slips) {
    const texts = receiptTexts(doc, slip);
    const codeHeight = doc.font("mono").fontSize(16).currentLineHeight(true);
    const needed =
      RECEIPT.margin +
      fittedTextHeight(doc, header, texts.header) +
      4 +
      fittedTextHeight(doc, slip.unit, texts.unit) +
      (slip.service ? 2 + fittedTextHeight(doc, slip.service, texts.service) : 0) +
      6 +
      RECEIPT_QR +
      4 +
      codeHeight +
      4 +
      (deadline ? fittedTextHeight(doc, deadline, texts.deadline) + 4 : 0) +
      layoutParagraph(doc, instructions, texts.instructions).height +
      RECEIPT.margin;
    const height = Math.max(RECEIPT.height, Math.ceil(needed));
    doc.addPage({ size: [RECEIPT.width, height], margin: 0 });
    doc.fillColor("black");
    drawFittedText(doc, header, RECEIPT.margin, RECEIPT.margin, texts.header);
    drawFittedText(doc, slip.unit, RECEIPT.margin, doc.y + 4, texts.unit);
    if (slip.service) drawFittedText(doc, slip.service, RECEIPT.margin, doc.y + 2, texts.service);
    let y = doc.y + 6;
    drawQr(doc, slip.link, (RECEIPT.width - RECEIPT_QR) / 2, y, RECEIPT_QR);
    y += RECEIPT_QR + 4;
    doc.font("mono").fontSize(16).text(formatCode(slip.code), RECEIPT.margin, y, { width: texts.header.width, align: "center" });
    if (deadline) drawFittedText(doc, deadline, RECEIPT.margin, doc.y + 4, texts.deadline);
    drawParagraph(doc, instructions, RECEIPT.margin, doc.y + 4, texts.instructions);
  }
  if (slips.length === 0) doc.addPage({ size: [RECEIPT.width, RECEIPT.height], margin: 0 }).font("regular").fontSize(9).text(slipText(options.language)("receipt.none"), RECEIPT.margin, RECEIPT.margin);
}

/** The poster's headline in `language` (Vietnamese by default). */
export function posterHeadline(language?: string): string {
  return slipText(language)("poster.headline");
}

/**
 * A heading split into lines of similar width, so that no line holds a lone word: one line when it
 * fits, else the fewest lines, with the words shared out as evenly as their widths allow.
 */
export function balancedLines(text: string, measure: (line: string) => number, width: number): string[] {
  const words = text.split(/\s+/).filter((w) => w !== "");
  if (measure(words.join(" ")) <= width || words.length < 2) return [words.join(" ")];
  for (let count = 2; count <= words.length; count++) {
    let best: string[] | undefined;
    let bestWidest = Infinity;
    // Every way of cutting the words into `count` lines (headings are short, so this stays small).
    const cut = (start: number, left: number, lines: string[]): void => {
      if (left === 1) {
        const all = [...lines, words.slice(start).join(" ")];
        const widest = Math.max(...all.map(measure));
        if (widest <= width && widest < bestWidest) [best, bestWidest] = [all, widest];
        return;
      }
      for (let end = start + 1; end <= words.length - left + 1; end++) cut(end, left - 1, [...lines, words.slice(start, end).join(" ")]);
    };
    cut(0, count, []);
    if (best) return best;
  }
  return words;
}

/** What a counter poster shows. */
export interface PosterContent {
  readonly unit: string;
  readonly service?: string;
  readonly link: string;
  /** How often one person may answer, in days (printed so nobody is surprised by a refusal). */
  readonly periodDays: number;
  /**
   * The poster on Zalo: a Zalo link carries nothing, so the poster prints the `KP_…` text to send.
   * `qr`: the QR is the Zalo link (no Telegram bot); otherwise Zalo is offered beside Telegram's QR.
   */
  readonly zalo?: { readonly link: string; readonly payload: string; readonly qr: boolean };
}

/**
 * The instructions under a poster's QR, in `language`: scan the QR (Telegram's link carries the
 * unit); Zalo needs the poster's text sent.
 */
export function posterInstructions(poster: Pick<PosterContent, "zalo">, language?: string): string {
  const t = slipText(language);
  const zalo = poster.zalo;
  if (zalo === undefined) return t("poster.instructions");
  if (zalo.qr) return t("poster.zaloQr");
  return t("poster.instructions") + t("poster.zaloToo", { link: zalo.link });
}

/**
 * An A4 poster for a one-stop counter: the unit, a large reusable QR of the deep link, what happens,
 * and until when. The texts are measured first; the QR code takes what the page has left (from
 * 220 pt up to 400 pt, about 14 cm), and whatever is still left is shared out between the gaps, so
 * the poster fills the page from its top margin to its bottom one.
 */
export async function renderPosterPdf(poster: PosterContent, options: CitizenPdfOptions): Promise<Buffer> {
  const doc = await newDocument(options, slipText(options.language)("poster.title"));
  drawPoster(doc, poster, options);
  return finish(doc);
}

/** The poster of `renderPosterPdf`, streamed into an open file (as every file the commands write). */
export async function writePosterPdf(fd: number, poster: PosterContent, options: CitizenPdfOptions): Promise<void> {
  const doc = await newDocument(options, slipText(options.language)("poster.title"));
  const out = streamPdf(doc, fd);
  drawPoster(doc, poster, options);
  await out.end();
}

function drawPoster(doc: PDFKit.PDFDocument, poster: PosterContent, options: CitizenPdfOptions): void {
  const page = { width: 595.28, height: 841.89, margin: 56, top: 44, bottom: 44 };
  const width = page.width - 2 * page.margin;
  doc.addPage({ size: "A4", margin: 0 });
  const x = page.margin;

  /** A block of the poster: its height, the gap above it (a weight of the spare room too), and how to draw it at `y`. */
  interface Block {
    readonly height: number;
    readonly gap: number;
    readonly draw: (y: number) => void;
    readonly color?: string;
  }
  const blocks: Block[] = [];
  const fitted = (text: string, opts: Parameters<typeof drawFittedText>[4], gap: number, color?: string) =>
    blocks.push({ height: fittedTextHeight(doc, text, opts), gap, draw: (y) => drawFittedText(doc, text, x, y, opts), ...(color ? { color } : {}) });
  const paragraph = (text: string, opts: Parameters<typeof drawParagraph>[4], gap: number, color?: string) =>
    blocks.push({ height: layoutParagraph(doc, text, opts).height, gap, draw: (y) => drawParagraph(doc, text, x, y, opts), ...(color ? { color } : {}) });

  // The campaign's name, however long, wraps between words only and pushes the rest down.
  if (options.title) paragraph(options.title, { font: "regular", maxSize: 12, minSize: 9, width, align: "center", maxLines: 3 }, 0, "#555555");
  const t = slipText(options.language);
  const headline = balancedLines(posterHeadline(options.language), (t) => doc.font("bold").fontSize(32).widthOfString(t), width - 2).join("\n");
  blocks.push({
    height: doc.font("bold").fontSize(32).heightOfString(headline, { width }),
    gap: options.title ? 18 : 0,
    draw: (y) => doc.font("bold").fontSize(32).text(headline, x, y, { width, align: "center" }),
  });
  fitted(poster.unit, { font: "bold", maxSize: 22, minSize: 12, width, align: "center", maxLines: 3 }, 16);
  if (poster.service) fitted(poster.service, { font: "regular", maxSize: 17, minSize: 10, width, align: "center", maxLines: 3 }, 6);
  const qrIndex = blocks.length;
  // No "search for the bot" here: the poster's link carries its unit (Telegram), or its text is printed to send (Zalo).
  // A Zalo link gets a line of its own, whole (shrunk to 10 pt at most), broken only after a '/' or '?'.
  paragraph(posterInstructions(poster, options.language), { font: "regular", maxSize: 16, minSize: 12, width, align: "center", linkMinSize: 10 }, 16);
  // The text to send on Zalo, on its own line and large enough to copy from across a counter.
  if (poster.zalo) fitted(poster.zalo.payload, { font: "bold", maxSize: 24, minSize: 12, width, align: "center" }, 8);
  if (options.closing) fitted(deadlineText(options.closing, options.language), { font: "bold", maxSize: 18, minSize: 12, width, align: "center", maxLines: 2 }, 12);
  paragraph(
    t("poster.privacy", { accounts: poster.zalo === undefined ? "Telegram" : poster.zalo.qr ? "Zalo" : t("poster.accountsBoth"), days: poster.periodDays }),
    { font: "regular", maxSize: 12, minSize: 10, width, align: "center" },
    14,
    "#333333",
  );

  const room = page.height - page.top - page.bottom;
  const qrGap = 18;
  const texts = blocks.reduce((sum, b) => sum + b.height + b.gap, 0) + qrGap;
  const qrSize = Math.max(220, Math.min(400, width, room - texts));
  blocks.splice(qrIndex, 0, { height: qrSize, gap: qrGap, draw: (y) => drawQr(doc, poster.link, (page.width - qrSize) / 2, y, qrSize) });
  // What the QR code could not take goes to the gaps (in proportion to them), at most doubling each.
  const gaps = blocks.reduce((sum, b) => sum + b.gap, 0);
  const spare = Math.max(0, Math.min(gaps, room - texts - qrSize));
  let y = page.top;
  for (const block of blocks) {
    y += block.gap + (gaps > 0 ? (spare * block.gap) / gaps : 0);
    doc.fillColor(block.color ?? "black");
    block.draw(y);
    y += block.height;
  }
  doc.fillColor("black");
}

function newDocument(options: CitizenPdfOptions, fallbackTitle: string): Promise<PDFKit.PDFDocument> {
  return newPdf({ title: options.title ?? fallbackTitle, ...(options.createdAt ? { createdAt: options.createdAt } : {}) });
}
