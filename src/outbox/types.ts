// The outbox contract: what producers (reminders, broadcasts, digests) write and what the sender
// claims, sends and marks. Implemented over Prisma in src/db/outbox-repository.ts.

/** What a proactive message is for. */
export type OutboxKind = "reminder" | "broadcast" | "digest";

/** Where a message stands. `claimed`: reserved by a sender, not yet attempted; `sending`: the HTTP call may be under way. */
export type OutboxStatus = "queued" | "claimed" | "sending" | "sent" | "failed" | "unreachable" | "skipped" | "in_doubt" | "cancelled";

/** Every status, in the order reports list them. */
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ["queued", "claimed", "sending", "sent", "failed", "unreachable", "skipped", "in_doubt", "cancelled"];

/** Telegram parse modes a message may use. */
export type ParseMode = "HTML" | "MarkdownV2";

/** An inline keyboard as the Bot API takes it (only callback buttons are used). */
export interface InlineKeyboard {
  readonly inline_keyboard: ReadonlyArray<ReadonlyArray<{ readonly text: string; readonly callback_data: string }>>;
}

/** A message to put in the outbox. */
export interface OutboxMessageInput {
  readonly kind: OutboxKind;
  readonly campaignId?: string | null;
  readonly batchId?: string | null;
  readonly respondentId?: string | null;
  readonly chatId: string;
  /** Unique per intended delivery: enqueueing the same key twice keeps one row. */
  readonly dedupeKey: string;
  readonly text: string;
  readonly parseMode?: ParseMode | null;
  readonly replyMarkup?: InlineKeyboard | null;
  readonly notBefore: Date;
}

/** A message a sender has claimed. */
export interface ClaimedMessage {
  readonly id: number;
  readonly kind: OutboxKind;
  readonly batchId: string | null;
  readonly chatId: string;
  readonly text: string;
  readonly parseMode: ParseMode | null;
  readonly replyMarkup: InlineKeyboard | null;
  readonly attempts: number;
  readonly claimToken: string;
}

/** A message marked sent. */
export interface SentMark {
  readonly id: number;
  readonly at: Date;
  readonly telegramMessageId: number | null;
}

/** Counts of messages per kind and status. */
export type OutboxCounts = Record<string, Partial<Record<OutboxStatus, number>>>;

/** What a recovery pass did. */
export interface RecoveryResult {
  /** Claimed rows of a vanished sender put back in the queue (never attempted, so safe to send). */
  readonly requeued: number;
  /** Rows whose send was under way when their sender vanished: not sent again (at most once). */
  readonly inDoubt: number;
}

/** Durable outbox storage. Every state change is a conditional update, so racing senders cannot both win. */
export interface OutboxRepository {
  /** Adds messages (rows whose dedupe key exists are kept as they are); chats known unreachable are not queued. */
  enqueue(messages: readonly OutboxMessageInput[]): Promise<{ queued: number; unreachable: number; duplicate: number }>;
  /** Reserves up to `limit` due queued messages for the claim token (SKIP LOCKED on PostgreSQL). */
  claim(token: string, now: Date, limit: number): Promise<ClaimedMessage[]>;
  /** Moves one claimed row to `sending` just before the HTTP call; false if it is no longer this claim's. */
  markSending(id: number, token: string, now: Date): Promise<boolean>;
  /** Moves claimed rows to `sending` in one statement per claim token, just before their HTTP calls; returns the ids that moved (the others were cancelled, ended or taken over). */
  markSendingMany(rows: readonly { readonly id: number; readonly claimToken: string }[], now: Date): Promise<Set<number>>;
  /** Marks rows sent (one statement per few hundred rows). */
  markSent(marks: readonly SentMark[]): Promise<void>;
  /** Puts a row back in the queue (not delivered: 429, retryable error); `failedAttempt` counts towards the limit. */
  requeue(id: number, notBefore: Date, failedAttempt: { error: string } | null): Promise<void>;
  /** Ends a row in a final state with the reason. */
  finish(id: number, status: "failed" | "skipped" | "in_doubt", error: string, at: Date): Promise<void>;
  /** Records a chat as unreachable and ends this and every pending row to it. */
  markUnreachable(id: number, chatId: string, reason: string, at: Date): Promise<number>;
  /** Returns this claim's rows that were never attempted to the queue (graceful stop). */
  releaseClaim(token: string): Promise<number>;
  /** Requeues claims older than `claimedBefore`; marks sends started before `sendingBefore` in doubt. */
  recover(now: Date, claimedBefore: Date, sendingBefore: Date): Promise<RecoveryResult>;
  /** The claim tokens that hold rows (claimed or sending). */
  claimHolders(): Promise<string[]>;
  /** Takes back the rows of claims whose sender has ended: claimed ones requeued, sending ones in doubt. */
  recoverClaims(tokens: readonly string[], now: Date): Promise<RecoveryResult>;
  /** Rows still to be sent (queued, claimed or sending), optionally of one batch. */
  pending(batchId?: string): Promise<number>;
  /** Counts per kind and status, optionally of one campaign or batch. */
  counts(filter?: { campaignId?: string; batchId?: string }): Promise<OutboxCounts>;
  /** Cancels the queued and claimed rows of a batch; returns how many. */
  cancelBatch(batchId: string, at: Date): Promise<number>;
  /** Chat ids among `chatIds` recorded as unreachable. */
  unreachableAmong(chatIds: readonly string[]): Promise<Set<string>>;
  /** Number of chats recorded as unreachable. */
  unreachableCount(): Promise<number>;
  /** In-doubt rows that `requeueInDoubt` would queue again, optionally of one campaign. */
  inDoubtResendable(filter?: { campaignId?: string }): Promise<number>;
  /**
   * Queues in-doubt rows again (at-least-once for them, by an organiser's choice), optionally of one
   * campaign; rows of cancelled broadcasts and rows to unreachable chats stay as they are.
   */
  requeueInDoubt(filter: { campaignId?: string }, now: Date): Promise<number>;
}

