// What the admin commands are built from. Each port is a narrow view of a repository or service that
// exists elsewhere (src/db, src/reminders, src/outbox), so tests and other hosts can substitute them.
import type { AuditEventInput } from "../../../db/index.js";
import type { ParticipationReport } from "../../../participation/index.js";
import type { Audience } from "./audience.js";
import type { AdminState } from "./state.js";

/** A campaign as the admin commands need it (CampaignRecord satisfies it). */
export interface AdminCampaign {
  readonly id: string;
  readonly name: string;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly closedAt: Date | null;
  readonly timeZone: string;
  /** Response exports may carry respondent identity only when this is set. */
  readonly identified: boolean;
}

/** Campaigns by id, and all of them (CampaignRepository satisfies it). */
export interface AdminCampaigns {
  get(id: string): Promise<AdminCampaign | null>;
  list(): Promise<readonly AdminCampaign[]>;
}

/** Participation of a campaign per unit and group (src/participation over the database). */
export interface AdminParticipation {
  report(campaignId: string): Promise<ParticipationReport>;
}

/** "Remind now" (the ReminderService of src/reminders satisfies it); reminders go through the outbox. */
export interface AdminReminders {
  /** How many respondents a reminder would reach now. */
  preview(campaignId: string): Promise<number>;
  /** Queues one reminder per respondent who has not submitted; null when the campaign is unknown or closed. */
  remindNow(campaignId: string, now: Date, actor: string | null): Promise<{ readonly id: string; readonly recipients: number } | null>;
}

/** Progress of one broadcast, from its outbox rows. */
export interface BroadcastProgressCounts {
  readonly recipients: number;
  readonly sent: number;
  /** Failed, unreachable, skipped or in doubt: not delivered and not retried. */
  readonly failed: number;
  /** Still queued or being sent. */
  readonly remaining: number;
  readonly cancelled: number;
  readonly cancelledAt: Date | null;
}

/** Broadcasts through the outbox: audience sizes, queueing, progress and cancellation. */
export interface AdminBroadcasts {
  /** Recipients the audience would reach now (respondents who opened the bot and can be written to). */
  audienceSize(campaignId: string, audience: Audience): Promise<number>;
  /**
   * Records the broadcast and queues one outbox row per recipient in one transaction. `key` makes
   * the outbox rows idempotent: starting twice with the same key queues each recipient once.
   */
  start(input: { campaignId: string; audience: Audience; text: string; actor: string; key: string; now: Date }): Promise<{ readonly id: string; readonly recipients: number }>;
  progress(broadcastId: string): Promise<BroadcastProgressCounts | null>;
  /** Stops a broadcast: its unsent rows are cancelled; null when unknown. */
  cancel(broadcastId: string, now: Date): Promise<BroadcastProgressCounts | null>;
}

/** A file to send as a document. */
export type ExportFile =
  | { readonly fileName: string; readonly content: Uint8Array }
  /** Written to a temporary file (bounded memory whatever the campaign's size); `dispose` deletes it once sent. */
  | { readonly fileName: string; readonly path: string; dispose(): Promise<void> };

/**
 * The responses file of a campaign (SURVEY-FORMAT section 4). Implementations never include a
 * respondent's identity unless the campaign is identified, and honour the small-cell rule.
 */
export interface ResponsesExporter {
  responses(campaignId: string): Promise<ExportFile>;
}

/** Audit trail (AuditRepository satisfies it). */
export interface AdminAudit {
  record(event: AuditEventInput): Promise<void>;
}

/** A broadcast whose progress message is still being updated. */
export interface TrackedBroadcast {
  readonly broadcastId: string;
  readonly actor: string;
  readonly chatId: number;
  readonly messageId: number;
  readonly language: string;
  readonly campaignId: string;
  /** The audience as the admin reads it, e.g. "those who have not submitted". */
  readonly audience: string;
}

/** Where each admin is between steps (compose → audience → confirm), and the broadcasts being tracked; kept in the database. */
export interface AdminStateStore {
  load(actor: string): Promise<AdminState>;
  save(actor: string, state: AdminState, at: Date): Promise<void>;
  /** Starts tracking a broadcast's progress message. */
  track(broadcast: TrackedBroadcast, at: Date): Promise<void>;
  /** Broadcasts still tracked (not yet finished). */
  tracked(): Promise<TrackedBroadcast[]>;
  /** Stops tracking a broadcast (finished or cancelled), with its final counts. */
  untrack(broadcastId: string, at: Date, data: Readonly<Record<string, unknown>>): Promise<void>;
}

/** Everything the admin commands use. `responses` is optional until a responses exporter is wired. */
export interface AdminPorts {
  readonly campaigns: AdminCampaigns;
  readonly participation: AdminParticipation;
  readonly reminders: AdminReminders;
  readonly broadcasts: AdminBroadcasts;
  readonly audit: AdminAudit;
  readonly state: AdminStateStore;
  readonly responses?: ResponsesExporter;
}

/** Admin configuration: who may use the commands (numeric Telegram ids only) and the ports. */
export interface AdminOptions {
  readonly ids: readonly number[];
  readonly ports: AdminPorts;
  /** A fresh draft id (tests pass a counter); default random. */
  readonly newDraftId?: () => string;
}
