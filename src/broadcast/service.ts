// Broadcasts: an organiser's message to an audience of a campaign, checked before anything is
// queued, then written with one outbox row per recipient and part in one transaction. Each recipient
// gets it as their channel shows it: on Telegram as written (HTML/MarkdownV2, 4,096 characters a
// message, longer only with --split); on Zalo as plain text (tags and markup removed, entities
// decoded, links as "label (URL)"), split at line boundaries into messages of at most 2,000 characters.
import { channelOfChat } from "../outbox/channel.js";
import { zaloMessageParts } from "../outbox/plain-text.js";
import type { BroadcastRecord, MessagingRepository, OutboxRepository, OutboxCounts, ParseMode, Recipient } from "../outbox/types.js";
import { didYouMean } from "../scoring/io/suggest.js";
import { checkText, MAX_MESSAGE_LENGTH, splitText } from "./text.js";
import { englishText, type Problem } from "../i18n/problem.js";
import { formatZonedTime } from "../campaigns/time.js";

/** Units or groups listed in full in an "unknown audience" error; more are summarised. */
const MAX_LISTED = 30;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Who a broadcast goes to. */

/**
 * Why an audience reaches nobody, for a caller that words it itself (the web console): `sampled`
 * respondents in the audience (null: not counted, because others opened the bot but none matches),
 * `opened` of the campaign's who opened the bot.
 */
export interface NobodyToReach {
  readonly sampled: number | null;
  readonly opened: number;
  /** Why, said by whichever front end in its reader's language (`broadcast.nobodyMatches`, `noRespondents(In)`, `nobodyOpened(In)`). */
  readonly reason: Problem;
}

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
  /** The messages each Telegram recipient gets. */
  readonly parts: readonly string[];
  /** The messages each Zalo recipient gets (plain text, at most 2,000 characters each). */
  readonly zaloParts: readonly string[];
  readonly recipients: readonly Recipient[];
}

const messages = (n: number) => plural(n, "message");

/** "3 recipients, 1 message each", or per channel when Zalo recipients are among them: what a dry run and the queueing report. */
export function describePrepared(prepared: PreparedBroadcast): string {
  const zalo = prepared.recipients.filter((r) => channelOfChat(r.chatId) === "zalo").length;
  const telegram = prepared.recipients.length - zalo;
  const total = plural(prepared.recipients.length, "recipient");
  if (zalo === 0) return `${total}, ${messages(prepared.parts.length)} each`;
  if (telegram === 0) return `${total} on Zalo, ${messages(prepared.zaloParts.length)} each (plain text)`;
  return `${total}: ${telegram} on Telegram, ${messages(prepared.parts.length)} each; ${zalo} on Zalo, ${messages(prepared.zaloParts.length)} each (plain text)`;
}

