// Charts drawn on the server as SVG by Apache ECharts (no browser, no native module): the same
// functions draw the console's charts, the printable report's and the PDF report's. Labels are plain
// text that ECharts escapes into the SVG (formatters are functions, so a "{b}" in a unit name stays
// text); each chart carries an aria-label describing it.
//
// Every chart is drawn for a given size (`ChartSize`): the console and the HTML report carry a wide
// variant (760 px, shown 1:1 on a desk) and a narrow one (340 px, shown 1:1 on a 390 px phone),
// switched by CSS, so text is never scaled below its font size; the PDF draws a third at its page
// width. Long names are wrapped onto several lines (never truncated), and rows grow to hold them.
import { createRequire } from "node:module";
import type * as Echarts from "echarts";
import { html, trusted, type Html } from "./html.js";

const require = createRequire(import.meta.url);

/** The width a chart is laid out for and its text size (px in a page, pt in the PDF). */
export interface ChartSize {
  readonly width: number;
  readonly fontSize: number;
}

/** A desk screen (the console's content column) and print from a browser. */
export const WIDE: ChartSize = { width: 760, fontSize: 12 };
/** A phone: 390 px less the page's and card's padding, drawn 1:1. */
export const NARROW: ChartSize = { width: 340, fontSize: 12 };

const isNarrow = (size: ChartSize) => size.width < 480;

const FONT = "'DejaVu Sans', 'Noto Sans', Arial, sans-serif";
const COLORS = { submitted: "#1b7f3b", inProgress: "#e0a100", notStarted: "#c7ccd4", line: "#1f4e9c", alert: "#c62828", muted: "#9aa3ad", text: "#222" };

// --- Text measurement ----------------------------------------------------------------------------
// ECharts on a server has no canvas to measure text: it guesses, and counts every non-ASCII letter
// (most Vietnamese ones) as a full em, so its layout would be wrong. Text is measured here with the
// metrics of DejaVu Sans, the first font the charts ask for and the font the PDF embeds; DejaVu Sans
// is wider than the fallbacks (Noto Sans, Arial), so text measured with it fits in them too.

interface FontkitFont {
  readonly unitsPerEm: number;
  layout(text: string): { readonly advanceWidth: number };
}
let fonts: { regular: FontkitFont; bold: FontkitFont } | undefined;
const widths = new Map<string, number>();

/** The width of `text` in DejaVu Sans at `fontSize` (same unit as the size). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  fonts ??= (() => {
    const fontkit = require("fontkit") as { openSync(file: string): FontkitFont };
    return { regular: fontkit.openSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")), bold: fontkit.openSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")) };
  })();
  const key = `${bold ? "b" : "r"}${text}`;
  let perEm = widths.get(key);
  if (perEm === undefined) {
    const font = bold ? fonts.bold : fonts.regular;
    perEm = font.layout(text).advanceWidth / font.unitsPerEm;
    if (widths.size > 20_000) widths.clear(); // bounded: labels of a few campaigns
    widths.set(key, perEm);
  }
  return perEm * fontSize;
}

/**
 * Breaks `text` at spaces into lines no wider than `max`. A word wider than `max` (a code such as
 * UBND_XA_TAN_LAP_HUYEN_QUYNH_NHAI, a link) is broken after a '/', '_', '-' or '.' in it, where a
 * reader sees where it goes on; only a part without any of them is cut by letters.
 */
