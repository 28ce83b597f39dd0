// The one sender that drains the outbox: claim → mark sending → send → mark done, within Telegram's
// limits. Delivery is at most once at the send boundary: a row is marked `sending` (committed)
// before its HTTP call, and a row found `sending` after its sender vanished is put `in_doubt`, not
// sent again. The only messages that can be lost are those whose HTTP call was under way at the
// moment of a crash and had not reached Telegram; they are counted and visible, never silent.
import { randomUUID } from "node:crypto";
import { PerChatSpacing, SendBudget } from "./rate-limit.js";
import type { OutboxTransport, SendOutcome } from "./transport.js";
import type { ClaimedMessage, OutboxRepository, SentMark } from "./types.js";

/** Settings of the sender; every one has a default that suits one bot on Telegram. */
export interface SenderOptions {
  /** Messages per second overall (Telegram: about 30; default 25 leaves room for replies). */
  readonly ratePerSecond?: number;
  /** Messages per second to one chat (Telegram: about 1). */
  readonly perChatPerSecond?: number;
  /** Share of the rate kept in reserve (default 0: the window already holds each start for the round-trip jitter). */
  readonly safetyMargin?: number;
  /** Most milliseconds a start is held beyond the one-second window for round-trip jitter (default 100). */
  readonly maxJitterMarginMs?: number;
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
  /** A budget shared with other instances (`SharedSendBudget.budget`); default: this sender's own at `ratePerSecond`. */
  readonly budget?: SendBudget;
}

/** Something the sender did with one message, or to itself. */
export type SenderEvent =
  | { readonly type: "sent"; readonly id: number; readonly batchId: string | null }
  | { readonly type: "failed" | "unreachable" | "skipped" | "in_doubt" | "retry"; readonly id: number; readonly batchId: string | null; readonly reason: string }
  | { readonly type: "paused"; readonly seconds: number }
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

