// The one sender that drains the outbox: claim → mark sending → send → mark done, within each
// channel's limits. Delivery is at most once at the send boundary: a row is marked `sending`
// (committed) before its HTTP call, and a row found `sending` after its sender vanished is put
// `in_doubt`, not sent again. The only messages that can be lost are those whose HTTP call was under
// way at the moment of a crash and had not reached the channel; they are counted and visible, never silent.
// Each channel (Telegram, Zalo: read from the row's chat id) has its own lane: rate budget, per-chat
// spacing, prepared rows and 429 pause, so one channel's throttling never holds the other's sends.
// While a channel is paused, or a chat waits behind an earlier message put back (429, retry), their
// claimed rows go back to the queue until then rather than sitting in memory: the claims keep
// bringing the other channel's rows, and a chat's messages keep their order (claims go by id).
import { randomUUID } from "node:crypto";
import { processTag, senderEnded } from "./liveness.js";
import { channelOfChat, OUTBOX_CHANNELS, type OutboxChannel } from "./channel.js";
import { PerChatSpacing, SendBudget } from "./rate-limit.js";
import type { OutboxTransport, SendOutcome } from "./transport.js";
import type { ClaimedMessage, OutboxRepository, SentMark } from "./types.js";

/**
 * What the sender needs of a rate budget (SendBudget in rate-limit.ts; a budget shared by several
 * instances offers the same): how many starts now, how long until the next, record starts and answers.
 */
export interface RateBudget {
  available(now: number): number;
  delay(now: number, n?: number): number;
  take(now: number, n?: number): void;
  settle(startedAt: number, now: number): void;
  /** A 429 came back: the rate was overestimated. */
  penalize(now: number): void;
}

/** Limits of one channel; unset ones take the sender's own `ratePerSecond` / `perChatPerSecond`. */
export interface ChannelSendOptions {
  /** Messages per second to this channel (Zalo: unpublished, ZALO_RATE_PER_SECOND). */
  readonly ratePerSecond?: number;
  readonly perChatPerSecond?: number;
  /** The budget to pace this channel with instead of one of this process at `ratePerSecond` (e.g. shared by every instance). */
  readonly budget?: RateBudget;
}

/** Settings of the sender; every one has a default that suits one bot on Telegram. */
export interface SenderOptions {
  /** Messages per second per channel (Telegram: about 30; default 25 leaves room for replies). */
  readonly ratePerSecond?: number;
  /** Messages per second to one chat (Telegram: about 1). */
  readonly perChatPerSecond?: number;
  /** Limits of a channel that differ from the two above; every channel has its own budget either way. */
  readonly channels?: Partial<Record<OutboxChannel, ChannelSendOptions>>;
  /** Share of the rate kept in reserve (default 0: the window already holds each slot until a second after its answer). */
  readonly safetyMargin?: number;
  /** Attempts before a message that keeps failing is recorded as failed (default 5). */
  readonly maxAttempts?: number;
  /** Delay before retry n (1-based); default 2 s doubling, at most 10 min. */
  readonly backoffMs?: (attempt: number) => number;
  /** HTTP calls in flight at once (default: enough for the rate). */
  readonly concurrency?: number;
  /** Rows claimed per query (default: one second's worth, 10 to 500). */
  readonly claimBatch?: number;
  /** Wait between polls of an empty outbox (default 1 s). */
  readonly idlePollMs?: number;
  /** A claim older than this is taken to belong to a dead sender and requeued (default 60 s). */
  readonly claimLeaseMs?: number;
  /** A send started longer ago than this is taken to be orphaned and put in doubt (default 60 s; must exceed the transport timeout). */
  readonly inDoubtAfterMs?: number;
  /** How often the recovery pass runs while sending (default 10 s). */
  readonly recoverEveryMs?: number;
  /** The clock stored in rows. */
  readonly clock?: () => Date;
  /** Names this sender in claim tokens. */
  readonly workerId?: string;
  /** Called for each outcome (logs, progress). */
  readonly onEvent?: (event: SenderEvent) => void;
}

