// Participation per unit and group: how far the sample has got (code redeemed, attested, in
// progress, submitted) and the submission rate. Counts only, never answers.
import type { ParticipationFact, ReminderFacts, RespondentStatus, UnitRecord } from "../db/index.js";

/** The one status a respondent is in, furthest first. */
export function respondentStatus(fact: ParticipationFact): RespondentStatus {
  if (fact.submittedResponses >= fact.expectedResponses) return "submitted";
  if (fact.attested || fact.startedResponses > 0 || fact.submittedResponses > 0) return "in_progress";
  if (fact.declined) return "declined";
  if (fact.redeemed) return "redeemed";
  return "not_redeemed";
}

/** Every status, in funnel order. */
export const RESPONDENT_STATUSES: readonly RespondentStatus[] = ["not_redeemed", "redeemed", "declined", "in_progress", "submitted"];

/** Number of respondents in each status. */
export function statusCounts(facts: readonly ParticipationFact[]): Record<RespondentStatus, number> {
  const counts = Object.fromEntries(RESPONDENT_STATUSES.map((s) => [s, 0])) as Record<RespondentStatus, number>;
  for (const fact of facts) counts[respondentStatus(fact)]++;
  return counts;
}

/** Counts of one unit and group (or of everything, for the totals). */
export interface ParticipationCounts {
  readonly sampled: number;
  /** Code redeemed (bound to a messaging account). */
  readonly redeemed: number;
  /** Identity confirmed and attestation accepted. */
  readonly attested: number;
  /** Started (or attested) and not yet submitted everything. */
  readonly inProgress: number;
  readonly submitted: number;
  /** submitted ÷ sampled × 100, rounded to 1 decimal; null for an empty sample. */
  readonly rate: number | null;
}

/** One row of the report. */
export interface ParticipationRow extends ParticipationCounts {
  readonly unit: string;
  readonly unitName: string;
  readonly group: string;
}

/** The participation report of a campaign. */
export interface ParticipationReport {
  readonly campaignId: string;
  readonly rows: readonly ParticipationRow[];
  readonly totals: ParticipationCounts;
  /** Last reminder run and respondents whose chat is unreachable; absent when not asked for. */
  readonly reminders?: ReminderFacts;
}

function count(facts: readonly ParticipationFact[]): ParticipationCounts {
  let redeemed = 0, attested = 0, inProgress = 0, submitted = 0;
  for (const fact of facts) {
    const status = respondentStatus(fact);
    if (fact.redeemed) redeemed++;
    if (fact.attested) attested++;
    if (status === "in_progress") inProgress++;
    if (status === "submitted") submitted++;
  }
  const rate = facts.length === 0 ? null : Math.round((submitted / facts.length) * 1000) / 10;
  return { sampled: facts.length, redeemed, attested, inProgress, submitted, rate };
}

/** Builds the report: one row per unit and group, sorted by unit id then group, and the totals. */
export function buildParticipation(campaignId: string, facts: readonly ParticipationFact[], units: readonly UnitRecord[], reminders?: ReminderFacts): ParticipationReport {
  const names = new Map(units.map((u) => [u.code, u.name]));
  const byKey = new Map<string, ParticipationFact[]>();
  for (const fact of facts) {
    const key = `${fact.unitCode}\u0000${fact.groupId}`;
    const list = byKey.get(key);
    if (list) list.push(fact);
    else byKey.set(key, [fact]);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const rows = [...byKey.entries()]
    .map(([key, list]) => {
      const [unit = "", group = ""] = key.split("\u0000");
      return { unit, unitName: names.get(unit) ?? unit, group, ...count(list) };
    })
    .sort((a, b) => cmp(a.unit, b.unit) || cmp(a.group, b.group));
  return { campaignId, rows, totals: count(facts), ...(reminders ? { reminders } : {}) };
}
