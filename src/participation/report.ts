// Participation per unit and group: how far the sample has got (code redeemed, attested, in
// progress, submitted) and the submission rate. Counts only, never answers.
import { RESPONSE_CHANNELS, type ParticipationFact, type ParticipationRepository, type ReminderFacts, type RespondentRepository, type RespondentStatus, type ResponseChannel, type StatusCountsRow, type SubmittedByChannelRow, type UnitRecord } from "../db/types.js";

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

/** Submitted responses by the channel that collected them, and their total. */
export type ChannelCounts = Readonly<Record<ResponseChannel, number>> & { readonly total: number };

/** Counts of one unit and group (or of everything, for the totals). */
export interface ParticipationCounts {
  readonly sampled: number;
  /** Code redeemed (bound to a messaging account). */
  readonly redeemed: number;
  /** Identity confirmed and attestation accepted. */
  readonly attested: number;
  /** Started (or attested) and not yet submitted everything. */
  readonly inProgress: number;
  /** Sampled respondents who submitted every response they owe. */
  readonly submitted: number;
  /** submitted ÷ sampled × 100, rounded to 1 decimal; null for an empty sample. */
  readonly rate: number | null;
  /**
   * Submitted responses about this unit and group from every source, per channel: the bot's
   * (Telegram, Zalo, console) and those imported from files (paper forms, other tools), which
   * belong to no sampled respondent.
   */
  readonly responses: ChannelCounts;
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

function noChannels(): Record<ResponseChannel, number> & { total: number } {
  return { ...(Object.fromEntries(RESPONSE_CHANNELS.map((c) => [c, 0])) as Record<ResponseChannel, number>), total: 0 };
}

/** Respondent facts summed into per unit-and-group status counts (what the database computes). */
export function countFacts(facts: readonly ParticipationFact[]): StatusCountsRow[] {
  const byKey = new Map<string, { unitCode: string; groupId: string; sampled: number; redeemed: number; attested: number; status: Record<RespondentStatus, number> }>();
  for (const fact of facts) {
    const key = `${fact.unitCode}\u0000${fact.groupId}`;
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = { unitCode: fact.unitCode, groupId: fact.groupId, sampled: 0, redeemed: 0, attested: 0, status: statusCounts([]) }));
    row.sampled++;
    if (fact.redeemed) row.redeemed++;
    if (fact.attested) row.attested++;
    row.status[respondentStatus(fact)]++;
  }
  return [...byKey.values()];
}

type Mutable = { sampled: number; redeemed: number; attested: number; inProgress: number; submitted: number; responses: Record<ResponseChannel, number> & { total: number } };

function finish(c: Mutable): ParticipationCounts {
  const rate = c.sampled === 0 ? null : Math.round((c.submitted / c.sampled) * 1000) / 10;
  return { sampled: c.sampled, redeemed: c.redeemed, attested: c.attested, inProgress: c.inProgress, submitted: c.submitted, rate, responses: c.responses };
}

/**
 * Builds the report from the database's counts: one row per unit and group (of the sample, or of
 * submitted responses that belong to no sampled respondent), sorted by unit id then group, and the totals.
 */
export function participationFromCounts(
  campaignId: string,
  counts: readonly StatusCountsRow[],
  units: readonly UnitRecord[],
  options: { readonly channels?: readonly SubmittedByChannelRow[]; readonly reminders?: ReminderFacts } = {},
): ParticipationReport {
  const names = new Map(units.map((u) => [u.code, u.name]));
  const empty = (): Mutable => ({ sampled: 0, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, responses: noChannels() });
  const byKey = new Map<string, { unit: string; group: string; c: Mutable }>();
  const at = (unit: string, group: string) => {
    const key = `${unit}\u0000${group}`;
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = { unit, group, c: empty() }));
    return row.c;
  };
  const total = empty();
  for (const row of counts) {
    for (const c of [at(row.unitCode, row.groupId), total]) {
      c.sampled += row.sampled;
      c.redeemed += row.redeemed;
      c.attested += row.attested;
      c.inProgress += row.status.in_progress;
      c.submitted += row.status.submitted;
    }
  }
  for (const row of options.channels ?? []) {
    for (const c of [at(row.unit, row.groupId), total]) {
      c.responses[row.channel] += row.count;
      c.responses.total += row.count;
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const rows = [...byKey.values()]
    .map(({ unit, group, c }) => ({ unit, unitName: names.get(unit) ?? unit, group, ...finish(c) }))
    .sort((a, b) => cmp(a.unit, b.unit) || cmp(a.group, b.group));
  return { campaignId, rows, totals: finish(total), ...(options.reminders ? { reminders: options.reminders } : {}) };
}

/** Builds the report from per-respondent facts (small samples and tests); see participationFromCounts. */
export function buildParticipation(
  campaignId: string,
  facts: readonly ParticipationFact[],
  units: readonly UnitRecord[],
  reminders?: ReminderFacts,
  channels?: readonly SubmittedByChannelRow[],
): ParticipationReport {
  return participationFromCounts(campaignId, countFacts(facts), units, { ...(reminders ? { reminders } : {}), ...(channels ? { channels } : {}) });
}

/** What loadParticipation reads. */
export interface ParticipationSource {
  readonly participation: Pick<ParticipationRepository, "statusCounts" | "submittedByChannel" | "reminderFacts">;
  readonly respondents: Pick<RespondentRepository, "units">;
}

/** The participation report of a campaign, computed by the database (grouped counts only). */
export async function loadParticipation(db: ParticipationSource, campaignId: string, options: { readonly reminders?: boolean } = {}): Promise<ParticipationReport> {
  const [counts, channels, units, reminders] = await Promise.all([
    db.participation.statusCounts(campaignId),
    db.participation.submittedByChannel(campaignId),
    db.respondents.units(campaignId),
    options.reminders ? db.participation.reminderFacts(campaignId) : Promise.resolve(undefined),
  ]);
  return participationFromCounts(campaignId, counts, units, { channels, ...(reminders ? { reminders } : {}) });
}

/** Respondents per status summed over status count rows (e.g. one unit's groups). */
export function sumStatus(rows: readonly StatusCountsRow[]): Record<RespondentStatus, number> {
  const out = statusCounts([]);
  for (const row of rows) for (const s of RESPONDENT_STATUSES) out[s] += row.status[s];
  return out;
}
