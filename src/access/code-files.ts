import { writeSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { drawFittedText, drawParagraph, drawQr, finishPdf, layoutParagraph, newPdf, newWorkbook, PDF_FONTS, streamPdf } from "../documents/index.js";
import { stringify } from "csv-stringify/sync";
import { neutraliseCell } from "../documents/csv-cell.js";
import type { TFunction } from "i18next";
import { createI18n, isSupportedLanguage, type I18n } from "../i18n/index.js";
import { formatCode } from "./codes.js";
import { formatWhen } from "../web/format.js";
import { formatDateTime } from "../channels/console/format.js";

/** One issued code as it goes into a file: who (or which counter) it is for and how to use it. */
export interface CodeSlip {
  /** Canonical code; files show it grouped (`ABCDE-FGHJK`). */
  readonly code: string;
  /** The deep link (`codeDeepLink`). */
  readonly link: string;
  /** Unit name as printed. */
  readonly unit: string;
  /** Named codes: the respondent's external id and full name; absent on anonymous slips. */
  readonly externalId?: string;
  readonly name?: string;
  /** Anonymous slips: the public service the slip is for (issue 7). */
  readonly service?: string;
  /** The language the slip is printed in (the respondent's; default Vietnamese). */
  readonly language?: string;
}

/** File formats of issued codes, chosen by the output file's extension. */
export type CodeFileFormat = "csv" | "xlsx" | "pdf";

/** An output file name whose extension is not one of the code file formats. */
export class CodeFileFormatError extends Error {
  constructor(readonly file: string) {
    super(`cannot tell the format of "${file}": use a name ending in .csv, .xlsx or .pdf`);
    this.name = "CodeFileFormatError";
  }
}

/** The format for an output file name, from its extension (case-insensitive). */
export function codeFileFormat(file: string): CodeFileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".xlsx") return "xlsx";
  if (ext === ".pdf") return "pdf";
  throw new CodeFileFormatError(file);
}

/** Options of the printable slips. */
export interface SlipOptions {
  /** Shown in the instructions so a respondent without a camera can find the bot; absent: Zalo only. */
  readonly botUsername?: string;
  /** ZALO_BOT_LINK: the link that opens the Zalo bot (the QR when there is no Telegram bot; otherwise offered in the text). */
  readonly zaloLink?: string;
  /** Campaign name printed on each slip. */
  readonly title?: string;
  /** Fixed document dates make the PDF reproducible in tests. */
  readonly createdAt?: Date;
  /** When the campaign closes, printed on each slip in its language ("Hạn trả lời: 17:00 ngày 20/12/2026"). */
  readonly closing?: Closing;
}

/** A campaign's closing time and the zone it is written in. */
export interface Closing {
  readonly at: Date;
  readonly timeZone: string;
}

/**
 * The deadline line of a slip, receipt or poster, in `language` (Vietnamese by default): the time in
 * the campaign's zone as the product writes times for people ("Hạn trả lời: 17:00 ngày 20/12/2026",
 * "Answer by: 17:00 on 20/12/2026"); a close at midnight is the end of the day before ("Hạn trả lời:
 * hết ngày 20/12/2026"), as `--closes 2026-12-20` was meant.
 */
export function deadlineText(closing: Closing, language?: string): string {
  const t = slipText(language);
  const { at, timeZone } = closing;
  if (formatDateTime(at.toISOString(), "vi", timeZone).time === "00:00") {
    return t("deadlineEndOf", { date: formatDateTime(new Date(at.getTime() - 1).toISOString(), "vi", timeZone).date });
  }
  return t("deadline", { when: formatWhen(webText(language), at, timeZone) });
}

const collator = new Intl.Collator("vi");

/**
 * Slips in the order they are handed out: by unit, then by name (Vietnamese collation), then by
 * external id and code so that the order is the same in every file of one issue.
 */
