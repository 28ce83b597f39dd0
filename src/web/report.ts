// The printable report of a campaign: one self-contained HTML file (styles inline, charts as inline
// SVG, no script, no external resource), in Vietnamese with English alongside. Written by
// `khaosat report` and served by the console's "Printable report" link; the charts are the console's.
import type { TFunction } from "i18next";
import type { CampaignRecord, Database, UnitRecord } from "../db/index.js";
import type { ParticipationReport } from "../participation/index.js";
import { createI18n } from "../i18n/index.js";
import { flagListRows, refreshCampaignFlags } from "../flags/index.js";
import { chartFigure, submissionsChart } from "./charts.js";
import { campaignParticipation, groupsWorstFirst, provisionalIndex, unitsWorstFirst, type ProvisionalIndex, type UnitParticipation } from "./data.js";
import { html, type Html } from "./html.js";
import { indexSection } from "./index-view.js";
import { reportComponents } from "../scoring/format/columns.js";
import { submissionsSeries, unitsChart } from "./see.js";
import { APP_CSS } from "./style.js";
import { formatNumber, formatRate, formatPeriod, groupLabel } from "./format.js";
import { formatDateTime } from "../channels/console/format.js";

const REPORT_CSS = `${APP_CSS}
body { background: #fff; } main { max-width: 960px; } section.card { break-inside: avoid; } .en { color: #4d5866; font-style: italic; }
@media print { a { color: inherit; text-decoration: none; } }`;

/** A translation function that gives "Vietnamese / English". */
export function bilingual(vi: TFunction, en: TFunction): TFunction {
  return ((key: string, options?: Record<string, unknown>) => {
    if (key === "lang.code") return "vi";
    const a = String(vi(key, options as never));
    const b = String(en(key, options as never));
    return a === b ? a : `${a} / ${b}`;
  }) as unknown as TFunction;
}

/** Everything the report shows, gathered once for the HTML and the PDF report (counts and scores only). */
export interface ReportModel {
  readonly campaign: CampaignRecord;
  readonly now: Date;
  /** The campaign is still open: the index is provisional. */
  readonly open: boolean;
  /** "Vietnamese / English" for the web namespace. */
  readonly t: TFunction;
  readonly participation: ParticipationReport;
  readonly units: readonly UnitParticipation[];
  readonly groups: ReturnType<typeof groupsWorstFirst>;
  readonly submissions: { readonly days: string[]; readonly counts: (number | null)[]; readonly deadline: string };
  readonly index: ProvisionalIndex;
  readonly unitRecords: readonly UnitRecord[];
  readonly flagCounts: ReadonlyMap<string, { total: number; accepted: number; rejected: number }>;
}

/** Reads what the report of a campaign shows at `now`, through the same services as the console and the CLI. */
export async function reportModel(db: Database, campaign: CampaignRecord, now: Date, appraisal?: ReadonlyMap<string, number>): Promise<ReportModel> {
  const i18n = createI18n();
  const t = bilingual(i18n.getFixedT("vi", "web"), i18n.getFixedT("en", "web"));
  const participation = await campaignParticipation(db, campaign);
  const index = await provisionalIndex(db, campaign, appraisal);
  const flags = flagListRows(await refreshCampaignFlags(db.flags, index.questionnaire, campaign.id));
  const flagCounts = new Map<string, { total: number; accepted: number; rejected: number }>();
  for (const f of flags) {
    const c = flagCounts.get(f.flag) ?? { total: 0, accepted: 0, rejected: 0 };
    flagCounts.set(f.flag, { total: c.total + 1, accepted: c.accepted + (f.decision === "accepted" ? 1 : 0), rejected: c.rejected + (f.decision === "rejected" ? 1 : 0) });
  }
  return {
    campaign,
    now,
    open: campaign.closedAt === null && now < campaign.closesAt,
    t,
    participation,
    units: unitsWorstFirst(participation),
    groups: groupsWorstFirst(participation),
    submissions: await submissionsSeries({ db, now: () => now, options: { db } }, campaign),
    index,
    unitRecords: await db.respondents.units(campaign.id),
    flagCounts,
  };
}

/** A group's label as the console names it, "Vietnamese / English" when the two differ (the id when the questionnaire names none). */
export function reportGroupLabel(model: ReportModel, id: string): string {
  const q = model.index.questionnaire;
  const [vi, en] = [groupLabel(q, "vi", id), groupLabel(q, "en", id)];
  return vi === en ? vi : `${vi} / ${en}`;
}

/**
 * Each ranked unit's component indices (components in questionnaire order), or null when the campaign
 * is not scored. Units under minResponses are not in the ranking, so not here either.
 */
export function componentIndices(model: ReportModel): { components: string[]; rows: { unit: string; code: string; values: string[] }[] } | null {
  const { index } = model;
  if (!index.outcome.ok || !index.questionnaire.definition.scoring) return null;
  const report = index.outcome.report;
  const components = reportComponents(report, index.questionnaire);
  if (components.length === 0) return null;
  const names = new Map(model.unitRecords.map((u) => [u.code, u.name]));
  return {
    components,
    rows: report.units.map((u) => ({ unit: `${names.get(u.unit) ?? u.unit} (${u.unit})`, code: u.unit, values: components.map((c) => (u.components[c]?.index === undefined || u.components[c]?.index === null ? "–" : formatNumber("vi", u.components[c]!.index!, 2))) })),
  };
}

