// Broadcasts: an organiser's message to an audience of a campaign, checked before anything is
// queued, then written with one outbox row per recipient and part in one transaction.
import type { BroadcastRecord, MessagingRepository, OutboxRepository, OutboxCounts, ParseMode, Recipient } from "../outbox/types.js";
import { checkText, MAX_MESSAGE_LENGTH, splitText } from "./text.js";

/** Who a broadcast goes to. */
export type Audience = { readonly kind: "all" } | { readonly kind: "not-submitted" } | { readonly kind: "unit"; readonly code: string } | { readonly kind: "group"; readonly id: string };

/** Parses `all`, `not-submitted`, `unit:CODE` or `group:ID`. */
export function parseAudience(text: string): { ok: true; audience: Audience } | { ok: false; error: string } {
  const t = text.trim();
  if (t === "all" || t === "not-submitted") return { ok: true, audience: { kind: t } };
  const m = /^(unit|group):(.+)$/.exec(t);
  if (m) return { ok: true, audience: m[1] === "unit" ? { kind: "unit", code: m[2]!.trim() } : { kind: "group", id: m[2]!.trim() } };
  return { ok: false, error: `audience "${text}" is not one of all, not-submitted, unit:CODE, group:ID` };
}

/** The canonical text of an audience. */
export function formatAudience(a: Audience): string {
  return a.kind === "unit" ? `unit:${a.code}` : a.kind === "group" ? `group:${a.id}` : a.kind;
}

function matches(a: Audience, r: Recipient): boolean {
  switch (a.kind) {
    case "all":
      return true;
    case "not-submitted":
      return !r.submitted && !r.declined;
    case "unit":
      return r.unitCode === a.code;
    case "group":
      return r.groupId === a.id;
  }
}

/** What a broadcast request asks for. */
export interface BroadcastRequest {
  readonly campaignId: string;
  readonly audience: Audience;
  readonly text: string;
  readonly parseMode: ParseMode | null;
  /** Split a text over 4,096 characters into several messages instead of refusing it. */
  readonly split: boolean;
  readonly actor: string | null;
}

/** A checked broadcast, ready to queue. */
export interface PreparedBroadcast {
  readonly request: BroadcastRequest;
  readonly parts: readonly string[];
  readonly recipients: readonly Recipient[];
}

/** Checks, queues, follows and cancels broadcasts; the CLI and the Telegram /broadcast command are thin layers over it. */
export class BroadcastService {
  constructor(
    private readonly messaging: MessagingRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Checks everything that can be wrong before queueing; the error says what to fix. */
  async prepare(request: BroadcastRequest, now: Date): Promise<{ ok: true; prepared: PreparedBroadcast } | { ok: false; error: string }> {
    const campaign = await this.messaging.campaign(request.campaignId);
    if (!campaign) return { ok: false, error: `no campaign "${request.campaignId}"` };
    if (campaign.closedAt !== null || now.getTime() >= campaign.closesAt.getTime()) {
      return { ok: false, error: `campaign "${campaign.id}" is closed (${(campaign.closedAt ?? campaign.closesAt).toISOString()}); broadcasts go only to open campaigns` };
    }
    const check = checkText(request.text, request.parseMode);
    if (!check.ok) return { ok: false, error: check.error };
    let parts = [request.text.trim()];
    if (check.visibleLength > MAX_MESSAGE_LENGTH) {
      if (!request.split) return { ok: false, error: `the text is ${check.visibleLength} characters long; Telegram accepts at most ${MAX_MESSAGE_LENGTH} per message: shorten it or pass --split to send it as several messages` };
      const split = splitText(request.text, request.parseMode);
      if (!split.ok) return { ok: false, error: split.error };
      parts = split.parts;
    }
    const recipients = (await this.messaging.recipients(campaign.id)).filter((r) => matches(request.audience, r));
    if (recipients.length === 0) {
      return { ok: false, error: `nobody in campaign "${campaign.id}" matches the audience ${formatAudience(request.audience)} among respondents who opened the bot; nothing to send` };
    }
    return { ok: true, prepared: { request, parts, recipients } };
  }

  /** Queues a prepared broadcast: the record and every message in one transaction. */
  async queue(prepared: PreparedBroadcast, now: Date): Promise<BroadcastRecord> {
    const { request, parts, recipients } = prepared;
    return this.messaging.recordBroadcast(
      { campaignId: request.campaignId, audience: formatAudience(request.audience), text: request.text, parseMode: request.parseMode, parts: parts.length, actor: request.actor, createdAt: now },
      (id) =>
        recipients.flatMap((r) =>
          parts.map((text, part) => ({
            kind: "broadcast" as const,
            campaignId: request.campaignId,
            batchId: id,
            respondentId: r.respondentId,
            chatId: r.chatId,
            dedupeKey: `broadcast:${id}:${r.respondentId}:${part}`,
            text,
            parseMode: request.parseMode,
            notBefore: now,
          })),
        ),
    );
  }

  /** Progress of a broadcast: its messages by status. */
  async progress(broadcastId: string): Promise<OutboxCounts[string]> {
    return (await this.outbox.counts({ batchId: broadcastId })).broadcast ?? {};
  }

  /** Stops a broadcast: messages not yet sent are cancelled. Null if unknown. */
  async cancel(broadcastId: string, now: Date): Promise<{ broadcast: BroadcastRecord; cancelled: number } | null> {
    const broadcast = await this.messaging.markBroadcastCancelled(broadcastId, now);
    if (!broadcast) return null;
    return { broadcast, cancelled: await this.outbox.cancelBatch(broadcastId, now) };
  }
}