/** Something the sender did with one message, or to itself. */
export type SenderEvent =
  | { readonly type: "sent"; readonly id: number; readonly batchId: string | null }
  | { readonly type: "failed" | "unreachable" | "skipped" | "in_doubt" | "retry"; readonly id: number; readonly batchId: string | null; readonly reason: string }
  | { readonly type: "paused"; readonly seconds: number; readonly channel: OutboxChannel }
  | { readonly type: "recovered"; readonly requeued: number; readonly inDoubt: number };

/** Counters of one run. */
export interface SenderStats {
  sent: number;
  failed: number;
  unreachable: number;
  skipped: number;
  inDoubt: number;
  retries: number;
  rateLimited: number;
}

const defaultBackoff = (attempt: number): number => Math.min(600_000, 2000 * 2 ** (attempt - 1));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A chat whose row `firstId` was put back in the queue: the chat's other rows wait until it has gone. */
interface ChatHold {
  readonly firstId: number;
  /** When `firstId` is due again (the clock's milliseconds). */
  readonly notBefore: number;
  /** performance.now() after which the hold is dropped anyway (the row was cancelled, or taken by another sender). */
  readonly expires: number;
}

/** Extra wait of a row held behind an earlier one of its chat, so a held chat costs a database write a second at most. */
const HOLD_REQUEUE_MS = 1000;

/** One channel's pacing and state inside the sender. */
interface Lane {
  readonly channel: OutboxChannel;
  readonly budget: RateBudget;
  readonly perChat: PerChatSpacing;
  /** Rows prepared at once: a fiftieth of a second's worth. */
  readonly group: number;
  /** Most rows prepared (marked `sending`, not yet started) at once: two groups. */
  readonly maxReady: number;
  /** performance.now() until which a 429 holds this channel. */
  pausedUntil: number;
}

/** Drains the outbox through a transport; `run` until stopped (or until empty with `drain`). */
export class OutboxSender {
  readonly stats: SenderStats = { sent: 0, failed: 0, unreachable: 0, skipped: 0, inDoubt: 0, retries: 0, rateLimited: 0 };
  private readonly lanes: Record<OutboxChannel, Lane>;
  private readonly opts: Required<Omit<SenderOptions, "onEvent" | "safetyMargin" | "ratePerSecond" | "perChatPerSecond" | "channels">> & { onEvent?: (e: SenderEvent) => void };
  private stopped = false;
  private buffer: ClaimedMessage[] = [];
  // Marked `sending`, waiting for a free slot and their channel's budget: per channel, at most two small
  // groups (one going out while the next is prepared). A crash puts them in doubt, so they stay few.
  private ready: ClaimedMessage[] = [];
  // The group being marked `sending` (one at a time, while the ready rows go out).
  private preparing: Promise<void> | null = null;
  private prepareError: { error: unknown } | null = null;
  // Chats whose rows wait behind an earlier row put back in the queue (429, retry): only that row may go next.
  private readonly holds = new Map<string, ChatHold>();
  private readonly tokens = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly inflightChats = new Set<string>();
  private marks: SentMark[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private claimSeq = 0;
  private lastFlush = 0;
  private wake?: () => void;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly transport: OutboxTransport,
    options: SenderOptions = {},
  ) {
    const margin = options.safetyMargin ?? 0;
    const lane = (channel: OutboxChannel): Lane => {
      const own = options.channels?.[channel];
      const rate = own?.ratePerSecond ?? options.ratePerSecond ?? 25;
      return {
        channel,
        budget: own?.budget ?? new SendBudget(rate, 1000 * (1 + margin)),
        group: Math.max(1, Math.ceil(rate / 50)),
        maxReady: 2 * Math.max(1, Math.ceil(rate / 50)),
        // Per chat the margin is wider: one chat rarely limits throughput, and a 429 pauses the whole channel.
        perChat: new PerChatSpacing((own?.perChatPerSecond ?? options.perChatPerSecond ?? 1) / 1.1),
        pausedUntil: 0,
      };
    };
    this.lanes = { telegram: lane("telegram"), zalo: lane("zalo") };
    // Sized for the channels configured with their own rate, or for the one rate.
    const rate = Math.max(options.ratePerSecond ?? 25, ...Object.values(options.channels ?? {}).map((c) => c?.ratePerSecond ?? 0));
    this.opts = {
      maxAttempts: options.maxAttempts ?? 5,
      backoffMs: options.backoffMs ?? defaultBackoff,
      // Enough requests in flight for the rate at a few hundred milliseconds of round trip.
      concurrency: options.concurrency ?? Math.max(4, Math.ceil(rate / 4)),
      claimBatch: options.claimBatch ?? Math.min(500, Math.max(10, Math.ceil(rate))),
      idlePollMs: options.idlePollMs ?? 1000,
      claimLeaseMs: options.claimLeaseMs ?? 60_000,
      inDoubtAfterMs: options.inDoubtAfterMs ?? 60_000,
      recoverEveryMs: options.recoverEveryMs ?? 10_000,
      clock: options.clock ?? (() => new Date()),
      // The process in the worker id lets a sender restarted on this machine take back its claims at once (liveness.ts).
      workerId: options.workerId ?? [processTag(), randomUUID()].filter(Boolean).join("/"),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    };
  }

