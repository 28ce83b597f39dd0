// The one sender that drains the outbox: claim → mark sending → send → mark done, within Telegram's
// limits. Delivery is at most once at the send boundary: a row is marked `sending` (committed)
// before its HTTP call, and a row found `sending` after its sender vanished is put `in_doubt`, not
// sent again. The only messages that can be lost are those whose HTTP call was under way at the
// moment of a crash and had not reached Telegram; they are counted and visible, never silent.
import { randomUUID } from "node:crypto";
import { PerChatSpacing, SlidingWindowLimiter } from "./rate-limit.js";
import type { OutboxTransport } from "./transport.js";
import type { ClaimedMessage, OutboxRepository, SentMark } from "./types.js";

/** Settings of the sender; every one has a default that suits one bot on Telegram. */
export interface SenderOptions {
  /** Messages per second overall (Telegram: about 30; default 25 leaves room for replies). */
  readonly ratePerSecond?: number;
  /** Messages per second to one chat (Telegram: about 1). */
  readonly perChatPerSecond?: number;
  /** Share of the rate kept in reserve against timing jitter (default 0.02). */
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
  private readonly limiter: SlidingWindowLimiter;
  private readonly perChat: PerChatSpacing;
  private readonly opts: Required<Omit<SenderOptions, "onEvent" | "safetyMargin" | "ratePerSecond" | "perChatPerSecond">> & { onEvent?: (e: SenderEvent) => void };
  private stopped = false;
  private pausedUntil = 0;
  private buffer: ClaimedMessage[] = [];
  private readonly tokens = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly inflightChats = new Set<string>();
  private marks: SentMark[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private gate: Promise<void> = Promise.resolve();
  private claimSeq = 0;
  private lastFlush = 0;
  private wake?: () => void;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly transport: OutboxTransport,
    options: SenderOptions = {},
  ) {
    const rate = options.ratePerSecond ?? 25;
    const margin = options.safetyMargin ?? 0.02;
    this.limiter = new SlidingWindowLimiter(rate, 1000 * (1 + margin));
    // Per chat the margin is wider: one chat rarely limits throughput, and a 429 pauses everyone.
    this.perChat = new PerChatSpacing((options.perChatPerSecond ?? 1) / 1.1);
    this.opts = {
      maxAttempts: options.maxAttempts ?? 5,
      backoffMs: options.backoffMs ?? defaultBackoff,
      concurrency: options.concurrency ?? Math.max(2, Math.ceil(rate / 50)),
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
          await this.idle(this.pausedUntil - now);
          continue;
        }
        // Claim ahead, while earlier sends are in flight, so the pipeline never runs dry.
        if (this.buffer.length < this.opts.claimBatch / 2 && !this.claiming) void this.prefetch();
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
        if (this.inflight.size >= this.opts.concurrency) {
          await Promise.race(this.inflight);
          continue;
        }
        const index = this.buffer.findIndex((m) => !this.inflightChats.has(m.chatId) && this.perChat.delay(m.chatId, now) === 0);
        if (index < 0) {
          const wait = Math.min(...this.buffer.map((m) => this.perChat.delay(m.chatId, now)).filter((d) => d > 0), 50);
          if (this.inflight.size > 0) await Promise.race([...this.inflight, sleep(wait)]);
          else await this.idle(wait);
          // Keep claiming while the head waits on per-chat spacing, so other chats are not starved.
          if (this.buffer.length < this.opts.claimBatch) await this.refill();
          continue;
        }
        const [message] = this.buffer.splice(index, 1);
        this.inflightChats.add(message!.chatId);
        const task = this.sendOne(message!).finally(() => {
          this.inflight.delete(task);
          this.inflightChats.delete(message!.chatId);
        });
        this.inflight.add(task);
      }
    } finally {
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

  // Serialises the rate limiter: each send waits for its own slot, in order of arrival.
  private async slot(chatId: string): Promise<boolean> {
    const previous = this.gate;
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      for (;;) {
        const now = performance.now();
        if (this.pausedUntil > now || this.stopped) return false;
        const wait = this.limiter.delay(now);
        if (wait <= 0) {
          this.limiter.take(now);
          // Spacing per chat counts from the moment of sending, not of claiming.
          this.perChat.take(chatId, now);
          return true;
        }
        await sleep(wait);
      }
    } finally {
      release();
    }
  }

  private async sendOne(message: ClaimedMessage): Promise<void> {
    const { id, batchId, chatId } = message;
    // The rate slot comes first, so a row is marked `sending` only right before its HTTP call: rows
    // waiting for their turn are still `claimed` and come back to the queue after a crash.
    if (!(await this.slot(chatId))) {
      this.buffer.unshift(message);
      return;
    }
    if (!(await this.outbox.markSending(id, message.claimToken, this.opts.clock()))) return; // cancelled, unreachable or taken over
    const outcome = await this.transport.send(message);
    const at = this.opts.clock();
    const attempt = message.attempts + 1;
    switch (outcome.kind) {
      case "sent":
        this.stats.sent++;
        this.marks.push({ id, at, telegramMessageId: outcome.messageId });
        if (this.marks.length >= 100 || performance.now() - this.lastFlush > 250) void this.flush();
        this.opts.onEvent?.({ type: "sent", id, batchId });
        return;
      case "rate_limited": {
        this.stats.rateLimited++;
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