export function sortSlips(slips: readonly CodeSlip[]): CodeSlip[] {
  return [...slips].sort(
    (a, b) =>
      collator.compare(a.unit, b.unit) ||
      collator.compare(a.name ?? "", b.name ?? "") ||
      collator.compare(a.externalId ?? "", b.externalId ?? "") ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/**
 * Writes issued codes in the given format into an open file (the pending file of `codes issue`):
 * PDF slips stream into it page by page, in bounded memory at any size of round.
 */
export async function writeCodeFileTo(fd: number, format: CodeFileFormat, slips: readonly CodeSlip[], options: SlipOptions): Promise<void> {
  if (format === "pdf") return writeSlipsPdf(fd, slips, options);
  const content = await renderCodeFile(format, slips, options);
  for (let at = 0; at < content.length; ) at += writeSync(fd, content, at);
}

/** Renders issued codes in the given format, in memory (the console's downloads; a file goes through `writeCodeFileTo`). */
export async function renderCodeFile(format: CodeFileFormat, slips: readonly CodeSlip[], options: SlipOptions): Promise<Buffer> {
  switch (format) {
    case "csv":
      return renderCodesCsv(slips);
    case "xlsx":
      return renderCodesXlsx(slips);
    case "pdf":
      return renderSlipsPdf(slips, options);
  }
}

/** The response a console download streams into: paused while it is full, abandoned when it is closed. */
export class CodeFileClosedError extends Error {
  constructor() {
    super("the download was closed before the file was complete");
    this.name = "CodeFileClosedError";
  }
}

/**
 * Between pages (or batches of rows) of a streamed file: says once that the first part is ready
 * (`ready`: until then nothing has been sent, and a failure can still be told on a page), waits
 * while the stream is full (bounded memory at any size of round), otherwise lets the event loop
 * serve others; stops when the stream was closed (the browser went away).
 */
class Pacer {
  constructor(
    private readonly out: Writable,
    private ready: (() => void) | undefined,
  ) {}

  async step(): Promise<void> {
    const ready = this.ready;
    this.ready = undefined;
    ready?.();
    if (!this.out.destroyed && this.out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off("drain", done);
          this.out.off("close", done);
          resolve();
        };
        this.out.on("drain", done);
        this.out.on("close", done);
      });
    } else await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.out.destroyed) throw new CodeFileClosedError();
  }
}

/** Rows of the CSV and XLSX files written between two pauses. */
const ROWS_PER_STEP = 500;

/**
 * Streams issued codes in the given format into `out` (a console download) and ends it, in bounded
 * memory at any size of round: PDF page by page, CSV and XLSX a batch of rows at a time. The same
 * files as `renderCodeFile` (the CSV and PDF byte for byte; the XLSX as ExcelJS's streaming writer
 * writes the same cells, all text). `ready` is called once the first part is in `out`.
 */
export async function streamCodeFile(format: CodeFileFormat, slips: readonly CodeSlip[], options: SlipOptions, out: Writable, ready?: () => void): Promise<void> {
  const pacer = new Pacer(out, ready);
  switch (format) {
    case "csv": {
      const sorted = sortSlips(slips);
      out.write(Buffer.from([0xef, 0xbb, 0xbf]));
      out.write(stringify([[...COLUMNS]], { record_delimiter: "\r\n" }));
      for (let at = 0; at < sorted.length; at += ROWS_PER_STEP) {
        out.write(stringify(sorted.slice(at, at + ROWS_PER_STEP).map((s) => row(s).map(defuse)), { record_delimiter: "\r\n" }));
        await pacer.step();
      }
      await pacer.step();
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      return;
    }
    case "xlsx": {
      const { default: ExcelJS } = await import("exceljs");
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
      const sheet = workbook.addWorksheet("codes", { views: [{ state: "frozen", ySplit: 1 }] });
      sheet.columns = COLUMNS.map((header) => ({ header, key: header, width: header === "link" ? 45 : header === "code" ? 14 : 28 }));
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
      const sorted = sortSlips(slips);
      for (let at = 0; at < sorted.length; at += ROWS_PER_STEP) {
        for (const slip of sorted.slice(at, at + ROWS_PER_STEP)) sheet.addRow(row(slip)).commit();
        await pacer.step();
      }
      await pacer.step();
      sheet.commit();
      await workbook.commit();
      return;
    }
    case "pdf": {
      const doc = await slipsDocument(options);
      const pdf = streamPdf(doc, (chunk) => void out.write(chunk));
      for (const _ of slipPages(doc, slips, options)) await pacer.step();
      await pdf.end();
      await pacer.step();
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      return;
    }
  }
}