  /** Sends until `stop()`; with `drain`, returns once nothing is left to send (queued, claimed or sending). */
  async run(options: { drain?: boolean } = {}): Promise<SenderStats> {
    let lastRecover = -Infinity;
    try {
      while (!this.stopped) {
        const now = performance.now();
        if (now - lastRecover >= this.opts.recoverEveryMs) {
          lastRecover = now;
          await this.recover();
        }
        if (this.holding(now)) await this.putBackHeld(now);
        // Claim ahead, while earlier sends are in flight, so the pipeline never runs dry.
        if (this.buffer.length < this.opts.claimBatch / 2 && !this.claiming) void this.prefetch();
        if (this.ready.length === 0 && this.buffer.length === 0 && this.preparing === null) {
          await this.refill();
          if (this.holding(performance.now())) await this.putBackHeld(performance.now());
          if (this.buffer.length === 0) {
            if (this.inflight.size > 0) {
              await Promise.race(this.inflight);
              continue;
            }
            await this.flush();
            if (options.drain && (await this.outbox.pending()) === 0) break;
            // Rows claimed by a dead sender come back after their lease; check sooner while draining.
            if (options.drain) lastRecover = Math.min(lastRecover, performance.now() - this.opts.recoverEveryMs + this.opts.idlePollMs);
            await this.idle(this.opts.idlePollMs);
            continue;
          }
        }
        // Prepare the next small group of each channel while earlier rows go out and requests are in
        // flight: one statement marks it `sending`, and the loop does not wait for it unless nothing
        // is ready, so no database round trip stands between a free slot and its request.
        if (this.preparing === null) {
          const picked = this.pick(now);
          if (picked.length > 0) {
            this.preparing = this.prepare(picked)
              .catch((error: unknown) => {
                this.prepareError = { error };
              })
              .finally(() => {
                this.preparing = null;
                this.wake?.();
              });
          }
        }
        if (this.prepareError !== null) {
          const { error } = this.prepareError;
          this.prepareError = null;
          throw error;
        }
        if (this.ready.length === 0 && this.preparing !== null) {
          await this.preparing;
          continue;
        }
        if (this.ready.length === 0) {
          const chatWait = Math.min(...this.buffer.map((m) => this.laneOf(m.chatId).perChat.delay(m.chatId, now)).filter((d) => d > 0), 50);
          if (this.inflight.size > 0) await Promise.race([...this.inflight, sleep(chatWait)]);
          else await this.idle(chatWait);
          // Keep claiming while the head waits on per-chat spacing, so other chats are not starved.
          if (this.buffer.length < this.opts.claimBatch) await this.refill();
          continue;
        }
        const free = this.opts.concurrency - this.inflight.size;
        if (free <= 0) {
          await Promise.race(this.inflight);
          continue;
        }
        const batch = this.takeDispatchable(now, free);
        if (batch.length === 0) {
          // Every prepared row waits on its channel's budget; a short wait lets another channel's rows be prepared meanwhile.
          const wait = Math.min(...this.ready.map((m) => this.laneOf(m.chatId).budget.delay(now)));
          await this.idle(this.buffer.length > 0 ? Math.min(wait, 50) : wait);
          continue;
        }
        this.dispatch(batch);
      }
    } finally {
      await this.preparing;
      await this.putBackReady();
      await Promise.allSettled(this.inflight);
      await this.flush();
      for (const token of this.tokens) await this.outbox.releaseClaim(token);
      this.tokens.clear();
      this.buffer = [];
    }
    return this.stats;
  }

