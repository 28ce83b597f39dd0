// The index as it forms: the ranking table with the same columns as `khaosat score`, the units
// withheld under minResponses (no counts shown for them), and the survey-vs-appraisal slope chart.
// Used by the console's index page and by the printable report.
import type { TFunction } from "i18next";
import type { UnitRecord } from "../db/index.js";
import { unitColumns } from "../scoring/format/columns.js";
import { HEADINGS, REASONS } from "../scoring/format/index.js";
import type { ScoreReport } from "../scoring/index.js";
import { chartFigure, slopeChart, type RankLine, type SlopeChartText } from "./charts.js";
import { rankGaps, type ProvisionalIndex } from "./data.js";
import { html, type Html } from "./html.js";
import { formatNumber } from "./format.js";

type Lang = "vi" | "en";

/** A cell in the reader's language: two decimals with a comma in Vietnamese ("62,50"), a point in English. */
function show(value: string | number | null, decimal: boolean, lang: Lang): string {
  if (value === null) return "–";
  if (typeof value !== "number") return String(value);
  return formatNumber(lang, value, decimal || !Number.isInteger(value) ? 2 : 0);
}

/** The units of the survey-vs-appraisal chart (those with both ranks), or null when the report has no appraisal ranks. */
export function rankLines(index: ProvisionalIndex, names: ReadonlyMap<string, string>): RankLine[] | null {
  if (!index.outcome.ok || index.outcome.report.kind !== "points") return null;
  const report = index.outcome.report;
  const ranked = report.units.filter((u) => u.surveyRank !== undefined && u.appraisalRank !== undefined);
  if (ranked.length === 0) return null;
  const gaps = rankGaps(report);
  return ranked.map((u) => ({ label: names.get(u.unit) ?? u.unit, appraisalRank: u.appraisalRank!, surveyRank: u.surveyRank!, overallRank: u.rank, calledOut: gaps.has(u.unit) }));
}

/** The slope chart's texts. */
export function slopeText(t: TFunction): SlopeChartText {
  return { appraisal: t("index.appraisalRank"), survey: t("index.surveyRank"), overall: t("index.overallRank"), description: t("index.slopeDescription") };
}

/** The survey-vs-appraisal chart, or null when the report has no appraisal ranks. */
export function rankChart(t: TFunction, index: ProvisionalIndex, names: ReadonlyMap<string, string>): Html | null {
  const lines = rankLines(index, names);
  if (!lines) return null;
  const text = slopeText(t);
  return chartFigure((size) => slopeChart(lines, text, size), t("index.slopeDescription"), { id: "slope", caption: t("index.slopeCaption") });
}

/**
 * Why the ranking is empty, from the scoring module's reasons for leaving units out: no appraisal
 * points (and how to load them) before too few responses, since with the points those units rank.
 */
export function emptyRankingReason(t: TFunction, report: ScoreReport, minResponses: number): string {
  const reasons = new Set(report.excluded.map((x) => x.reason));
  if (reasons.has("missing_appraisal")) return String(t("index.noneRankedNoAppraisal"));
  if (reasons.has("no_valid_answers")) return String(t("index.noneRankedNoValid"));
  if (reasons.has("insufficient_responses")) return String(t("index.noneRankedFewResponses", { min: minResponses }));
  return String(t("index.noneRanked"));
}

/** The whole index section. */
export function indexSection(t: TFunction, index: ProvisionalIndex, units: readonly UnitRecord[], options: { bilingual?: boolean } = {}): Html {
  const lang = (t("lang.code") === "en" ? "en" : "vi") as Lang;
  // The scoring module's own texts (the CLI's column headings and reasons), in both languages in the bilingual report.
  const say = (text: Record<Lang, string>) => (options.bilingual && text.vi !== text.en ? `${text.vi} / ${text.en}` : text[lang]);
  const names = new Map(units.map((u) => [u.code, u.name]));
  if (!index.outcome.ok) return html`<section class="card" tabindex="0"><p class="alert">${t("index.cannotScore")}</p><ul>${index.outcome.errors.map((e) => html`<li>${e.message}</li>`)}</ul></section>`;
  if (!index.questionnaire.definition.scoring) return html`<section class="card" tabindex="0"><p>${t("index.noScoring")}</p></section>`;
  const report = index.outcome.report;
  const columns = unitColumns(report, index.questionnaire, false);
  const gaps = rankGaps(report);
  const heading = (c: (typeof columns)[number]) => (typeof c.heading === "string" ? say(HEADINGS[c.heading]) : c.heading.literal);
  const table = html`<table><thead><tr>${columns.map((c) => html`<th scope="col"${c.numeric ? html` class="num"` : ""}>${heading(c)}</th>`)}</tr></thead>
<tbody>${report.units.map(
    (u) => html`<tr${gaps.has(u.unit) ? html` class="alert"` : ""}>${columns.map((c) => {
      const v = c.value(u, undefined);
      return c.name === "unit" ? html`<th scope="row">${names.get(u.unit) ?? u.unit} <span class="muted">${u.unit}</span></th>` : html`<td${c.numeric ? html` class="num"` : ""}>${show(v, c.decimal === true, lang)}</td>`;
    })}</tr>`,
  )}</tbody></table>`;
  const chart = rankChart(t, index, names);
  const calledOut = report.kind === "points" ? report.units.filter((u) => gaps.has(u.unit)) : [];
  return html`<section class="card" tabindex="0"><h2>${t("index.ranking")}</h2>
${report.units.length === 0 ? html`<p class="empty-ranking">${emptyRankingReason(t, report, index.minResponses)}</p>` : table}
<p class="muted">${t("index.withheldRule", { min: index.minResponses })}</p>
${
  report.excluded.length > 0
    ? html`<h3>${t("index.excluded")}</h3><ul>${report.excluded.map(
        (x) => html`<li>${names.get(x.unit) ?? x.unit} <span class="muted">${x.unit}</span>: ${x.reason === "insufficient_responses" ? t("index.withheld", { min: index.minResponses }) : say(REASONS[x.reason])}</li>`,
      )}</ul>`
    : ""
}</section>
<section class="card" tabindex="0"><h2>${t("index.gapTitle")}</h2>
${
  chart
    ? html`${chart}${
        calledOut.length > 0
          ? html`<p class="alert">${t("index.gapCalledOut")}</p><ul>${calledOut.map((u) => html`<li class="alert">${names.get(u.unit) ?? u.unit}: ${t("index.gapLine", { appraisal: u.appraisalRank, survey: u.surveyRank, overall: u.rank })}</li>`)}</ul>`
          : html`<p>${t("index.noGap")}</p>`
      }`
    : html`<p>${t("index.noAppraisal")}</p>`
}</section>`;
}