/** A respondent the bot can write to proactively: named, has opened the bot in a private chat. */
export interface Recipient {
  readonly respondentId: string;
  readonly chatId: string;
  readonly language: string;
  readonly unitCode: string;
  readonly groupId: string;
  /** Has submitted every expected response. */
  readonly submitted: boolean;
  /** Declined the attestation (not the named person, or not answering personally). */
  readonly declined: boolean;
}

/** Narrows recipients to one unit and/or one group (applied by the database). */
export interface RecipientFilter {
  readonly unitCode?: string;
  readonly groupId?: string;
}

/** A campaign as reminders and broadcasts need it. */
export interface MessagingCampaign {
  readonly id: string;
  readonly name: string;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly closedAt: Date | null;
  readonly timeZone: string;
  /** The stored reminder schedule text, if any. */
  readonly reminders: string | null;
}

/** A reminder run to record. */
export interface ReminderRunInput {
  readonly campaignId: string;
  readonly slotAt: Date;
  readonly label: string;
  readonly trigger: "scheduled" | "manual";
  readonly actor?: string | null;
  readonly ranAt: Date;
  /** Offset of a scheduled slot ("1d", "12h"): with `forClosesAt`, what makes a run unique. Null for manual runs. */
  readonly offset?: string | null;
  /** The close time the slot was computed for (extending the deadline re-arms the reminders). */
  readonly forClosesAt?: Date | null;
}

/** A reminder run as stored. */
export interface ReminderRunRecord extends Required<ReminderRunInput> {
  readonly id: string;
  readonly recipients: number;
}

/** A broadcast as stored. */
export interface BroadcastRecord {
  readonly id: string;
  readonly campaignId: string;
  readonly audience: string;
  readonly parts: number;
  readonly recipients: number;
  readonly actor: string | null;
  readonly createdAt: Date;
  readonly cancelledAt: Date | null;
}

/** Campaign-side storage of reminders and broadcasts. Runs and broadcasts are written with their outbox rows in one transaction. */
export interface MessagingRepository {
  campaign(id: string): Promise<MessagingCampaign | null>;
  /** Campaigns not closed whose close is after `now` and that have a reminder schedule. */
  campaignsWithReminders(now: Date): Promise<MessagingCampaign[]>;
  /** Stores (or clears, with null) a campaign's reminder schedule text; false if the campaign is unknown. */
  setReminderSchedule(campaignId: string, schedule: string | null): Promise<boolean>;
  /** Respondents of the campaign who opened the bot in Telegram, minus unreachable chats (all pages of recipientPages). */
  recipients(campaignId: string, filter?: RecipientFilter): Promise<Recipient[]>;
  /** The same recipients in keyset-paged pages (by external id) of at most a few thousand: bounded memory at any size. */
  recipientPages(campaignId: string, filter?: RecipientFilter): AsyncIterable<Recipient[]>;
  /** The unit codes and group ids a broadcast audience may name: those of the campaign's respondents and units, sorted. */
  audienceValues(campaignId: string): Promise<{ readonly units: readonly string[]; readonly groups: readonly string[] }>;
  /** Respondents of the campaign (whether they opened the bot or not), optionally of one unit and/or group. */
  respondentCount(campaignId: string, filter?: RecipientFilter): Promise<number>;
  /** Whether a scheduled run exists for this offset and close time (whatever its time of day). */
  hasRun(campaignId: string, offset: string, forClosesAt: Date): Promise<boolean>;
  /**
   * Records the run and its messages atomically; `null` when it already ran (unique campaign + offset + close time).
   * `build` may give the messages page by page (an async iterable): each page is written as it comes, in the same transaction.
   */
  recordReminderRun(
    run: ReminderRunInput,
    build: (runId: string) => readonly OutboxMessageInput[] | AsyncIterable<readonly OutboxMessageInput[]>,
  ): Promise<ReminderRunRecord | null>;
  /** Runs of a campaign, latest first. */
  reminderRuns(campaignId: string): Promise<ReminderRunRecord[]>;
  /** Every chat id recorded unreachable (the bot keeps them to notice a chat that came back). */
  unreachableChats(): Promise<string[]>;
  /** Forgets that a chat was unreachable (it wrote to the bot again); false if it was not recorded. */
  clearUnreachable(chatId: string): Promise<boolean>;
  /** Records a broadcast and its messages atomically. */
  recordBroadcast(
    broadcast: { campaignId: string; audience: string; text: string; parseMode: ParseMode | null; parts: number; actor: string | null; createdAt: Date },
    build: (broadcastId: string) => readonly OutboxMessageInput[],
  ): Promise<BroadcastRecord>;
  broadcast(id: string): Promise<BroadcastRecord | null>;
  /** Marks a broadcast cancelled (its pending rows are cancelled by the outbox). */
  markBroadcastCancelled(id: string, at: Date): Promise<BroadcastRecord | null>;
}

/** Leases that let exactly one instance run a scheduler tick. */
export interface LeaseRepository {
  /** Takes the lease `key` for `holder` until `now + ttlMs` unless someone holds it unexpired. */
  tryAcquire(key: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Deletes leases that expired before `before`. */
  purge(before: Date): Promise<number>;
}
