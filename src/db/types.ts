// Records and repository interfaces: what the rest of the code sees of the database. Plain data,
// no Prisma types, so callers never depend on the client.

/** A questionnaire version as stored (the file text exactly as loaded). */
export interface QuestionnaireVersionRecord {
  readonly pk: number;
  readonly questionnaireId: string;
  readonly version: number;
  readonly fileName: string;
  readonly source: string;
  readonly sourceHash: string;
  readonly loadedAt: Date;
}

/** A campaign with its questionnaire's id and version. */
export interface CampaignRecord {
  readonly id: string;
  readonly name: string;
  readonly questionnaireId: string;
  readonly questionnaireVersion: number;
  readonly questionnaireVersionPk: number;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly timeZone: string;
  readonly identified: boolean;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly closedAt: Date | null;
  readonly createdAt: Date;
}

/** What is needed to create a campaign. */
export interface NewCampaign {
  readonly id: string;
  readonly name: string;
  readonly questionnaireVersionPk: number;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly timeZone: string;
  readonly identified: boolean;
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** The outcome of storing a questionnaire version. */
export type StoreQuestionnaireResult =
  | { readonly ok: true; readonly record: QuestionnaireVersionRecord; readonly reused: boolean }
  | { readonly ok: false; readonly stored: QuestionnaireVersionRecord };

/** Campaigns and the questionnaire versions they freeze. */
export interface CampaignRepository {
  /** Stores a questionnaire version, or reuses the identical one; refuses different text under the same id and version. */
  storeQuestionnaireVersion(input: Omit<QuestionnaireVersionRecord, "pk" | "loadedAt">): Promise<StoreQuestionnaireResult>;
  /** The questionnaire version a campaign uses. */
  questionnaireVersion(pk: number): Promise<QuestionnaireVersionRecord | null>;
  create(input: NewCampaign): Promise<CampaignRecord>;
  get(id: string): Promise<CampaignRecord | null>;
  list(): Promise<CampaignRecord[]>;
  /** Marks the campaign closed at `at` (returns null if unknown); closing twice keeps the first time. */
  close(id: string, at: Date): Promise<CampaignRecord | null>;
  /** Merges `patch` into the campaign's settings (a null value removes the key); null if unknown. */
  updateSettings(id: string, patch: Readonly<Record<string, unknown>>): Promise<CampaignRecord | null>;
}

/** A respondent as stored. */
export interface RespondentRecord {
  readonly id: string;
  readonly campaignId: string;
  readonly externalId: string;
  readonly fullName: string;
  readonly unitCode: string;
  readonly groupId: string;
  readonly language: string;
  readonly phone: string | null;
  readonly email: string | null;
  /** Units assessed; empty means the respondent's own unit. */
  readonly subjectUnits: readonly string[];
  readonly coordinator: boolean;
}

/** One respondent row of an import (unit name travels with it). */
export interface RespondentInput {
  readonly externalId: string;
  readonly fullName: string;
  readonly unitCode: string;
  readonly unitName: string;
  readonly groupId: string;
  readonly language: string;
  readonly phone: string | null;
  readonly email: string | null;
  readonly subjectUnits: readonly string[];
  readonly coordinator: boolean;
}

/** Counts of what an import did. */
export interface ImportCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /**
   * Rows naming a response the bot collected (its export's response_id) with other answers: a
   * file cannot change what a respondent answered, so nothing was imported. Absent when none.
   */
  readonly conflicts?: readonly { readonly responseId: string; readonly channel: string }[];
}

/** A unit of a campaign. */
export interface UnitRecord {
  readonly code: string;
  readonly name: string;
  readonly parentCode: string | null;
}

/** Narrows a read to one unit's respondents (or one subject unit's responses), filtered by the database. */
export interface UnitFilter {
  readonly unitCode?: string;
}

/** Respondents and units of campaigns. */
export interface RespondentRepository {
  /** Creates new respondents and updates changed ones in one transaction; answers are never touched. */
  importRespondents(campaignId: string, rows: readonly RespondentInput[]): Promise<ImportCounts>;
  /** External ids already in the campaign. */
  externalIds(campaignId: string): Promise<Set<string>>;
  /** The campaign's respondents by external id; `filter.unitCode` narrows to one unit (chosen by the database). */
  list(campaignId: string, filter?: UnitFilter): Promise<RespondentRecord[]>;
  /** The campaign's coordinators (a few per unit), by external id. */
  coordinators(campaignId: string): Promise<RespondentRecord[]>;
  getByExternalId(campaignId: string, externalId: string): Promise<RespondentRecord | null>;
  units(campaignId: string): Promise<UnitRecord[]>;
}

/** Where a respondent stands; each respondent has exactly one. */
export type RespondentStatus = "not_redeemed" | "redeemed" | "declined" | "in_progress" | "submitted";

/** The facts participation reports are made of, one per respondent. */
export interface ParticipationFact {
  readonly respondentId: string;
  readonly unitCode: string;
  readonly groupId: string;
  readonly redeemed: boolean;
  readonly attested: boolean;
  readonly declined: boolean;
  /** Responses submitted, and how many are expected (one per subject unit). */
  readonly submittedResponses: number;
  readonly expectedResponses: number;
  readonly startedResponses: number;
}

/** What reminders have done for a campaign, for the participation report. */
export interface ReminderFacts {
  /** When the latest reminder run of the campaign was recorded; null before the first. */
  readonly lastReminderAt: Date | null;
  /** Respondents whose Telegram chat is recorded unreachable (blocked the bot, deactivated). */
  readonly unreachable: number;
}

