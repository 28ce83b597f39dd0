// What the console's pages show, computed by the same services the CLI uses: the participation
// report of `khaosat participation`, the scoring of `khaosat score --campaign`, the small-cell rule.
import type { CampaignRecord, Database } from "../db/index.js";
import { countFacts, loadParticipation, participationFromCounts, type ParticipationReport, type ParticipationRow } from "../participation/index.js";
import type { ParticipationFact } from "../db/index.js";
import { campaignScoringInput } from "../campaigns/index.js";
import { campaignQuestionnaire } from "../campaigns/index.js";
import { scoreUnits, type ScoreReport, type ScoringOutcome } from "../scoring/index.js";
import { smallCellThreshold } from "../privacy/index.js";
import type { Questionnaire } from "../questionnaire/index.js";

/** The participation report exactly as `khaosat participation --campaign ID` builds it. */
export async function campaignParticipation(db: Database, campaign: CampaignRecord): Promise<ParticipationReport> {
  return loadParticipation(db, campaign.id, { reminders: true });
}

/** One unit's participation: its rows (one per group) summed. */
export interface UnitParticipation {
  readonly unit: string;
  readonly unitName: string;
  readonly sampled: number;
  readonly redeemed: number;
  readonly inProgress: number;
  readonly submitted: number;
  readonly rate: number | null;
  /** Submitted responses imported from files (paper forms): anonymous ones belong to no sampled respondent, so `submitted` (respondents) leaves them out while the index counts them. */
  readonly imported: number;
  readonly groups: readonly ParticipationRow[];
}

const rateOf = (submitted: number, sampled: number) => (sampled === 0 ? null : Math.round((submitted / sampled) * 1000) / 10);

/** Per-unit participation, worst submission rate first (then unit code). */
export function unitsWorstFirst(report: ParticipationReport): UnitParticipation[] {
  const byUnit = new Map<string, ParticipationRow[]>();
  for (const row of report.rows) byUnit.set(row.unit, [...(byUnit.get(row.unit) ?? []), row]);
  const units = [...byUnit.entries()].map(([unit, rows]) => {
    const sum = (k: "sampled" | "redeemed" | "inProgress" | "submitted") => rows.reduce((n, r) => n + r[k], 0);
    return { unit, unitName: rows[0]!.unitName, sampled: sum("sampled"), redeemed: sum("redeemed"), inProgress: sum("inProgress"), submitted: sum("submitted"), rate: rateOf(sum("submitted"), sum("sampled")), imported: rows.reduce((n, r) => n + r.responses.import, 0), groups: rows };
  });
  return units.sort((a, b) => (a.rate ?? -1) - (b.rate ?? -1) || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
}

/** One unit's participation and its respondents' funnel facts. */
export interface UnitView {
  /** As that unit's rows of `khaosat participation` summed; undefined when the unit has no row there. */
  readonly summary: UnitParticipation | undefined;
  readonly facts: readonly ParticipationFact[];
}

/**
 * One unit's participation, read for that unit only (the unit page and "remind exactly these"):
 * its respondents' facts and its submitted responses per channel are narrowed by the database, so a
 * page view costs the unit's size, not the campaign's (50,000 respondents nationally). The counts
 * are the facts summed by the report's own rules, so they are the unit's rows of the full report.
 */
export async function unitParticipation(db: Database, campaign: CampaignRecord, unit: string): Promise<UnitView> {
  const [facts, channels, units] = await Promise.all([
    db.participation.facts(campaign.id, { unitCode: unit }),
    db.participation.submittedByChannel(campaign.id, { unitCode: unit }),
    db.respondents.units(campaign.id),
  ]);
  const report = participationFromCounts(campaign.id, countFacts(facts), units.filter((u) => u.code === unit), { channels });
  const [summary] = unitsWorstFirst(report);
  return { summary, facts };
}

/** Per-group participation over all units, worst first. */
export function groupsWorstFirst(report: ParticipationReport): { group: string; sampled: number; inProgress: number; submitted: number; rate: number | null }[] {
  const byGroup = new Map<string, { sampled: number; inProgress: number; submitted: number }>();
  for (const r of report.rows) {
    const g = byGroup.get(r.group) ?? { sampled: 0, inProgress: 0, submitted: 0 };
    byGroup.set(r.group, { sampled: g.sampled + r.sampled, inProgress: g.inProgress + r.inProgress, submitted: g.submitted + r.submitted });
  }
  return [...byGroup.entries()].map(([group, c]) => ({ group, ...c, rate: rateOf(c.submitted, c.sampled) })).sort((a, b) => (a.rate ?? -1) - (b.rate ?? -1) || (a.group < b.group ? -1 : 1));
}

/** The index as it forms: the scoring module on the responses submitted so far. */
export interface ProvisionalIndex {
  readonly questionnaire: Questionnaire;
  readonly outcome: ScoringOutcome;
  readonly minResponses: number;
  readonly appraisal: ReadonlyMap<string, number> | undefined;
}

/** Scores a campaign's submitted responses (with its stored appraisal points when any were uploaded). */
export async function provisionalIndex(db: Database, campaign: CampaignRecord, appraisalOverride?: ReadonlyMap<string, number>): Promise<ProvisionalIndex> {
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  const stored = appraisalOverride ?? (await db.web.appraisal(campaign.id));
  const appraisal = stored.size > 0 ? stored : undefined;
  const input = await campaignScoringInput(db, campaign, appraisal);
  return { questionnaire, outcome: scoreUnits(input), minResponses: smallCellThreshold(questionnaire.definition), appraisal };
}

/** Units whose survey rank is far below their appraisal rank: at least a quarter of the ranked units (and 3 places) lower. */
export function rankGaps(report: ScoreReport): Set<string> {
  const out = new Set<string>();
  if (report.kind !== "points") return out;
  const threshold = Math.max(3, Math.ceil(report.units.length / 4));
  for (const u of report.units) if (u.surveyRank !== undefined && u.appraisalRank !== undefined && u.surveyRank - u.appraisalRank >= threshold) out.add(u.unit);
  return out;
}