export function wrapText(text: string, max: number, fontSize: number, bold = false, limit?: LabelLimit): string[] {
  const lines: string[] = [];
  let line = "";
  const fits = (t: string) => textWidth(t, fontSize, bold) <= max;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    line = "";
    if (fits(word)) {
      line = word;
      continue;
    }
    for (const piece of word.split(/(?<=[/_\-.])/)) {
      if (line !== "" && !fits(line + piece)) {
        lines.push(line);
        line = "";
      }
      line += piece;
      while (!fits(line) && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && !fits(line.slice(0, cut))) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  if (!limit || lines.length <= limit.lines) return lines;
  // Too many lines (a name of hundreds of characters from a file): the first ones, the last ending
  // in "…" after a whole word where it can (then what must stay: the rank after a name).
  const kept = lines.slice(0, Math.max(1, limit.lines));
  const tail = limit.keepEnd ? `… ${limit.keepEnd}` : "…";
  let last = kept[kept.length - 1]!;
  const withTail = () => (last === "" ? tail : `${last} ${tail}`);
  while (last !== "" && !fits(withTail())) {
    const space = last.lastIndexOf(" ");
    last = space > 0 ? last.slice(0, space) : [...letters.segment(last)].slice(0, -1).map((g) => g.segment).join("");
  }
  kept[kept.length - 1] = withTail();
  return kept;
}

const letters = new Intl.Segmenter("vi", { granularity: "grapheme" });

/** At most `lines` lines of a chart's label; `keepEnd` (a rank) stays after the "…" of a cut one. */
export interface LabelLimit {
  readonly lines: number;
  readonly keepEnd?: string;
}

/** Lines of a unit's name in a chart at most: a longer one is cut with "…". */
const LABEL_LINES = 4;

let echartsModule: typeof Echarts | undefined;
// Loaded on the first chart drawn, not when the console starts: ECharts holds ~20 MB in a bot process
// that serves the console beside the bot (the CommonJS build, one file, required synchronously).
function echarts(): typeof Echarts {
  if (echartsModule) return echartsModule;
  const loaded = require("echarts") as typeof Echarts;
  loaded.setPlatformAPI({
    measureText: (text: string, font?: string) => {
      const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? "")?.[1] ?? 12);
      return { width: textWidth(text, size, /\bbold\b|\b[6-9]00\b/.test(font ?? "")) };
    },
  });
  return (echartsModule = loaded);
}

function render(size: ChartSize, height: number, description: string, option: Echarts.EChartsCoreOption): string {
  const chart = echarts().init(null, null, { renderer: "svg", ssr: true, width: size.width, height: Math.ceil(height) });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: size.fontSize, color: COLORS.text }, aria: { enabled: true, label: { description } }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const LEGEND_ICON = 25;
const LEGEND_GAP = 10;

/** A legend on top, in as many rows as it needs, and the height those rows take. */
function legend(names: readonly string[], size: ChartSize): { option: Record<string, unknown>; height: number } {
  const rowHeight = size.fontSize + 12;
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const w = LEGEND_ICON + 5 + textWidth(name, size.fontSize);
    if (x > 0 && x + w > size.width - 8) {
      rows++;
      x = 0;
    }
    x += w + LEGEND_GAP;
  }
  return { option: { top: 0, left: 4, right: 4, itemGap: LEGEND_GAP, itemWidth: LEGEND_ICON, textStyle: { color: COLORS.text, fontSize: size.fontSize } }, height: rows * rowHeight };
}

/** One chart in two sizes in a figure: the wide one on a desk and in print, the narrow one on a phone (see style.ts). */
export function chartFigure(draw: (size: ChartSize) => string, label: string, options: { id?: string; caption?: string } = {}): Html {
  return html`<figure class="chart"${options.id ? html` id="${options.id}"` : ""} role="img" aria-label="${label}"><div class="chart-wide">${trusted(draw(WIDE))}</div><div class="chart-narrow">${trusted(draw(NARROW))}</div>${
    options.caption ? html`<figcaption>${options.caption}</figcaption>` : ""
  }</figure>`;
}

// --- Participation per unit ----------------------------------------------------------------------

/** One bar of the participation chart: shares of a unit's sample. */
export interface ParticipationBar {
  readonly label: string;
  readonly sampled: number;
  readonly submitted: number;
  readonly inProgress: number;
}

/** Texts of the participation chart. */
export interface ParticipationChartText {
  readonly submitted: string;
  readonly inProgress: string;
  readonly notStarted: string;
  readonly description: string;
}

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 10);

/**
 * Stacked horizontal bars, one per unit in the given order (worst first): submitted, in progress,
 * not started, in % of the sample. Unit names wrap within a third of the width; each row is as tall
 * as its name, so a province's 60–100 units give a taller chart, never a smaller font.
 */
