// Charts drawn on the server as SVG by Apache ECharts (no browser, no native module): the same
// functions draw the console's charts and the printable report's. Labels are plain text that
// ECharts escapes into the SVG; each chart carries an aria-label describing it.
import { createRequire } from "node:module";
import type * as Echarts from "echarts";

// Loaded on the first chart drawn, not when the console starts: ECharts holds ~20 MB in a bot process
// that serves the console beside the bot (the CommonJS build, one file, required synchronously).
const require = createRequire(import.meta.url);
let echartsModule: typeof Echarts | undefined;
const echarts = (): typeof Echarts => (echartsModule ??= require("echarts") as typeof Echarts);

const FONT = "'DejaVu Sans', 'Noto Sans', Arial, sans-serif";
const COLORS = { submitted: "#1b7f3b", inProgress: "#e0a100", notStarted: "#c7ccd4", line: "#1f4e9c", alert: "#c62828", muted: "#9aa3ad" };

function render(width: number, height: number, description: string, option: Echarts.EChartsCoreOption): string {
  const chart = echarts().init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, aria: { enabled: true, label: { description } }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

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

/** Stacked horizontal bars, one per unit in the given order (worst first): submitted, in progress, not started, in % of the sample. */
export function participationChart(bars: readonly ParticipationBar[], text: ParticipationChartText, width = 760): string {
  const labels = bars.map((b) => b.label);
  const height = Math.max(160, 60 + bars.length * 28);
  const series = [
    { name: text.submitted, color: COLORS.submitted, data: bars.map((b) => pct(b.submitted, b.sampled)) },
    { name: text.inProgress, color: COLORS.inProgress, data: bars.map((b) => pct(b.inProgress, b.sampled)) },
    { name: text.notStarted, color: COLORS.notStarted, data: bars.map((b) => pct(Math.max(0, b.sampled - b.submitted - b.inProgress), b.sampled)) },
  ];
  return render(width, height, text.description, {
    legend: { top: 0, textStyle: { color: "#222" } },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: "#333" } },
    yAxis: { type: "category", inverse: true, data: labels, axisLabel: { color: "#222", width: 260, overflow: "truncate" } },
    series: series.map((s, i) => ({
      type: "bar",
      stack: "share",
      name: s.name,
      data: s.data,
      itemStyle: { color: s.color },
      barMaxWidth: 20,
      ...(i === 0 ? { label: { show: true, position: "insideLeft", formatter: "{c}%", color: "#fff", fontSize: 11 } } : {}),
    })),
  });
}

/** Texts of the submissions chart. */
export interface SubmissionsChartText {
  readonly perDay: string;
  readonly cumulative: string;
  readonly deadline: string;
  readonly description: string;
}

/** Submissions per day (bars) and their running total (line) from the opening day to the deadline, the deadline marked. */
export function submissionsChart(days: readonly string[], counts: readonly (number | null)[], deadlineDay: string, text: SubmissionsChartText, width = 760): string {
  let total = 0;
  // Days still to come have no bar and no running total.
  const cumulative = counts.map((c) => (c === null ? null : (total += c)));
  return render(width, 280, text.description, {
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: [...days], axisLabel: { color: "#333", hideOverlap: true } },
    yAxis: [{ type: "value", minInterval: 1, axisLabel: { color: "#333" } }, { type: "value", minInterval: 1, axisLabel: { color: "#333" }, splitLine: { show: false } }],
    series: [
      {
        type: "bar",
        name: text.perDay,
        data: [...counts],
        itemStyle: { color: COLORS.submitted },
        markLine: days.includes(deadlineDay)
          ? { symbol: "none", silent: true, lineStyle: { color: COLORS.alert, type: "dashed" }, label: { formatter: text.deadline, color: COLORS.alert }, data: [{ xAxis: deadlineDay }] }
          : undefined,
      },
      { type: "line", name: text.cumulative, yAxisIndex: 1, data: cumulative, itemStyle: { color: COLORS.line }, symbolSize: 4 },
    ],
  });
}

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
 * A slope chart of ranks: one line per unit from its appraisal rank to its survey rank to its
 * overall rank (rank 1 on top); units whose survey rank is far below their appraisal rank stand out.
 */
export function slopeChart(lines: readonly RankLine[], text: SlopeChartText, width = 760): string {
  const n = Math.max(1, ...lines.map((l) => Math.max(l.appraisalRank, l.surveyRank, l.overallRank)));
  const height = Math.max(240, 80 + n * 22);
  const ordered = [...lines].sort((a, b) => Number(a.calledOut) - Number(b.calledOut));
  return render(width, height, text.description, {
    grid: { left: 210, right: 210, top: 40, bottom: 16 },
    xAxis: { type: "category", data: [text.appraisal, text.survey, text.overall], position: "top", boundaryGap: false, axisLabel: { color: "#222", fontWeight: "bold", interval: 0 }, axisTick: { show: false }, axisLine: { show: false } },
    yAxis: { type: "value", inverse: true, min: 1, max: n, interval: 1, show: false },
    series: ordered.map((l) => ({
      type: "line",
      name: l.label,
      data: [l.appraisalRank, l.surveyRank, l.overallRank],
      lineStyle: { color: l.calledOut ? COLORS.alert : COLORS.muted, width: l.calledOut ? 3 : 1.5 },
      itemStyle: { color: l.calledOut ? COLORS.alert : COLORS.muted },
      symbolSize: 6,
      endLabel: { show: true, formatter: `${l.overallRank}. ${l.label}`, color: l.calledOut ? COLORS.alert : "#333", fontSize: 11 },
      label: { show: true, position: "left", formatter: (p: { dataIndex: number }) => (p.dataIndex === 0 ? `${l.label} ${l.appraisalRank}` : ""), color: l.calledOut ? COLORS.alert : "#333", fontSize: 11 },
    })),
  });
}