const COLUMNS = ["external_id", "full_name", "unit", "service", "code", "link"] as const;

function row(slip: CodeSlip): string[] {
  return [slip.externalId ?? "", slip.name ?? "", slip.unit, slip.service ?? "", formatCode(slip.code), slip.link];
}

// Spreadsheets run cells beginning with = + - @ as formulas; a name from an imported file must not.
const defuse = neutraliseCell;

/** CSV for mail merge: UTF-8 with a BOM, so Excel shows the Vietnamese names correctly. */
export function renderCodesCsv(slips: readonly CodeSlip[]): Buffer {
  const text = stringify([[...COLUMNS], ...sortSlips(slips).map((s) => row(s).map(defuse))], { record_delimiter: "\r\n" });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
}

/** XLSX for mail merge: one sheet, header row frozen, cells as text. */
export async function renderCodesXlsx(slips: readonly CodeSlip[]): Promise<Buffer> {
  const workbook = await newWorkbook();
  const sheet = workbook.addWorksheet("codes", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = COLUMNS.map((header) => ({ header, key: header, width: header === "link" ? 45 : header === "code" ? 14 : 28 }));
  sheet.getRow(1).font = { bold: true };
  for (const slip of sortSlips(slips)) sheet.addRow(row(slip));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The fonts embedded in the slips: DejaVu covers every Vietnamese letter (the standard PDF fonts do not). */
export const SLIP_FONTS = PDF_FONTS;

// A4 in points, 2 × 4 slips a page: each slip about 9.5 × 6.9 cm, big enough to cut by hand.
const PAGE = { width: 595.28, height: 841.89, margin: 28 } as const;
const GRID = { columns: 2, rows: 4 } as const;
const PAD = 12;
const QR_SIZE = 104;
/** Top of the unit's name in the top margin: clear of the paper's edge (printers leave about 5 mm) and of the top cut line. */
const HEADER_Y = 15;

let i18n: I18n | undefined;

/** The printed texts (`slips` namespace) in `language` when it is one of ours, else in Vietnamese. */
export function slipText(language: string | undefined): TFunction {
  i18n ??= createI18n();
  return i18n.getFixedT(language !== undefined && isSupportedLanguage(language) ? language : "vi", "slips");
}

/** The console's texts (its `dateTime.when`, for `formatWhen`) in a slip's language. */
function webText(language: string | undefined): TFunction {
  i18n ??= createI18n();
  return i18n.getFixedT(language !== undefined && isSupportedLanguage(language) ? language : "vi", "web");
}

/** The instructions printed on a slip, in the slip's language (Vietnamese by default). */
export function slipInstructions(botUsername: string | undefined, named: boolean, zaloLink?: string, language?: string): string {
  const t = slipText(language);
  const account = t(botUsername === undefined ? "account.zalo" : zaloLink === undefined ? "account.telegram" : "account.both");
  const who = named ? t("named", { account }) : t("anonymous");
  if (botUsername === undefined) {
    // Zalo bots have no start parameter: the QR opens the bot and the respondent types the code.
    return t("zaloOnly", { link: zaloLink ?? t("zaloBotInApp"), who });
  }
  const bot = `@${botUsername.replace(/^@/, "")}`;
  const zalo = zaloLink !== undefined ? t("zaloToo", { link: zaloLink }) : "";
  return `${t("telegram", { bot })}${zalo} ${who}`;
}

/**
 * A4 PDF of cut-out slips, 8 a page with dashed cut lines: name, unit, grouped code, QR of the deep
 * link, instructions. Slips go by unit (then name); each unit starts a new page, whose top margin
 * names the unit, so a page can be handed to the unit whole.
 */
export async function renderSlipsPdf(slips: readonly CodeSlip[], options: SlipOptions): Promise<Buffer> {
  const doc = await slipsDocument(options);
  drawSlips(doc, slips, options);
  return finishPdf(doc);
}

/** The slips of `renderSlipsPdf`, streamed into an open file as they are drawn (bounded memory, any number of slips). */
export async function writeSlipsPdf(fd: number, slips: readonly CodeSlip[], options: SlipOptions): Promise<void> {
  const doc = await slipsDocument(options);
  const out = streamPdf(doc, fd);
  drawSlips(doc, slips, options);
  await out.end();
}

function slipsDocument(options: SlipOptions): Promise<PDFKit.PDFDocument> {
  return newPdf({ title: options.title ?? slipText(undefined)("title"), size: "A4", ...(options.createdAt ? { createdAt: options.createdAt } : {}) });
}

function drawSlips(doc: PDFKit.PDFDocument, slips: readonly CodeSlip[], options: SlipOptions): void {
  for (const _ of slipPages(doc, slips, options));
}

/** Draws the slips, pausing (yielding) between pages: a caller streaming the document can send each page and let others run. */
function* slipPages(doc: PDFKit.PDFDocument, slips: readonly CodeSlip[], options: SlipOptions): Generator<void, void, undefined> {
  const perPage = GRID.columns * GRID.rows;
  const cellWidth = (PAGE.width - 2 * PAGE.margin) / GRID.columns;
  const cellHeight = (PAGE.height - 2 * PAGE.margin) / GRID.rows;
  const sorted = sortSlips(slips);
  const perUnit = new Map<string, number>();
  for (const slip of sorted) perUnit.set(slip.unit, (perUnit.get(slip.unit) ?? 0) + 1);
  let cell = 0;
  let unitPage = 0;
  let pages = 0;
  let unit: string | undefined;
  for (const slip of sorted) {
    if (slip.unit !== unit) {
      unit = slip.unit;
      cell = 0;
      unitPage = 0;
    }
    if (cell === 0) {
      if (pages++ > 0) yield;
      doc.addPage();
      drawCutLines(doc, cellWidth, cellHeight);
      unitPage++;
      drawUnitHeader(doc, slipText(undefined)("unitPage", { unit: slip.unit, page: unitPage, pages: Math.ceil(perUnit.get(slip.unit)! / perPage) }));
    }
    const x = PAGE.margin + (cell % GRID.columns) * cellWidth;
    const y = PAGE.margin + Math.floor(cell / GRID.columns) * cellHeight;
    drawSlip(doc, slip, x, y, cellWidth, cellHeight, options);
    cell = (cell + 1) % perPage;
  }
  if (slips.length === 0) doc.addPage().font("regular").fontSize(12).text(slipText(undefined)("none"), PAGE.margin, PAGE.margin);
}

// The unit's name in the top margin, across the page between the edge and the top cut line (the
// vertical cut lines reach into the bottom margin only): one line, shrunk, a very long name ending in "…".
function drawUnitHeader(doc: PDFKit.PDFDocument, text: string): void {
  doc.fillColor("#555555");
  drawFittedText(doc, text, PAGE.margin, HEADER_Y, { font: "regular", maxSize: 7.5, minSize: 5.5, width: PAGE.width - 2 * PAGE.margin, maxLines: 1 });
  doc.fillColor("black");
}

function drawCutLines(doc: PDFKit.PDFDocument, cellWidth: number, cellHeight: number): void {
  doc.save().lineWidth(0.5).strokeColor("#888888").dash(4, { space: 3 });
  for (let c = 0; c <= GRID.columns; c++) {
    const x = PAGE.margin + c * cellWidth;
    doc.moveTo(x, PAGE.margin).lineTo(x, PAGE.height - PAGE.margin / 2).stroke();
  }
  for (let r = 0; r <= GRID.rows; r++) {
    const y = PAGE.margin + r * cellHeight;
    doc.moveTo(PAGE.margin / 2, y).lineTo(PAGE.width - PAGE.margin / 2, y).stroke();
  }
  doc.undash().restore();
}

// Names, units and headings run across the whole slip above the QR code, shrunk to stay on one line
// (a line of their own is what a reader, a cutter and pdftotext all expect); the code and the
// instructions sit beside the QR code. A name too long even at the smallest size wraps between
// words, onto a few lines at most (a name of hundreds of characters from a file ends in "…"), so
// that the QR code always has room above the cut line.
function drawSlip(doc: PDFKit.PDFDocument, slip: CodeSlip, x: number, y: number, width: number, height: number, options: SlipOptions): void {
  const lineX = x + PAD;
  const lineWidth = width - 2 * PAD;
  const bottom = y + height - PAD;
  let cursor = y + PAD;
  if (options.title) {
    doc.fillColor("#555555");
    drawFittedText(doc, options.title, lineX, cursor, { font: "regular", maxSize: 7.5, minSize: 6, width: lineWidth, maxLines: 2 });
    cursor = doc.y + 2;
  }
  doc.fillColor("black");
  drawFittedText(doc, slip.name ?? slipText(slip.language)("defaultName"), lineX, cursor, { font: "bold", maxSize: 11, minSize: 7, width: lineWidth, maxLines: 2 });
  drawFittedText(doc, slip.unit, lineX, doc.y + 1, { font: "regular", maxSize: 9, minSize: 7, width: lineWidth, maxLines: 3 });
  if (slip.service) drawFittedText(doc, slip.service, lineX, doc.y + 1, { font: "regular", maxSize: 9, minSize: 7, width: lineWidth, maxLines: 2 });
  if (options.closing) drawFittedText(doc, deadlineText(options.closing, slip.language), lineX, doc.y + 1, { font: "bold", maxSize: 8.5, minSize: 6.5, width: lineWidth, maxLines: 2 });

  const top = doc.y + 4;
  const instructions = slipInstructions(options.botUsername, slip.name !== undefined, options.zaloLink, slip.language);
  // Beside the QR code: "Mã của Ông/Bà:", the code, then the instructions, shrunk (7 pt down to
  // 5.5 pt) to fit rather than cut off; a link (ZALO_BOT_LINK) goes on a line of its own, whole, or
  // broken only after a '/' or '?'. Names that wrap push the QR code down: it shrinks (down to
  // 64 pt) to leave the instructions room beside it, and never crosses the cut line.
  const codeBlock = 4 + doc.font("regular").fontSize(7.5).currentLineHeight(true) + 1 + doc.font("mono").fontSize(15).currentLineHeight(true) + 4;
  const besideAt = (qr: number) => ({ font: "regular", maxSize: 7, minSize: 5.5, width: x + width - PAD - (lineX + qr + PAD), height: Math.max(0, bottom - top - codeBlock), linkMinSize: 5 }) as const;
  let qrSize = Math.max(64, Math.min(QR_SIZE, bottom - top));
  while (qrSize > 64 && !layoutParagraph(doc, instructions, besideAt(qrSize)).fits) qrSize = Math.max(64, qrSize - 8);
  const beside = besideAt(qrSize);
  drawQr(doc, slip.link, lineX, top, qrSize);
  const textX = lineX + qrSize + PAD;
  doc.font("regular").fontSize(7.5).fillColor("#555555").text(slipText(slip.language)("yourCode"), textX, top + 4, { width: beside.width });
  doc.font("mono").fontSize(15).fillColor("black").text(formatCode(slip.code), textX, doc.y + 1, { width: beside.width });
  doc.fillColor("#222222");
  if (layoutParagraph(doc, instructions, beside).fits) drawParagraph(doc, instructions, textX, doc.y + 4, beside);
  else {
    // Still too long beside the QR code (very long names above it): below it, across the slip, as
    // many lines as there is room for above the cut line.
    const belowY = Math.max(doc.y, top + qrSize) + 3;
    const lineHeight = doc.font("regular").fontSize(beside.minSize).currentLineHeight(true);
    drawParagraph(doc, instructions, lineX, belowY, { ...beside, width: lineWidth, height: Math.max(0, bottom - belowY), maxLines: Math.max(1, Math.floor((bottom - belowY) / lineHeight)) });
  }
  doc.fillColor("black");
}


/** The issued file already exists: overwriting it would destroy the only copy of earlier codes. */
export class CodeFileExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} already exists; it may hold the only copy of codes issued earlier. Choose another file name`);
    this.name = "CodeFileExistsError";
  }
}

/** Writes an issued file owner-only (it holds plain codes) and never over an existing file. */
export async function writeCodeFile(file: string, content: Buffer): Promise<void> {
  try {
    await writeFile(file, content, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST") throw new CodeFileExistsError(file);
    throw error;
  }
}
