// The report as a PDF: the same model, the same tables and the same ECharts SVGs as the HTML report
// (drawn for the page's width, then written into the PDF as vector paths and text by svg-to-pdfkit),
// with DejaVu Sans embedded so Vietnamese text is printed and extracted exactly. Counts and scores
// only, as in the HTML report: units under minResponses are withheld by the scoring module.
import { createRequire } from "node:module";
import { formatDateTime } from "../channels/console/format.js";
import { drawParagraph, finishPdf, fitFontSize, layoutParagraph, PDF_FONTS } from "../documents/pdf.js";
import { unitColumns } from "../scoring/format/columns.js";
import { HEADINGS, REASONS } from "../scoring/format/index.js";
import { participationChart, slopeChart, submissionsChart, type ChartSize } from "./charts.js";
import { rankGaps } from "./data.js";
import { emptyRankingReason, rankLines, slopeText } from "./index-view.js";
import { componentIndices, reportGroupLabel, type ReportModel } from "./report.js";
import { formatNumber, formatRate, formatPeriod } from "./format.js";

const require = createRequire(import.meta.url);

const MARGIN = 40;
const A4: [number, number] = [595.28, 841.89];
const CONTENT = A4[0] - 2 * MARGIN;
/** Charts drawn for the page: 1 SVG px = 1 pt, text at 9 pt. */
const PDF_CHART: ChartSize = { width: Math.floor(CONTENT), fontSize: 9 };
/** Bars per participation chart on one page: a province's 60–100 units run over several pages. */
const BARS_PER_CHART = 25;
/** Component columns per table, so that a table fits the page's width. */
const COMPONENTS_PER_TABLE = 6;

/** A table cell: its text, or a name with what must stay at its end if it is cut ("… (P01)"). */
type TableCell = string | { readonly text: string; readonly keepEnd: string };

type SvgToPdf = (doc: PDFKit.PDFDocument, svg: string, x: number, y: number, options: { width?: number; height?: number; fontCallback?: () => string; assumePt?: boolean }) => void;

const both = (text: { vi: string; en: string }) => (text.vi === text.en ? text.vi : `${text.vi} / ${text.en}`);
const svgHeight = (svg: string) => Number(/<svg[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg)?.[1] ?? 0);