/** Drains the outbox through a transport; `run` until stopped (or until empty with `drain`). */
export class OutboxSender {
  readonly stats: SenderStats = { sent: 0, failed: 0, unreachable: 0, skipped: 0, inDoubt: 0, retries: 0, rateLimited: 0 };
  private readonly budget: SendBudget;
  private readonly group: number;
  private readonly perChat: PerChatSpacing;
  private readonly opts: Required<Omit<SenderOptions, "onEvent" | "safetyMargin" | "maxJitterMarginMs" | "ratePerSecond" | "perChatPerSecond" | "budget">> & { onEvent?: (e: SenderEvent) => void };
  private stopped = false;
  private pausedUntil = 0;
  private buffer: ClaimedMessage[] = [];
  // Marked `sending`, waiting for a free slot: at most one small group.
  private ready: ClaimedMessage[] = [];
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
    const rate = options.ratePerSecond ?? 25;
    const margin = options.safetyMargin ?? 0;
    this.budget = options.budget ?? new SendBudget(rate, 1000 * (1 + margin), undefined, options.maxJitterMarginMs ?? 100);
    this.group = Math.max(1, Math.ceil(rate / 50));
    // Per chat the margin is wider: one chat rarely limits throughput, and a 429 pauses everyone.
    this.perChat = new PerChatSpacing((options.perChatPerSecond ?? 1) / 1.1);
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
      workerId: options.workerId ?? randomUUID(),
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
        if (this.pausedUntil > now) {
          await this.putBackReady();
          await this.flush();
          await this.idle(this.pausedUntil - performance.now());
          continue;
        }
        // Claim ahead, while earlier sends are in flight, so the pipeline never runs dry.
        if (this.buffer.length < this.opts.claimBatch / 2 && !this.claiming) void this.prefetch();
        if (this.ready.length === 0) {
          if (this.buffer.length === 0) {
            await this.refill();
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
          // Prepare the next small group (a fiftieth of a second's worth) while earlier requests are
          // in flight: one statement marks it `sending`, so no database round trip stands between
          // a free slot and its request.
          const picked = this.pick(this.group, now);
          if (picked.length === 0) {
            const chatWait = Math.min(...this.buffer.map((m) => this.perChat.delay(m.chatId, now)).filter((d) => d > 0), 50);
            if (this.inflight.size > 0) await Promise.race([...this.inflight, sleep(chatWait)]);
            else await this.idle(chatWait);
            // Keep claiming while the head waits on per-chat spacing, so other chats are not starved.
            if (this.buffer.length < this.opts.claimBatch) await this.refill();
            continue;
          }
          await this.prepare(picked);
          continue;
        }
        const free = this.opts.concurrency - this.inflight.size;
        if (free <= 0) {
          await Promise.race(this.inflight);
          continue;
        }
        const n = Math.min(free, this.ready.length, this.budget.available(now));
        if (n <= 0) {
          await this.idle(this.budget.delay(now));
          continue;
        }
        this.dispatch(this.ready.splice(0, n));
      }
    } finally {
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

  // Up to `n` buffered messages whose chat is free (nothing in flight to it, spacing passed), one per chat.
  private pick(n: number, now: number): ClaimedMessage[] {
    const picked: ClaimedMessage[] = [];
    if (n <= 0) return picked;
    const chats = new Set<string>();
    const rest: ClaimedMessage[] = [];
    for (const m of this.buffer) {
      if (picked.length < n && !chats.has(m.chatId) && !this.inflightChats.has(m.chatId) && this.perChat.delay(m.chatId, now) === 0) {
        picked.push(m);
        chats.add(m.chatId);
      } else {
        rest.push(m);
      }
    }
    this.buffer = rest;
    return picked;
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

  // Prepared rows that did not leave (a 429 pause, a stop): none reached Telegram, so they are queued again.
  private async putBackReady(): Promise<void> {
    const rows = this.ready.splice(0);
    if (rows.length === 0) return;
    const notBefore = new Date(this.opts.clock().getTime() + Math.max(0, this.pausedUntil - performance.now()));
    for (const m of rows) {
      await this.outbox.requeue(m.id, notBefore, null);
      this.inflightChats.delete(m.chatId);
    }
  }

  // Starts the HTTP calls: the budget counts their starts; their chats stay reserved until answered.
  private dispatch(messages: readonly ClaimedMessage[]): void {
    const startedAt = performance.now();
    this.budget.take(startedAt, messages.length);
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
    const result = await this.outbox.recover(now, new Date(now.getTime() - this.opts.claimLeaseMs), new Date(now.getTime() - this.opts.inDoubtAfterMs));
    if (result.requeued > 0 || result.inDoubt > 0) this.opts.onEvent?.({ type: "recovered", ...result });
  }

  private claiming = false;

  private async prefetch(): Promise<void> {
    this.claiming = true;
    try {
      await this.refill();
    } catch {
      // The main loop's own claim reports database trouble.
    } finally {
      this.claiming = false;
    }
  }

  private async refill(): Promise<void> {
    const token = `${this.opts.workerId}:${++this.claimSeq}`;
    const rows = await this.outbox.claim(token, this.opts.clock(), this.opts.claimBatch);
    if (rows.length > 0) {
      this.tokens.add(token);
      this.buffer.push(...rows);
    }
  }

  private async sendOne(message: ClaimedMessage, startedAt: number): Promise<void> {
    const { id, batchId, chatId } = message;
    let outcome: SendOutcome;
    try {
      outcome = await this.transport.send(message);
    } finally {
      const answeredAt = performance.now();
      this.budget.settle(startedAt, answeredAt);
      // Spacing per chat also counts from the answer: the message arrived at the latest then.
      this.perChat.take(chatId, answeredAt);
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
        this.budget.penalize(performance.now());
        const until = performance.now() + outcome.retryAfterSeconds * 1000;
        if (until > this.pausedUntil) {
          this.pausedUntil = until;
          this.opts.onEvent?.({ type: "paused", seconds: outcome.retryAfterSeconds });
        }
        await this.outbox.requeue(id, new Date(at.getTime() + outcome.retryAfterSeconds * 1000), null);
        return;
      }
      case "forbidden":
        this.stats.unreachable++;
        await this.outbox.markUnreachable(id, chatId, outcome.description, at);
        this.buffer = this.buffer.filter((m) => m.chatId !== chatId);
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
          await this.outbox.requeue(id, new Date(at.getTime() + this.opts.backoffMs(attempt)), { error: outcome.description });
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