/** Checks, queues, follows and cancels broadcasts; the CLI and the Telegram /broadcast command are thin layers over it. */
export class BroadcastService {
  constructor(
    private readonly messaging: MessagingRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Checks everything that can be wrong before queueing; the error says what to fix. */
  async prepare(request: BroadcastRequest, now: Date): Promise<{ ok: true; prepared: PreparedBroadcast } | { ok: false; error: string; readonly nobody?: NobodyToReach; readonly problem?: Problem }> {
    const campaign = await this.messaging.campaign(request.campaignId);
    if (!campaign) return { ok: false, error: `no campaign "${request.campaignId}"` };
    if (campaign.closedAt !== null || now.getTime() >= campaign.closesAt.getTime()) {
      return { ok: false, error: `campaign "${campaign.id}" is closed (${formatZonedTime(campaign.closedAt ?? campaign.closesAt, campaign.timeZone)}); broadcasts go only to open campaigns` };
    }
    const check = checkText(request.text, request.parseMode);
    if (!check.ok) return { ok: false, error: check.error, problem: check.problem };
    const zaloParts = zaloMessageParts(request.text, request.parseMode);
    if (zaloParts.length === 0) {
      const problem = { key: "broadcast.nothingLeft" };
      return { ok: false, error: englishText(problem), problem };
    }
    const audience = request.audience;
    const filter = audience.kind === "unit" ? { unitCode: audience.code } : audience.kind === "group" ? { groupId: audience.id } : {};
    if (audience.kind === "unit" || audience.kind === "group") {
      const unknown = await this.unknownAudience(campaign.id, audience);
      if (unknown) return { ok: false, error: englishText(unknown), problem: unknown };
    }
    // The database narrows to the unit or group and to respondents who opened the bot; pages keep memory bounded.
    const opened = await this.messaging.recipients(campaign.id, filter);
    const recipients = opened.filter((r) => matches(audience, r));
    if (recipients.length === 0) {
      const name = formatAudience(audience);
      const inAudience = audience.kind === "unit" || audience.kind === "group";
      const nobody = (reason: Problem, sampled: number | null, opened: number) => {
        const problem = { key: "broadcast.nothingToSend", params: { reason } };
        return { ok: false as const, error: englishText(problem), problem, nobody: { sampled, opened, reason } };
      };
      if (opened.length > 0) return nobody({ key: "broadcast.nobodyMatches", params: { campaign: campaign.id, audience: name, count: opened.length } }, null, opened.length);
      const sampled = await this.messaging.respondentCount(campaign.id, filter);
      if (sampled === 0) return nobody(inAudience ? { key: "broadcast.noRespondentsIn", params: { campaign: campaign.id, audience: name } } : { key: "broadcast.noRespondents", params: { campaign: campaign.id } }, 0, 0);
      return nobody({ key: inAudience ? "broadcast.nobodyOpenedIn" : "broadcast.nobodyOpened", params: { campaign: campaign.id, audience: name, count: sampled } }, sampled, 0);
    }
    // Telegram's limit matters only when the broadcast goes to someone on Telegram.
    let parts = [request.text.trim()];
    if (check.visibleLength > MAX_MESSAGE_LENGTH && recipients.some((r) => channelOfChat(r.chatId) === "telegram")) {
      if (!request.split) {
        const problem = { key: "broadcast.tooLong", params: { length: check.visibleLength, limit: MAX_MESSAGE_LENGTH } };
        return { ok: false, error: englishText(problem), problem };
      }
      const split = splitText(request.text, request.parseMode);
      if (!split.ok) return { ok: false, error: split.error, problem: split.problem };
      parts = split.parts;
    }
    return { ok: true, prepared: { request, parts, zaloParts, recipients } };
  }

  /** The problem of a unit or group the campaign does not have (with the valid ones and a did-you-mean), or undefined. */
  private async unknownAudience(campaignId: string, audience: Extract<Audience, { kind: "unit" | "group" }>): Promise<Problem | undefined> {
    const values = await this.messaging.audienceValues(campaignId);
    const [kind, value, valid] = audience.kind === "unit" ? (["Unit", audience.code, values.units] as const) : (["Group", audience.id, values.groups] as const);
    if (valid.includes(value)) return undefined;
    if (valid.length === 0) return { key: `broadcast.unknown${kind}NoRespondents`, params: { campaign: campaignId, value } };
    const best = didYouMean(value, valid);
    return {
      key: `broadcast.unknown${kind}`,
      params: {
        campaign: campaignId,
        value,
        suggestion: best === undefined ? "" : { key: "broadcast.didYouMean", params: { best } },
        valid: valid.slice(0, MAX_LISTED).join(", "),
        more: valid.length > MAX_LISTED ? { key: "broadcast.moreListed", params: { count: valid.length - MAX_LISTED, campaign: campaignId } } : "",
      },
    };
  }

  /** Queues a prepared broadcast: the record and every message in one transaction; a chat's parts are queued in order. */
  async queue(prepared: PreparedBroadcast, now: Date): Promise<BroadcastRecord> {
    const { request, parts, zaloParts, recipients } = prepared;
    return this.messaging.recordBroadcast(
      { campaignId: request.campaignId, audience: formatAudience(request.audience), text: request.text, parseMode: request.parseMode, parts: parts.length, actor: request.actor, createdAt: now },
      (id) =>
        recipients.flatMap((r) => {
          const zalo = channelOfChat(r.chatId) === "zalo";
          return (zalo ? zaloParts : parts).map((text, part) => ({
            kind: "broadcast" as const,
            campaignId: request.campaignId,
            batchId: id,
            respondentId: r.respondentId,
            chatId: r.chatId,
            dedupeKey: `broadcast:${id}:${r.respondentId}:${part}`,
            text,
            parseMode: zalo ? null : request.parseMode,
            notBefore: now,
          }));
        }),
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