  /** Asks `run` to finish: sends under way complete, claimed rows go back to the queue. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private laneOf(chatId: string): Lane {
    return this.lanes[channelOfChat(chatId)];
  }

  // For each channel not paused with less than a group prepared: buffered messages whose chat is free
  // (nothing in flight to it, spacing passed, not held), one per chat, up to two groups prepared.
  private pick(now: number): ClaimedMessage[] {
    const readyIn = new Map<OutboxChannel, number>();
    for (const m of this.ready) readyIn.set(channelOfChat(m.chatId), (readyIn.get(channelOfChat(m.chatId)) ?? 0) + 1);
    const room = new Map<OutboxChannel, number>();
    for (const channel of OUTBOX_CHANNELS) {
      const lane = this.lanes[channel];
      const ready = readyIn.get(channel) ?? 0;
      const target = ready >= lane.group ? 0 : lane.maxReady;
      room.set(channel, lane.pausedUntil > now ? 0 : Math.max(0, target - ready));
    }
    const picked: ClaimedMessage[] = [];
    if (![...room.values()].some((n) => n > 0)) return picked;
    const chats = new Set<string>();
    const rest: ClaimedMessage[] = [];
    for (const m of this.buffer) {
      const channel = channelOfChat(m.chatId);
      const left = room.get(channel)!;
      const hold = this.holds.get(m.chatId);
      if (left > 0 && !chats.has(m.chatId) && !this.inflightChats.has(m.chatId) && (hold === undefined || hold.firstId === m.id) && this.lanes[channel].perChat.delay(m.chatId, now) === 0) {
        picked.push(m);
        chats.add(m.chatId);
        room.set(channel, left - 1);
        if (hold !== undefined) this.holds.delete(m.chatId);
      } else {
        rest.push(m);
      }
    }
    this.buffer = rest;
    return picked;
  }

  // Prepared rows each channel's budget lets start now, at most `n` in all, in the order prepared.
  private takeDispatchable(now: number, n: number): ClaimedMessage[] {
    const allowed = new Map<OutboxChannel, number>();
    const out: ClaimedMessage[] = [];
    const rest: ClaimedMessage[] = [];
    for (const m of this.ready) {
      const channel = channelOfChat(m.chatId);
      let left = allowed.get(channel);
      if (left === undefined) allowed.set(channel, (left = this.lanes[channel].budget.available(now)));
      if (out.length < n && left > 0) {
        out.push(m);
        allowed.set(channel, left - 1);
      } else {
        rest.push(m);
      }
    }
    this.ready = rest;
    return out;
  }

  // Whether a channel is paused or a chat held (drops expired holds).
  private holding(now: number): boolean {
    for (const [chat, hold] of this.holds) if (hold.expires <= now) this.holds.delete(chat);
    return this.holds.size > 0 || OUTBOX_CHANNELS.some((c) => this.lanes[c].pausedUntil > now);
  }

  // Rows of a paused channel go back to the queue, due when the pause ends; so do the rows of a held
  // chat while the row they wait for is not in memory (due a second later, or when it is due). Prepared
  // rows never left (queued again as not attempted); claimed ones were never prepared.
  private async putBackHeld(now: number): Promise<void> {
    const wallNow = this.opts.clock().getTime();
    const here = new Set<number>();
    for (const m of this.buffer) here.add(m.id);
    for (const m of this.ready) here.add(m.id);
    const due = (m: ClaimedMessage): number | undefined => {
      const lane = this.laneOf(m.chatId);
      const hold = this.holds.get(m.chatId);
      const held = hold !== undefined && hold.firstId !== m.id && !here.has(hold.firstId) ? Math.max(hold.notBefore, wallNow + HOLD_REQUEUE_MS) : 0;
      const paused = lane.pausedUntil > now ? wallNow + (lane.pausedUntil - now) : 0;
      const at = Math.max(held, paused);
      return at > 0 ? at : undefined;
    };
    const keepReady: ClaimedMessage[] = [];
    for (const m of this.ready) {
      const at = due(m);
      if (at === undefined) {
        keepReady.push(m);
        continue;
      }
      await this.outbox.requeue(m.id, new Date(at), null);
      this.inflightChats.delete(m.chatId);
    }
    this.ready = keepReady;
    const keep: ClaimedMessage[] = [];
    for (const m of this.buffer) {
      const at = due(m);
      if (at === undefined) {
        keep.push(m);
        continue;
      }
      // Noted as an error only so that the attempt count is left as it is: the row was never attempted.
      const lane = this.laneOf(m.chatId);
      await this.outbox.requeue(m.id, new Date(at), { error: lane.pausedUntil > now ? `waiting: ${lane.channel} answered 429` : "waiting behind an earlier message to this chat" });
    }
    this.buffer = keep;
  }

  // Holds a chat's other rows behind `id`, put back in the queue until `notBefore`.
  private hold(chatId: string, id: number, notBefore: Date): void {
    this.holds.set(chatId, { firstId: id, notBefore: notBefore.getTime(), expires: performance.now() + Math.max(0, notBefore.getTime() - this.opts.clock().getTime()) + this.opts.claimLeaseMs });
  }

  // Marks a picked group `sending` (one statement); its chats stay reserved until answered.
  private async prepare(picked: readonly ClaimedMessage[]): Promise<void> {
    for (const m of picked) this.inflightChats.add(m.chatId);
    let moved: Set<number>;
    try {
      moved = await this.outbox.markSendingMany(picked, this.opts.clock());
    } catch (error) {
      for (const m of picked) this.inflightChats.delete(m.chatId);
      this.buffer.unshift(...picked);
      throw error;
    }
    for (const m of picked) {
      // Cancelled, ended or taken over since the claim.
      if (moved.has(m.id)) this.ready.push(m);
      else this.inflightChats.delete(m.chatId);
    }
  }

  // Prepared rows that did not leave (a stop): none reached the channel, so they are queued again.
  private async putBackReady(): Promise<void> {
    const rows = this.ready.splice(0);
    const now = performance.now();
    for (const m of rows) {
      await this.outbox.requeue(m.id, new Date(this.opts.clock().getTime() + Math.max(0, this.laneOf(m.chatId).pausedUntil - now)), null);
      this.inflightChats.delete(m.chatId);
    }
  }

  // Starts the HTTP calls: each channel's budget counts its starts; their chats stay reserved until answered.
  private dispatch(messages: readonly ClaimedMessage[]): void {
    const startedAt = performance.now();
    const perChannel = new Map<OutboxChannel, number>();
    for (const m of messages) perChannel.set(channelOfChat(m.chatId), (perChannel.get(channelOfChat(m.chatId)) ?? 0) + 1);
    for (const [channel, n] of perChannel) this.lanes[channel].budget.take(startedAt, n);
    for (const message of messages) {
      const task = this.sendOne(message, startedAt).finally(() => {
        this.inflight.delete(task);
        this.inflightChats.delete(message.chatId);
      });
      this.inflight.add(task);
    }
  }

  private async idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async recover(): Promise<void> {
    const now = this.opts.clock();
    // Claims of a sender known to have ended (a process of this machine): at once, not after the lease.
    const ended = (await this.outbox.claimHolders()).filter((token) => !this.tokens.has(token) && senderEnded(token.slice(0, token.lastIndexOf(":"))));
    const taken = await this.outbox.recoverClaims(ended, now);
    const leased = await this.outbox.recover(now, new Date(now.getTime() - this.opts.claimLeaseMs), new Date(now.getTime() - this.opts.inDoubtAfterMs));
    const result = { requeued: taken.requeued + leased.requeued, inDoubt: taken.inDoubt + leased.inDoubt };
    if (result.requeued > 0 || result.inDoubt > 0) this.opts.onEvent?.({ type: "recovered", ...result });
  }

  private claim: Promise<void> | null = null;

  private get claiming(): boolean {
    return this.claim !== null;
  }

  private async prefetch(): Promise<void> {
    try {
      await this.refill();
    } catch {
      // The main loop's own claim reports database trouble.
    }
  }

  // One claim at a time: two claims racing each other could each take a different message of one
  // chat (the second skipping the row the first has locked but not yet marked), and the later
  // message could then be sent first. A refill asked for while a claim runs waits for that claim.
  private refill(): Promise<void> {
    this.claim ??= this.claimNow().finally(() => {
      this.claim = null;
    });
    return this.claim;
  }

  private async claimNow(): Promise<void> {
    const token = `${this.opts.workerId}:${++this.claimSeq}`;
    const rows = await this.outbox.claim(token, this.opts.clock(), this.opts.claimBatch);
    if (rows.length > 0) {
      this.tokens.add(token);
      this.buffer.push(...rows);
    }
  }

  private async sendOne(message: ClaimedMessage, startedAt: number): Promise<void> {
    const { id, batchId, chatId } = message;
    const lane = this.laneOf(chatId);
    let outcome: SendOutcome;
    try {
      outcome = await this.transport.send(message);
    } finally {
      const answeredAt = performance.now();
      lane.budget.settle(startedAt, answeredAt);
      // Spacing per chat also counts from the answer: the message arrived at the latest then.
      lane.perChat.take(chatId, answeredAt);
    }
    const at = this.opts.clock();
    const attempt = message.attempts + 1;
    switch (outcome.kind) {
      case "sent":
        this.stats.sent++;
        this.marks.push({ id, at, telegramMessageId: outcome.messageId });
        // Flushed often: until then a delivered row reads `sending`, and a crash would leave it in doubt.
        if (this.marks.length >= 50 || performance.now() - this.lastFlush > 100) void this.flush();
        this.opts.onEvent?.({ type: "sent", id, batchId });
        return;
      case "rate_limited": {
        this.stats.rateLimited++;
        lane.budget.penalize(performance.now());
        const until = performance.now() + outcome.retryAfterSeconds * 1000;
        // Only this channel waits; the chat's later rows wait behind this one.
        if (until > lane.pausedUntil) {
          lane.pausedUntil = until;
          this.opts.onEvent?.({ type: "paused", seconds: outcome.retryAfterSeconds, channel: lane.channel });
        }
        const notBefore = new Date(at.getTime() + outcome.retryAfterSeconds * 1000);
        this.hold(chatId, id, notBefore);
        await this.outbox.requeue(id, notBefore, null);
        return;
      }
      case "forbidden":
        this.stats.unreachable++;
        await this.outbox.markUnreachable(id, chatId, outcome.description, at);
        this.buffer = this.buffer.filter((m) => m.chatId !== chatId);
        this.holds.delete(chatId);
        this.opts.onEvent?.({ type: "unreachable", id, batchId, reason: outcome.description });
        return;
      case "chat_not_found":
        this.stats.skipped++;
        await this.outbox.finish(id, "skipped", outcome.description, at);
        this.opts.onEvent?.({ type: "skipped", id, batchId, reason: outcome.description });
        return;
      case "rejected":
        this.stats.failed++;
        await this.outbox.finish(id, "failed", outcome.description, at);
        this.opts.onEvent?.({ type: "failed", id, batchId, reason: outcome.description });
        return;
      case "unknown":
        this.stats.inDoubt++;
        await this.outbox.finish(id, "in_doubt", outcome.description, at);
        this.opts.onEvent?.({ type: "in_doubt", id, batchId, reason: outcome.description });
        return;
      case "retryable":
        if (attempt >= this.opts.maxAttempts) {
          this.stats.failed++;
          await this.outbox.finish(id, "failed", `${outcome.description} (after ${attempt} attempts)`, at);
          this.opts.onEvent?.({ type: "failed", id, batchId, reason: outcome.description });
        } else {
          this.stats.retries++;
          const notBefore = new Date(at.getTime() + this.opts.backoffMs(attempt));
          // The chat's later rows (the next parts of a long text) wait behind this one.
          this.hold(chatId, id, notBefore);
          await this.outbox.requeue(id, notBefore, { error: outcome.description });
          this.opts.onEvent?.({ type: "retry", id, batchId, reason: outcome.description });
        }
        return;
    }
  }

  private flush(): Promise<void> {
    if (this.marks.length === 0) return this.flushing;
    this.lastFlush = performance.now();
    this.flushing = this.flushing.then(async () => {
      const marks = this.marks;
      this.marks = [];
      try {
        await this.outbox.markSent(marks);
      } catch {
        // Kept for the next flush; until then the rows read `sending`, which can only make them in doubt, never resent.
        this.marks.unshift(...marks);
      }
    });
    return this.flushing;
  }
}