function drawParticipationChart(bars: readonly ParticipationBar[], text: ParticipationChartText, size: ChartSize = WIDE): string {
  const fs = size.fontSize;
  const lineHeight = Math.round(fs * 1.25);
  const labelMax = Math.round(size.width * (isNarrow(size) ? 0.4 : 0.32));
  const labels = bars.map((b) => wrapText(b.label, labelMax, fs, false, { lines: LABEL_LINES }));
  const labelWidth = Math.max(0, ...labels.flatMap((lines) => lines.map((l) => textWidth(l, fs))));
  const rowHeights = labels.map((lines) => Math.max(fs * 2.4, lines.length * lineHeight + 10));
  // A category axis gives every row the same band: the tallest name sets it.
  const band = Math.max(0, ...rowHeights);
  const top = legend([text.submitted, text.inProgress, text.notStarted], size);
  const axisHeight = fs + 14;
  const plotHeight = Math.max(1, bars.length) * band;
  const left = Math.ceil(labelWidth) + 10;
  const right = Math.ceil(textWidth("100%", fs) / 2) + 4;
  const plotWidth = size.width - left - right;
  const series = [
    { name: text.submitted, color: COLORS.submitted, data: bars.map((b) => pct(b.submitted, b.sampled)) },
    { name: text.inProgress, color: COLORS.inProgress, data: bars.map((b) => pct(b.inProgress, b.sampled)) },
    { name: text.notStarted, color: COLORS.notStarted, data: bars.map((b) => pct(Math.max(0, b.sampled - b.submitted - b.inProgress), b.sampled)) },
  ];
  const valueFs = Math.max(11, fs - 1);
  return render(size, top.height + 8 + plotHeight + axisHeight, text.description, {
    legend: top.option,
    grid: { left, right, top: top.height + 8, height: plotHeight },
    xAxis: { type: "value", max: 100, interval: isNarrow(size) ? 25 : 20, axisLabel: { formatter: (v: number) => `${v}%`, color: "#333", fontSize: fs } },
    yAxis: {
      type: "category",
      inverse: true,
      data: labels.map((lines) => lines.join("\n")),
      axisTick: { show: false },
      axisLabel: { color: COLORS.text, fontSize: fs, lineHeight, interval: 0, align: "right" },
    },
    series: series.map((s, i) => ({
      type: "bar",
      stack: "share",
      name: s.name,
      data: s.data,
      itemStyle: { color: s.color },
      barMaxWidth: 22,
      // The share written inside the green bar only where it fits.
      ...(i === 0
        ? { label: { show: true, position: "insideLeft", color: "#fff", fontSize: valueFs, formatter: (p: { value: number }) => (textWidth(`${p.value}%`, valueFs) + 8 <= (p.value / 100) * plotWidth ? `${p.value}%` : "") } }
        : {}),
    })),
  });
}

// --- Submissions per day -------------------------------------------------------------------------

/** Texts of the submissions chart. */
export interface SubmissionsChartText {
  readonly perDay: string;
  readonly cumulative: string;
  readonly deadline: string;
  readonly description: string;
}