/** The channels that collect responses (Response.source; the older 'bot' means telegram). */
export const RESPONSE_CHANNELS = ["telegram", "zalo", "console", "import"] as const;
/** One of RESPONSE_CHANNELS. */
export type ResponseChannel = (typeof RESPONSE_CHANNELS)[number];

/** The channel a stored Response.source names ('bot' is the older name of 'telegram'). */
export function responseChannel(source: string): ResponseChannel {
  if (source === "bot") return "telegram";
  return (RESPONSE_CHANNELS as readonly string[]).includes(source) ? (source as ResponseChannel) : "import";
}

/** Respondents of one unit and group by status, counted by the database. */
export interface StatusCountsRow {
  readonly unitCode: string;
  readonly groupId: string;
  readonly sampled: number;
  /** Code redeemed (bound to a messaging account), whatever the status since. */
  readonly redeemed: number;
  /** Identity confirmed and attestation accepted (on at least one response). */
  readonly attested: number;
  /** Respondents in each status (they add up to `sampled`). */
  readonly status: Readonly<Record<RespondentStatus, number>>;
}

/** Submitted responses of one subject unit and group through one channel. */
export interface SubmittedByChannelRow {
  readonly unit: string;
  readonly groupId: string;
  readonly channel: ResponseChannel;
  readonly count: number;
}

/** A respondent of a unit who has not submitted everything (for coordinators who may see names). */
export interface PendingRespondent {
  readonly name: string;
  readonly status: Exclude<RespondentStatus, "submitted">;
}

/**
 * Read model for participation and status counts. Counts are computed by the database (one row per
 * unit and group); per-respondent facts come in keyset-paged pages, never as one unbounded list.
 */
export interface ParticipationRepository {
  /** Respondents per unit and group by status; optionally of one unit only. */
  statusCounts(campaignId: string, filter?: UnitFilter): Promise<StatusCountsRow[]>;
  /** Submitted responses per subject unit, group and channel (every source, named or not); optionally of one subject unit. */
  submittedByChannel(campaignId: string, filter?: UnitFilter): Promise<SubmittedByChannelRow[]>;
  /** Respondents of one unit who have not submitted everything, with their status. */
  pendingOfUnit(campaignId: string, unitCode: string): Promise<PendingRespondent[]>;
  /** Per-respondent facts in pages of at most a few thousand, by external id. */
  factPages(campaignId: string, filter?: UnitFilter): AsyncIterable<ParticipationFact[]>;
  /** Every respondent's facts at once (small campaigns, one unit, tests; reports use the counts). */
  facts(campaignId: string, filter?: UnitFilter): Promise<ParticipationFact[]>;
  reminderFacts(campaignId: string): Promise<ReminderFacts>;
}

/** An audit event to record. */
export interface AuditEventInput {
  readonly at: Date;
  readonly kind: string;
  readonly campaignId?: string | null;
  readonly actor?: string | null;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An audit event as stored. */
export interface AuditEventRecord extends Required<Omit<AuditEventInput, "data">> {
  readonly id: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Audit trail for organisers. */
export interface AuditRepository {
  record(event: AuditEventInput): Promise<void>;
  list(filter?: { campaignId?: string; kind?: string }): Promise<AuditEventRecord[]>;
}

/** A submitted response with its answers (values as stored JSON, parsed). */
export interface StoredResponse {
  readonly id: string;
  /** response_id of an imported file row; null for responses collected by a channel. */
  readonly externalId: string | null;
  readonly unit: string;
  readonly group: string;
  readonly startedAt: Date | null;
  readonly submittedAt: Date | null;
  readonly respondentId: string | null;
  readonly account: string | null;
  readonly flags: readonly string[];
  readonly decision: "accept" | "reject" | null;
  readonly answers: Readonly<Record<string, unknown>>;
  /** Seconds spent per question, where known (Answer.seconds). */
  readonly seconds?: Readonly<Record<string, number>>;
  /** The channel that collected it (Response.source; the older 'bot' is telegram). */
  readonly channel: ResponseChannel;
}

/** One row of a responses file to store (submitted; time may be unknown). */
export interface ImportedResponse {
  readonly externalId: string;
  readonly unit: string;
  readonly group: string;
  readonly startedAt: Date | null;
  readonly submittedAt: Date | null;
  /** Answer values by question id (stored as JSON). */
  readonly answers: Readonly<Record<string, unknown>>;
  /** Seconds spent per question, from the file's `<id>__seconds` columns. */
  readonly seconds?: Readonly<Record<string, number>>;
}

/** Submitted responses of campaigns, for export, import and scoring. */
export interface ResponseRepository {
  /** Every submitted response of the campaign, ordered by submission time (unknown first), then id: all pages of submittedPages. */
  submitted(campaignId: string): Promise<StoredResponse[]>;
  /** The same responses in keyset-paged pages of at most `pageSize` (default 500), for streamed exports in bounded memory. */
  submittedPages(campaignId: string, pageSize?: number): AsyncIterable<StoredResponse[]>;
  /** Whether any submitted response of the campaign has per-question times. */
  hasAnswerTimes(campaignId: string): Promise<boolean>;
  /** Stores file rows keyed by (campaign, response_id) in one transaction: new, replaced when different, or unchanged. */
  importResponses(campaignId: string, questionnaireVersionPk: number, rows: readonly ImportedResponse[], now: Date): Promise<ImportCounts>;
}