/** Renders the report of a campaign at `now` as one self-contained HTML file. */
export async function renderReport(db: Database, campaign: CampaignRecord, now: Date, appraisal?: ReadonlyMap<string, number>): Promise<string> {
  return renderReportHtml(await reportModel(db, campaign, now, appraisal));
}

/** The HTML report of a model. */
export function renderReportHtml(model: ReportModel): string {
  const { campaign, now, open, t, units, groups, index, flagCounts, submissions } = model;
  const report = model.participation;
  const rate = (r: number | null) => formatRate("vi", r);
  const r = (key: string, options?: Record<string, unknown>) => String(t(`report.${key}`, options as never));
  const components = componentIndices(model);
  const perDayText = { perDay: t("overview.perDay"), cumulative: t("overview.cumulative"), deadline: t("overview.deadline"), description: t("overview.submissionsDescription") };
  const body = html`<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${campaign.name} · ${r("title")}</title>
<style>${REPORT_CSS}</style></head>
<body><main>
<h1>${campaign.name}</h1>
<p>${r("title")} · ${campaign.id} · ${formatPeriod(t, campaign, now)}</p>
<p class="muted">${r("generatedAt", formatDateTime(now.toISOString(), "vi", campaign.timeZone))}${open ? html` · <span class="provisional">${r("provisional")}</span>` : ""}</p>
<section class="card" tabindex="0"><h2>${t("overview.byUnit")}</h2>
<p>${t("table.sampled")}: ${report.totals.sampled} · ${t("table.submitted")}: ${report.totals.submitted} (${rate(report.totals.rate)}) · ${t("table.inProgress")}: ${report.totals.inProgress}</p>
${unitsChart(t, units)}
<table id="units"><thead><tr><th scope="col">${t("table.unit")}</th><th scope="col" class="num">${t("table.sampled")}</th><th scope="col" class="num">${t("table.submitted")}</th><th scope="col" class="num">${t("table.inProgress")}</th><th scope="col" class="num">${t("table.rate")}</th></tr></thead>
<tbody>${units.map((u) => html`<tr><th scope="row">${u.unitName} <span class="muted">${u.unit}</span></th><td class="num">${u.sampled}</td><td class="num">${u.submitted}</td><td class="num">${u.inProgress}</td><td class="num">${rate(u.rate)}</td></tr>`)}</tbody></table></section>
<section class="card" tabindex="0"><h2>${t("overview.byGroup")}</h2>
<table><thead><tr><th scope="col">${t("table.group")}</th><th scope="col" class="num">${t("table.sampled")}</th><th scope="col" class="num">${t("table.submitted")}</th><th scope="col" class="num">${t("table.rate")}</th></tr></thead>
<tbody>${groups.map((g) => html`<tr><th scope="row">${reportGroupLabel(model, g.group)}</th><td class="num">${g.sampled}</td><td class="num">${g.submitted}</td><td class="num">${rate(g.rate)}</td></tr>`)}</tbody></table></section>
<section class="card" tabindex="0"><h2>${t("overview.perDayTitle")}</h2>${chartFigure((size) => submissionsChart(submissions.days, submissions.counts, submissions.deadline, perDayText, size), t("overview.submissionsDescription"))}</section>
<h2>${t("index.title")}</h2>
${indexSection(t, index, model.unitRecords, { bilingual: true })}
${components && components.rows.length > 0 ? html`<section class="card" tabindex="0"><h2>${r("components")}</h2>
<table id="components"><thead><tr><th scope="col">${t("table.unit")}</th>${components.components.map((c) => html`<th scope="col" class="num">${c}</th>`)}</tr></thead>
<tbody>${components.rows.map((row) => html`<tr><th scope="row">${row.unit}</th>${row.values.map((v) => html`<td class="num">${v}</td>`)}</tr>`)}</tbody></table></section>` : ""}
<section class="card" tabindex="0"><h2>${t("flags.title")}</h2>
${
  flagCounts.size === 0
    ? html`<p>${t("flags.none")}</p>`
    : html`<table><thead><tr><th scope="col">${t("flags.flag")}</th><th scope="col" class="num">${r("flagged")}</th><th scope="col" class="num">${t("flags.accepted")}</th><th scope="col" class="num">${t("flags.rejected")}</th></tr></thead>
<tbody>${[...flagCounts].map(([flag, c]) => html`<tr><th scope="row">${t(`flagNames.${flag}`)}</th><td class="num">${c.total}</td><td class="num">${c.accepted}</td><td class="num">${c.rejected}</td></tr>`)}</tbody></table>`
}</section>
<section class="card" tabindex="0"><h2>${r("method")}</h2>
<ul>
<li>${r("methodScoring", { id: index.questionnaire.id, version: index.questionnaire.version })}</li>
<li>${r("methodSmallCells", { min: index.minResponses })}</li>
<li>${index.appraisal ? r("methodAppraisal", { count: index.appraisal.size }) : r("methodNoAppraisal")}</li>
<li>${r("methodGap")}</li>
<li>${r("methodConfidential")}</li>
</ul></section>
</main></body></html>
`;
  return body.value;
}

export type { Html };