/** `YYYY-MM-DD` as `DD/MM`, the way dates are written in Vietnam (and short enough for a phone). */
const shortDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`;

/** Submissions per day (bars) and their running total (line) from the opening day to the deadline, the deadline marked. */
function drawSubmissionsChart(days: readonly string[], counts: readonly (number | null)[], deadlineDay: string, text: SubmissionsChartText, size: ChartSize = WIDE): string {
  let total = 0;
  // Days still to come have no bar and no running total.
  const cumulative = counts.map((c) => (c === null ? null : (total += c)));
  const fs = size.fontSize;
  const top = legend([text.perDay, text.cumulative], size);
  const deadlineAt = days.indexOf(deadlineDay);
  // The deadline's label sits above the plot, on the side of its line that has room.
  const labelRow = fs + 10;
  const yWidth = (max: number) => Math.ceil(textWidth(String(max), fs)) + 10;
  const left = yWidth(Math.max(1, ...counts.map((c) => c ?? 0)));
  const right = yWidth(Math.max(1, total));
  const gridTop = top.height + labelRow + 6;
  const plotHeight = isNarrow(size) ? 170 : 200;
  return render(size, gridTop + plotHeight + fs + 16, text.description, {
    legend: top.option,
    grid: { left, right, top: gridTop, height: plotHeight },
    xAxis: { type: "category", data: [...days], axisTick: { alignWithLabel: true }, axisLabel: { color: "#333", fontSize: fs, hideOverlap: true, formatter: (d: string) => shortDay(d) } },
    yAxis: [
      { type: "value", minInterval: 1, axisLabel: { color: "#333", fontSize: fs } },
      { type: "value", minInterval: 1, axisLabel: { color: "#333", fontSize: fs }, splitLine: { show: false } },
    ],
    series: [
      {
        type: "bar",
        name: text.perDay,
        data: [...counts],
        itemStyle: { color: COLORS.submitted },
        markLine:
          deadlineAt >= 0
            ? {
                symbol: "none",
                silent: true,
                lineStyle: { color: COLORS.alert, type: "dashed" },
                label: { position: "end", distance: 4, color: COLORS.alert, fontSize: fs, align: deadlineAt >= days.length / 2 ? "right" : "left", formatter: () => text.deadline },
                data: [{ xAxis: deadlineDay }],
              }
            : undefined,
      },
      { type: "line", name: text.cumulative, yAxisIndex: 1, data: cumulative, itemStyle: { color: COLORS.line }, symbolSize: 4 },
    ],
  });
}

// --- Survey rank vs appraisal rank vs overall rank -----------------------------------------------

/** One unit of the survey-vs-appraisal chart. */
export interface RankLine {
  readonly label: string;
  readonly appraisalRank: number;
  readonly surveyRank: number;
  readonly overallRank: number;
  /** Drawn in the alert colour and thicker. */
  readonly calledOut: boolean;
}

/** Texts of the slope chart. */
export interface SlopeChartText {
  readonly appraisal: string;
  readonly survey: string;
  readonly overall: string;
  readonly description: string;
}

/**
 * Positions 1..n of units in one column, ordered by rank then name: tied units (competition ranks
 * 1, 2, 2, 4) take the places their tie leaves empty, so no two labels share a row; labels keep
 * the true rank.
 */
function places(lines: readonly RankLine[], rank: (l: RankLine) => number): Map<RankLine, number> {
  const sorted = [...lines].sort((a, b) => rank(a) - rank(b) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return new Map(sorted.map((l, i) => [l, i + 1]));
}

/**
 * A slope chart of ranks: one line per unit from its appraisal rank to its survey rank to its
 * overall rank (rank 1 on top); units whose survey rank is far below their appraisal rank stand out.
 * On a desk names are written on both sides; on a phone the left side keeps only the appraisal rank.
 */
function drawSlopeChart(lines: readonly RankLine[], text: SlopeChartText, size: ChartSize = WIDE): string {
  const fs = size.fontSize;
  const narrow = isNarrow(size);
  const lineHeight = Math.round(fs * 1.25);
  const labelMax = Math.round(size.width * (narrow ? 0.4 : 0.27));
  const rightText = new Map(lines.map((l) => [l, wrapText(`${l.overallRank}. ${l.label}`, labelMax, fs, false, { lines: LABEL_LINES })]));
  const leftText = new Map(lines.map((l) => [l, narrow ? [String(l.appraisalRank)] : wrapText(`${l.label} ${l.appraisalRank}`, labelMax, fs, false, { lines: LABEL_LINES, keepEnd: String(l.appraisalRank) })]));
  const widest = (texts: Iterable<string[]>) => Math.max(0, ...[...texts].flatMap((t) => t.map((s) => textWidth(s, fs))));
  const right = Math.ceil(widest(rightText.values())) + 14;
  // Column headings are centred over their columns and wrapped to the room between columns; the
  // left margin is at least half a heading, so the first one is not squeezed on a phone.
  const headingFor = (left: number) => ((size.width - left - right) / 2) * 0.95;
  let left = Math.ceil(widest(leftText.values())) + 14;
  const leftForHeading = Math.ceil((0.475 * (size.width - right - 2)) / 2.475) + 2;
  if (left < leftForHeading) left = leftForHeading;
  const headingMax = Math.max(40, headingFor(left));
  const headings = [text.appraisal, text.survey, text.overall].map((h) => wrapText(h, headingMax, fs, true));
  const headingHeight = Math.max(...headings.map((h) => h.length)) * lineHeight + 8;
  const n = Math.max(1, lines.length);
  const maxLines = Math.max(1, ...[...rightText.values(), ...leftText.values()].map((t) => t.length));
  const pitch = Math.max(fs + 10, maxLines * lineHeight + 6);
  const plotHeight = (n - 1) * pitch;
  // Headings stand clear of the first row's (possibly wrapped) labels.
  const offset = Math.ceil((maxLines * lineHeight) / 2) + 6;
  const at = { appraisal: places(lines, (l) => l.appraisalRank), survey: places(lines, (l) => l.surveyRank), overall: places(lines, (l) => l.overallRank) };
  // Called-out lines drawn last, on top.
  const ordered = [...lines].sort((a, b) => Number(a.calledOut) - Number(b.calledOut));
  return render(size, headingHeight + offset + plotHeight + offset, text.description, {
    grid: { left, right, top: headingHeight + offset, height: Math.max(1, plotHeight) },
    xAxis: {
      type: "category",
      data: headings.map((h) => h.join("\n")),
      position: "top",
      offset,
      boundaryGap: false,
      axisLabel: { color: COLORS.text, fontWeight: "bold", fontSize: fs, lineHeight, interval: 0, margin: 8 },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    yAxis: { type: "value", inverse: true, min: 1, max: Math.max(2, n), show: false },
    series: ordered.map((l) => {
      const colour = l.calledOut ? COLORS.alert : "#333";
      return {
        type: "line",
        name: l.label,
        data: [at.appraisal.get(l)!, at.survey.get(l)!, at.overall.get(l)!],
        lineStyle: { color: l.calledOut ? COLORS.alert : COLORS.muted, width: l.calledOut ? 3 : 1.5 },
        itemStyle: { color: l.calledOut ? COLORS.alert : COLORS.muted },
        symbolSize: 6,
        endLabel: { show: true, formatter: () => rightText.get(l)!.join("\n"), color: colour, fontSize: fs, lineHeight, distance: 6 },
        label: { show: true, position: "left", distance: 6, align: "right", formatter: (p: { dataIndex: number }) => (p.dataIndex === 0 ? leftText.get(l)!.join("\n") : ""), color: colour, fontSize: fs, lineHeight },
      };
    }),
  });
}

// --- Drawn once per data ---------------------------------------------------------------------------

/**
 * The last charts drawn, by their data: the overview refreshes every 30 s and an 84-unit province's
 * charts take ~0.4 s of CPU to draw, while the data changes only when someone submits. The key is
 * the chart's whole input (plain data: labels, numbers, texts, size), so a change draws anew.
 */
const drawn = new Map<string, string>();
const DRAWN_KEPT = 48;

function remembered<A extends unknown[]>(kind: string, draw: (...args: A) => string): (...args: A) => string {
  return (...args: A) => {
    const key = `${kind}\u0000${JSON.stringify(args)}`;
    let svg = drawn.get(key);
    if (svg === undefined) {
      svg = draw(...args);
      if (drawn.size >= DRAWN_KEPT) drawn.delete(drawn.keys().next().value!);
    } else {
      drawn.delete(key);
    }
    drawn.set(key, svg);
    return svg;
  };
}

/** Stacked horizontal bars, one per unit in the given order (worst first); see drawParticipationChart. */
export const participationChart: (bars: readonly ParticipationBar[], text: ParticipationChartText, size?: ChartSize) => string = remembered("participation", drawParticipationChart);
/** Submissions per day and in total against the deadline; see drawSubmissionsChart. */
export const submissionsChart: (days: readonly string[], counts: readonly (number | null)[], deadlineDay: string, text: SubmissionsChartText, size?: ChartSize) => string = remembered("submissions", drawSubmissionsChart);
/** Appraisal rank against survey rank per unit; see drawSlopeChart. */
export const slopeChart: (lines: readonly RankLine[], text: SlopeChartText, size?: ChartSize) => string = remembered("slope", drawSlopeChart);
