// `/stats`: participation per unit with rates, lowest rate first, so the units that need a push are on top.
import type { Translate } from "../../../i18n/index.js";
import type { ChannelCounts, ParticipationCounts, ParticipationReport } from "../../../participation/index.js";
import { formatDateTime, localeOf } from "../../console/format.js";
import type { AdminCampaign } from "./ports.js";

/** One unit's participation, all groups together. */
export interface UnitParticipation extends ParticipationCounts {
  readonly unit: string;
  readonly unitName: string;
}

function rateOf(sampled: number, submitted: number): number | null {
  return sampled === 0 ? null : Math.round((submitted / sampled) * 1000) / 10;
}

/** Sums the report's unit-and-group rows per unit and sorts them worst first (lowest rate, then most not submitted, then code). */
export function unitsWorstFirst(report: ParticipationReport): UnitParticipation[] {
  type Sum = { unit: string; unitName: string; sampled: number; redeemed: number; attested: number; inProgress: number; submitted: number; responses: Record<keyof ChannelCounts, number> };
  const byUnit = new Map<string, Sum>();
  for (const row of report.rows) {
    const u = byUnit.get(row.unit) ?? { unit: row.unit, unitName: row.unitName, sampled: 0, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, responses: { total: 0, telegram: 0, zalo: 0, console: 0, import: 0 } };
    for (const key of Object.keys(u.responses) as (keyof ChannelCounts)[]) u.responses[key] += row.responses[key];
    u.sampled += row.sampled;
    u.redeemed += row.redeemed;
    u.attested += row.attested;
    u.inProgress += row.inProgress;
    u.submitted += row.submitted;
    byUnit.set(row.unit, u);
  }
  const units = [...byUnit.values()].map((u) => ({ ...u, rate: rateOf(u.sampled, u.submitted) }));
  return units.sort(
    (a, b) => (a.rate ?? 101) - (b.rate ?? 101) || b.sampled - b.submitted - (a.sampled - a.submitted) || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0),
  );
}

/** A rate as the admin reads it: `33.3%` (en), `33,3%` (vi), `–` for an empty sample. */
export function formatRate(rate: number | null, language: string): string {
  if (rate === null) return "–";
  return `${new Intl.NumberFormat(localeOf(language), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rate)}%`;
}

/** The `/stats` message text (the caller splits it at Telegram's length limit). */
export function statsText(t: Translate, language: string, campaign: AdminCampaign, report: ParticipationReport, now: Date): string {
  const { time, date } = formatDateTime(now.toISOString(), language, campaign.timeZone);
  const head = [t("admin:stats.title", { name: campaign.name, id: campaign.id }), t("admin:stats.asOf", { time, date })];
  if (report.totals.sampled === 0) return [...head, "", t("admin:stats.empty")].join("\n");
  const totals = report.totals;
  const lines = unitsWorstFirst(report).map((u, i) =>
    t("admin:stats.row", {
      n: i + 1,
      unitName: u.unitName,
      unit: u.unit,
      submitted: u.submitted,
      sampled: u.sampled,
      rate: formatRate(u.rate, language),
      inProgress: u.inProgress,
      notRedeemed: u.sampled - u.redeemed,
    }),
  );
  return [
    ...head,
    t("admin:stats.total", {
      submitted: totals.submitted,
      sampled: totals.sampled,
      rate: formatRate(totals.rate, language),
      inProgress: totals.inProgress,
      notRedeemed: totals.sampled - totals.redeemed,
    }),
    // Where the submitted responses came from: which channel reaches this campaign's respondents.
    t("admin:stats.channels", { telegram: totals.responses.telegram, zalo: totals.responses.zalo, console: totals.responses.console, import: totals.responses.import }),
    "",
    t("admin:stats.units"),
    ...lines,
  ].join("\n");
}