/** Writes the report of a model as a PDF (A4 portrait) and resolves with its bytes. */
export async function renderReportPdf(model: ReportModel): Promise<Buffer> {
  const { default: PDFDocument } = await import("pdfkit");
  const svgToPdf = require("svg-to-pdfkit") as SvgToPdf;
  const { campaign, t, units, groups, index, flagCounts, submissions } = model;
  const r = (key: string, options?: Record<string, unknown>) => String(t(`report.${key}`, options as never));
  const doc = new PDFDocument({
    size: A4,
    margin: MARGIN,
    autoFirstPage: false,
    bufferPages: true,
    lang: "vi",
    displayTitle: true,
    info: { Title: `${campaign.name} · ${r("title")}`, Producer: "khaosat-bot", Creator: "khaosat-bot", CreationDate: model.now, ModDate: model.now },
  });
  for (const [name, file] of Object.entries(PDF_FONTS)) doc.registerFont(name, file);
  doc.font("regular").fontSize(10);
  const bottom = () => doc.page.height - MARGIN;

  const ensure = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };
  /** A heading, kept on the same page as the first `keep` points of what follows it. */
  const heading = (text: string, size = 13, keep = 0) => {
    ensure(size * 4 + keep);
    doc.moveDown(0.6).font("bold").fontSize(size).fillColor("#1d232b").text(text, MARGIN, doc.y, { width: CONTENT }).moveDown(0.3).font("regular").fontSize(10);
  };
  const paragraph = (text: string, colour = "#1d232b") => {
    doc.font("regular").fontSize(10).fillColor(colour).text(text, MARGIN, doc.y, { width: CONTENT }).moveDown(0.3);
  };
  /**
   * A line about a unit: wrapped between words only (pdfkit's doc.text breaks after a '/' or '-' and
   * inside a word longer than the line), at most four lines, the name cut with "…" before `keepEnd`
   * (what is said about the unit) when a name from a file runs to hundreds of characters.
   */
  const unitLine = (text: string, keepEnd: string, colour = "#1d232b") => {
    const options = { font: "regular", maxSize: 10, width: CONTENT, maxLines: 4, longWords: "cut" as const, keepEnd };
    ensure(layoutParagraph(doc, text, options).height);
    doc.fillColor(colour);
    drawParagraph(doc, text, MARGIN, doc.y, options);
    doc.moveDown(0.3);
  };
  /** A chart, with its heading if given kept on the same page. */
  const chart = (svg: string, title?: string) => {
    const height = svgHeight(svg);
    const titleRoom = title ? 60 : 0;
    // A chart taller than a page (a slope chart of a hundred units) gets a page of its own height.
    if (height + titleRoom > A4[1] - 2 * MARGIN) doc.addPage({ size: [A4[0], height + titleRoom + 2 * MARGIN], margin: MARGIN });
    if (title) heading(title, 13, height);
    else ensure(height);
    svgToPdf(doc, svg, MARGIN, doc.y, { width: PDF_CHART.width, height, assumePt: true, fontCallback: () => "regular" });
    doc.y += height + 6;
    doc.x = MARGIN;
    if (doc.page.height !== A4[1]) doc.addPage({ size: A4, margin: MARGIN }); // what follows a tall page is on A4 again
  };
  // Tables, drawn here rather than by pdfkit's doc.table (which broke a long name inside a word,
  // could wrap a number and repeated no heading on the next page): a text cell wraps between words
  // only, shrinking a little (8 to 6.5 pt) before it is cut after its fourth line with "…" (its
  // unit code kept: "… (P01)"); a number stays whole on one line; a row is as tall as its tallest
  // cell and is never split; a table that runs onto another page starts it with its header row.
  const TABLE_FONT = 8;
  const TABLE_MIN_FONT = 6.5;
  const HEAD_FONT = 7;
  const HEAD_MIN_FONT = 5.5;
  const CELL_LINES = 4;
  const HEAD_LINES = 8;
  const PAD = 3;
  const MIN_FLEX = 140;
  /** A code or other narrow text column is at most this wide: a longer value wraps or shrinks. */
  const MAX_TEXT_COLUMN = 110;
  const ROW_RULE = "#d5dae1";
  const HEAD_FILL = "#eef1f5";
  const table = (head: readonly string[], rows: readonly (readonly TableCell[])[], numeric: readonly boolean[], flex = 0) => {
    const measure = (text: string, font: string, size: number) => doc.font(font).fontSize(size).widthOfString(text);
    const textOf = (cell: TableCell | undefined) => (typeof cell === "object" ? cell.text : (cell ?? ""));
    const widest = (texts: readonly string[], font: string, size: number) => Math.max(0, ...texts.map((t) => measure(t, font, size)));
    // Each column's narrowest (a number whole, a heading's longest word) and natural width.
    const bounds = head.map((h, i) => {
      if (i === flex) return { min: 0, natural: 0 };
      const headWords = widest(h.split(/\s+/), "bold", HEAD_FONT);
      const values = widest(rows.map((row) => textOf(row[i])), "regular", TABLE_FONT);
      if (numeric[i]) return { min: Math.ceil(values) + 2 * PAD, natural: Math.ceil(Math.max(24, headWords, values)) + 4 * PAD };
      const natural = Math.min(MAX_TEXT_COLUMN, Math.ceil(Math.max(24, headWords, values)) + 4 * PAD);
      return { min: Math.min(natural, 40), natural };
    });
    const room = CONTENT - MIN_FLEX;
    const natural = bounds.reduce((a, b) => a + b.natural, 0);
    const least = bounds.reduce((a, b) => a + b.min, 0);
    // Many columns (the ranking): each gives up part of what it has beyond its narrowest rather than
    // the unit column becoming too narrow for a name; a number is never made narrower than itself.
    const k = natural <= room ? 1 : least >= room ? 0 : (room - least) / (natural - least);
    const widths = bounds.map((b) => Math.floor(b.min + (b.natural - b.min) * k));
    widths[flex] = Math.max(80, CONTENT - widths.reduce((a, b, i) => (i === flex ? a : a + b), 0));
    const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const tableWidth = widths.reduce((a, b) => a + b, 0);

    /** A row's cells laid out: a number on one line (shrunk if it must), text in whole words. */
    const layoutRow = (cells: readonly TableCell[], header: boolean) => {
      const font = header ? "bold" : "regular";
      const laid = head.map((_, i) => {
        const cell = cells[i];
        const text = textOf(cell).replace(/\s+/g, " ").trim();
        const width = widths[i]! - 2 * PAD;
        if (numeric[i] && !header) {
          const size = fitFontSize(doc, text, font, TABLE_FONT, 4, width);
          return { kind: "number" as const, text, size, height: doc.font(font).fontSize(size).currentLineHeight(true) };
        }
        const layout = layoutParagraph(doc, text, {
          font,
          maxSize: header ? HEAD_FONT : TABLE_FONT,
          minSize: header ? HEAD_MIN_FONT : TABLE_MIN_FONT,
          width,
          // A heading is the report's own text: as many lines as its words need, none cut.
          maxLines: header ? HEAD_LINES : CELL_LINES,
          longWords: header ? "shrink" : "cut",
          ...(typeof cell === "object" ? { keepEnd: cell.keepEnd } : {}),
        });
        return { kind: "text" as const, layout, height: layout.height };
      });
      return { laid, height: Math.max(...laid.map((c) => c.height)) + 2 * PAD };
    };
    const drawRow = (row: ReturnType<typeof layoutRow>, header: boolean) => {
      const top = doc.y;
      if (header) doc.rect(MARGIN, top, tableWidth, row.height).fill(HEAD_FILL);
      doc.fillColor("#1d232b");
      row.laid.forEach((cell, i) => {
        const x = xs[i]! + PAD;
        const width = widths[i]! - 2 * PAD;
        if (cell.kind === "number") {
          doc.font(header ? "bold" : "regular").fontSize(cell.size);
          doc.text(cell.text, x + width - doc.widthOfString(cell.text), top + PAD, { lineBreak: false });
          return;
        }
        let y = top + PAD;
        for (const line of cell.layout.lines) {
          doc.font(line.font).fontSize(line.size);
          const height = doc.currentLineHeight(true);
          let lineWidth = doc.widthOfString(line.text);
          // Only a line still too wide in the last resort (a link piece, a code): shrunk, never cut.
          if (lineWidth > width) {
            doc.fontSize((line.size * width) / lineWidth);
            lineWidth = doc.widthOfString(line.text);
          }
          doc.text(line.text, numeric[i] ? x + width - lineWidth : x, y, { lineBreak: false });
          y += height;
        }
      });
      doc.moveTo(MARGIN, top + row.height).lineTo(MARGIN + tableWidth, top + row.height).lineWidth(0.5).strokeColor(ROW_RULE).stroke();
      doc.y = top + row.height;
    };
    const headRow = layoutRow(head, true);
    const bodyRows = rows.map((row) => layoutRow(row, false));
    // The header row with at least the first row under it.
    ensure(headRow.height + (bodyRows[0]?.height ?? 0));
    drawRow(headRow, true);
    for (const row of bodyRows) {
      if (doc.y + row.height > bottom()) {
        doc.addPage();
        drawRow(headRow, true);
      }
      drawRow(row, false);
    }
    doc.x = MARGIN;
    doc.font("regular").fontSize(10);
    doc.moveDown(0.5);
  };
  const rate = (value: number | null) => formatRate("vi", value);

  doc.addPage();
  doc.font("bold").fontSize(18).fillColor("#1d232b").text(campaign.name, { width: CONTENT });
  paragraph(`${r("title")} · ${campaign.id} · ${formatPeriod(t, campaign, model.now)}`);
  paragraph(`${r("generatedAt", formatDateTime(model.now.toISOString(), "vi", campaign.timeZone))}${model.open ? ` · ${r("provisional")}` : ""}`, model.open ? "#8a5a00" : "#4d5866");

  // Participation by unit: the console's chart, a page's worth of units at a time, then the table.
  heading(String(t("overview.byUnit")));
  const totals = model.participation.totals;
  paragraph(`${t("table.sampled")}: ${totals.sampled} · ${t("table.submitted")}: ${totals.submitted} (${rate(totals.rate)}) · ${t("table.inProgress")}: ${totals.inProgress}`);
  const barText = { submitted: t("status.submitted"), inProgress: t("status.inProgress"), notStarted: t("status.notStarted"), description: t("overview.chartDescription") };
  const bars = units.map((u) => ({ label: u.unitName, sampled: u.sampled, submitted: u.submitted, inProgress: u.inProgress }));
  for (let i = 0; i < bars.length; ) {
    // As many units as fit on a page (fewer when their names wrap onto two lines).
    let n = Math.min(BARS_PER_CHART, bars.length - i);
    let svg = participationChart(bars.slice(i, i + n), barText, PDF_CHART);
    while (svgHeight(svg) > A4[1] - 2 * MARGIN && n > 5) svg = participationChart(bars.slice(i, i + (n -= 3)), barText, PDF_CHART);
    chart(svg);
    i += n;
  }
  paragraph(String(t("overview.chartCaption")), "#4d5866");
  table(
    [t("table.unit"), r("code"), t("table.sampled"), t("table.submitted"), t("table.inProgress"), t("table.rate")].map(String),
    units.map((u) => [u.unitName, u.unit, String(u.sampled), String(u.submitted), String(u.inProgress), rate(u.rate)]),
    [false, false, true, true, true, true]
  );

  heading(String(t("overview.byGroup")));
  table(
    [t("table.group"), t("table.sampled"), t("table.submitted"), t("table.rate")].map(String),
    groups.map((g) => [reportGroupLabel(model, g.group), String(g.sampled), String(g.submitted), rate(g.rate)]),
    [false, true, true, true]
  );

  const perDay = submissionsChart(submissions.days, submissions.counts, submissions.deadline, { perDay: t("overview.perDay"), cumulative: t("overview.cumulative"), deadline: t("overview.deadline"), description: t("overview.submissionsDescription") }, PDF_CHART);
  chart(perDay, String(t("overview.perDayTitle")));

  // The index: the same columns as the console and `khaosat score`, then the component indices.
  heading(String(t("index.title")), 15);
  const names = new Map(model.unitRecords.map((u) => [u.code, u.name]));
  if (!index.outcome.ok) {
    paragraph(String(t("index.cannotScore")), "#b3261e");
    for (const e of index.outcome.errors) paragraph(`• ${e.message}`);
  } else if (!index.questionnaire.definition.scoring) {
    paragraph(String(t("index.noScoring")));
  } else {
    const report = index.outcome.report;
    const columns = unitColumns(report, index.questionnaire, false);
    const unitCell = (code: string) => `${names.get(code) ?? code} (${code})`;
    const cell = (c: (typeof columns)[number], u: (typeof report.units)[number]): TableCell => {
      if (c.name === "unit") return { text: unitCell(u.unit), keepEnd: `(${u.unit})` };
      const v = c.value(u, undefined);
      return v === null ? "–" : typeof v === "number" ? formatNumber("vi", v, c.decimal || !Number.isInteger(v) ? 2 : 0) : String(v);
    };
    const headingOf = (c: (typeof columns)[number]) => (typeof c.heading === "string" ? both(HEADINGS[c.heading]) : c.heading.literal);
    const main = columns.filter((c) => typeof c.heading === "string");
    heading(String(t("index.ranking")));
    if (report.units.length === 0) paragraph(emptyRankingReason(t, report, index.minResponses));
    else
      table(
        main.map(headingOf),
        report.units.map((u) => main.map((c) => cell(c, u))),
        main.map((c) => c.numeric),
        main.findIndex((c) => c.name === "unit"),
      );
    paragraph(String(t("index.withheldRule", { min: index.minResponses })), "#4d5866");
    if (report.excluded.length > 0) {
      heading(String(t("index.excluded")), 11);
      for (const x of report.excluded) {
        const reason = `(${x.unit}): ${x.reason === "insufficient_responses" ? t("index.withheld", { min: index.minResponses }) : both(REASONS[x.reason])}`;
        unitLine(`• ${names.get(x.unit) ?? x.unit} ${reason}`, reason);
      }
    }
    const components = componentIndices(model);
    if (components && components.rows.length > 0) {
      heading(r("components"));
      for (let i = 0; i < components.components.length; i += COMPONENTS_PER_TABLE) {
        const part = components.components.slice(i, i + COMPONENTS_PER_TABLE);
        table(
          [String(t("table.unit")), ...part],
          components.rows.map((row) => [{ text: row.unit, keepEnd: `(${row.code})` }, ...row.values.slice(i, i + COMPONENTS_PER_TABLE)]),
          [false, ...part.map(() => true)],
          0,
        );
      }
    }
    const lines = rankLines(index, names);
    const slope = lines ? slopeChart(lines, slopeText(t), PDF_CHART) : null;
    if (!slope) {
      heading(String(t("index.gapTitle")));
      paragraph(String(t("index.noAppraisal")));
    } else {
      chart(slope, String(t("index.gapTitle")));
      paragraph(String(t("index.slopeCaption")), "#4d5866");
      const gaps = rankGaps(report);
      const calledOut = report.kind === "points" ? report.units.filter((u) => gaps.has(u.unit)) : [];
      if (calledOut.length === 0) paragraph(String(t("index.noGap")));
      else {
        paragraph(String(t("index.gapCalledOut")), "#b3261e");
        for (const u of calledOut) {
          const gap = String(t("index.gapLine", { appraisal: u.appraisalRank, survey: u.surveyRank, overall: u.rank }));
          unitLine(`• ${names.get(u.unit) ?? u.unit}: ${gap}`, gap, "#b3261e");
        }
      }
    }
  }

  heading(String(t("flags.title")));
  if (flagCounts.size === 0) paragraph(String(t("flags.none")));
  else
    table(
      [t("flags.flag"), r("flagged"), t("flags.accepted"), t("flags.rejected")].map(String),
      [...flagCounts].map(([flag, c]) => [String(t(`flagNames.${flag}`)), String(c.total), String(c.accepted), String(c.rejected)]),
      [false, true, true, true],
    );

  heading(r("method"));
  for (const line of [
    r("methodScoring", { id: index.questionnaire.id, version: index.questionnaire.version }),
    r("methodSmallCells", { min: index.minResponses }),
    index.appraisal ? r("methodAppraisal", { count: index.appraisal.size }) : r("methodNoAppraisal"),
    r("methodGap"),
    r("methodConfidential"),
  ])
    paragraph(`• ${line}`);

  // Page numbers, written once every page exists.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const page = doc.page;
    page.margins.bottom = 0; // the footer sits in the margin; without this pdfkit would start a new page for it
    doc.font("regular").fontSize(8).fillColor("#4d5866").text(r("pageOf", { page: i + 1, pages: range.count }), MARGIN, page.height - MARGIN + 12, { width: page.width - 2 * MARGIN, align: "right", lineBreak: false });
  }
  return finishPdf(doc);
}
