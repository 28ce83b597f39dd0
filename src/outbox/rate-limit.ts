// Outbound pacing. Telegram counts messages in rolling one-second windows, by when they ARRIVE. The
// sender asks "how many may I start now?" and starts that many at once: a token bucket paces starts
// at the rate and lets a late loop catch up a little; a sliding window over start times is the hard
// cap. A request arrives some delay after its start; if that delay varies by at most J, requests
// arriving within one second of each other started within 1 s + J of each other. So each start is
// held for the window plus J, where J is the spread between the fastest and slowest round trip
// recently observed (bounded): no more than `rate` requests arrive in any one second, and the rate
// stays close to the permitted one (rate × window ÷ (window + J)). Arrival jitter the round trips do
// not show (a stalled server) is learnt from 429s: each widens the margin, and the widening fades.
// The sender still pauses entirely for a 429's retry_after.
// A start also leaves the window one window after its ANSWER came back, whatever the margin: the
// request arrived before its answer, so by then it is more than a window before any later arrival.
// This needs no estimate; it is what keeps the rate near the permitted one when a loaded machine
// makes a few round trips slow (the spread then reaches its bound, 100 ms, which alone capped the
// rate at 1000 ÷ 1100 = 0.91 of the permitted one), while most answers still come back in a few ms.

/** A send budget of `rate` request starts per `windowMs`: token bucket plus a sliding window over starts, widened by the recent round-trip spread. */
export class SendBudget {
  private readonly starts: number[] = [];
  /** When each start's answer came back (parallel to `starts`; NaN while it is awaited). */
  private readonly answers: number[] = [];
  private head = 0;
  /** Starts in the window released early by their answer (counted out of `held`). */
  private releasedEarly = 0;
  private tokens: number;
  private last = -Infinity;
  private perMs: number;
  private burst: number;
  private readonly burstCap: number;
  private readonly baseWindowMs: number;
  /** Set by `setRate(0)`: nothing may start (a shared budget's instance waiting for its share). */
  private paused = false;
  private readonly rtts: number[] = [];
  private rttNext = 0;
  private spread: number;
  // Learnt from 429s: the arrival jitter the round trips did not show (a stalled server, a congested link).
  private floor = 0;
  private floorAt = 0;

  constructor(
    public rate: number,
    public windowMs: number,
    /** Tokens the bucket holds at most: how far a late loop may catch up in one go. */
    burst = Math.max(1, Math.ceil(rate / 10)),
    /** The jitter margin is at most this (and this until enough round trips were seen). */
    readonly maxMarginMs = 100,
    /** Round trips the spread is taken over. */
    readonly samples = 200,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    this.perMs = rate / windowMs;
    this.burst = Math.max(1, burst);
    this.burstCap = this.burst;
    this.baseWindowMs = windowMs;
    this.tokens = 1;
    this.spread = maxMarginMs;
  }

  /**
   * Changes the rate (starts per the window given at construction); 0 stops starts until the next
   * change. Starts already in the window count against the new rate, so lowering it takes effect at
   * once. Below one start per window, the window widens instead (0.5 per second: one per 2 s).
   */
  setRate(rate: number): void {
    if (!(rate > 0)) {
      this.paused = true;
      return;
    }
    this.paused = false;
    this.rate = Math.max(1, rate);
    this.windowMs = rate >= 1 ? this.baseWindowMs : this.baseWindowMs / rate;
    this.perMs = rate / this.baseWindowMs;
    this.burst = Math.max(1, Math.min(this.burstCap, Math.ceil(this.rate / 10)));
    this.tokens = Math.min(this.tokens, this.burst);
  }

  /** Milliseconds each start is held beyond the window: the recent round-trip spread, bounded. */
  margin(now?: number): number {
    if (now !== undefined && this.floor > 0) {
      // The learnt part fades (10 ms per second) once the 429s stop.
      this.floor = Math.max(0, this.floor - (now - this.floorAt) * 0.01);
      this.floorAt = now;
    }
    return Math.max(this.spread, this.floor);
  }

  /** Records a 429 at `now`: the jitter was underestimated, so starts are held longer (100 ms more, at most 1 s, fading). */
  penalize(now: number): void {
    this.margin(now);
    if (now - this.lastPenalty < 1000) return;
    this.lastPenalty = now;
    this.floor = Math.min(1000, Math.max(this.floor, this.spread) + 100);
    this.floorAt = now;
  }
  private lastPenalty = -Infinity;

  private refill(now: number): number {
    if (this.last !== -Infinity) this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    const hold = this.windowMs + this.margin(now);
    while (this.head < this.starts.length && this.starts[this.head]! <= now - hold) {
      if (this.answers[this.head]! < 0) this.releasedEarly--;
      this.head++;
    }
    // Answered long enough ago: out of the window (marked by a negative answer time).
    for (let i = this.head; i < this.starts.length; i++) {
      const answered = this.answers[i]!;
      if (answered >= 0 && answered <= now - this.windowMs) {
        this.answers[i] = -1;
        this.releasedEarly++;
      }
    }
    if (this.head > 4096) {
      this.starts.splice(0, this.head);
      this.answers.splice(0, this.head);
      this.head = 0;
    }
    return hold;
  }

  private held(): number {
    return this.starts.length - this.head - this.releasedEarly;
  }

  /** The i-th oldest start still in the window (released ones skipped). */
  private heldStart(k: number): { start: number; leavesAt: (hold: number) => number } {
    for (let i = this.head, n = 0; i < this.starts.length; i++) {
      if (this.answers[i]! < 0) continue;
      if (n++ === k) {
        const start = this.starts[i]!;
        const answered = this.answers[i]!;
        return { start, leavesAt: (hold) => Math.min(start + hold, Number.isNaN(answered) ? Infinity : answered + this.windowMs) };
      }
    }
    return { start: -Infinity, leavesAt: () => -Infinity };
  }

  /** Starts allowed at `now`. */
  available(now: number): number {
    this.refill(now);
    if (this.paused) return 0;
    return Math.max(0, Math.min(Math.floor(this.tokens), Math.floor(this.rate) - this.held()));
  }

  /** Milliseconds until `n` starts (at most the burst) are allowed at once (0: now). */
  delay(now: number, n = 1): number {
    const want = Math.max(1, Math.min(n, this.burst, Math.floor(this.rate)));
    // Paused: look again shortly (the share is renewed about once a second).
    if (this.paused) return 100;
    if (this.available(now) >= want) return 0;
    const hold = this.refill(now);
    const tokenWait = (want - this.tokens) / this.perMs;
    // The start that must leave the window before `want` more fit.
    const over = this.held() - (Math.floor(this.rate) - want);
    let windowWait = 0;
    if (over > 0) {
      // The `over` starts that leave first (by start + hold or answer + window) must have left.
      const leaving: number[] = [];
      for (let k = 0; k < this.held(); k++) leaving.push(this.heldStart(k).leavesAt(hold));
      leaving.sort((a, b) => a - b);
      windowWait = leaving[over - 1]! - now;
    }
    return Math.max(0, tokenWait, windowWait);
  }

  /** Records `n` requests started at `now`. */
  take(now: number, n = 1): void {
    this.refill(now);
    this.tokens -= n;
    for (let i = 0; i < n; i++) {
      this.starts.push(now);
      this.answers.push(Number.NaN);
    }
  }

  /** Records the answer (or failure) at `now` of a request started at `startedAt`: its round trip feeds the jitter margin. */
  settle(startedAt: number, now: number): void {
    for (let i = this.starts.length - 1; i >= this.head; i--) {
      if (this.starts[i] === startedAt && Number.isNaN(this.answers[i]!)) {
        this.answers[i] = Math.max(now, startedAt);
        break;
      }
    }
    const rtt = Math.max(0, now - startedAt);
    if (this.rtts.length < this.samples) this.rtts.push(rtt);
    else this.rtts[this.rttNext] = rtt;
    this.rttNext = (this.rttNext + 1) % this.samples;
    // Until a few round trips were seen, the spread is unknown: hold the full margin.
    if (this.rtts.length < Math.min(this.samples, 10)) return;
    let min = Infinity;
    let max = -Infinity;
    for (const r of this.rtts) {
      if (r < min) min = r;
      if (r > max) max = r;
    }
    this.spread = Math.min(this.maxMarginMs, max - min);
  }
}

/** Per-chat spacing: at most `perSecond` messages per second to one chat. */
export class PerChatSpacing {
  private readonly last = new Map<string, number>();
  private readonly gap: number;

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError(`per-chat rate must be positive, got ${perSecond}`);
    this.gap = 1000 / perSecond;
  }

  /** Milliseconds until `chatId` may receive another message. */
  delay(chatId: string, now: number): number {
    const last = this.last.get(chatId);
    return last === undefined ? 0 : Math.max(0, last + this.gap - now);
  }

  /** Records a message to `chatId` at `now`. */
  take(chatId: string, now: number): void {
    this.last.set(chatId, now);
    if (this.last.size > 50_000) {
      // Forget chats whose spacing has long passed, so memory stays bounded in long runs.
      for (const [chat, at] of this.last) if (at + this.gap < now) this.last.delete(chat);
    }
  }
}

/** The channels whose sends are budgeted (the outbox's rows: `zalo:<id>` for Zalo, numeric chat ids for Telegram). */
export type BudgetChannel = "telegram" | "zalo";

/** One live sender of a channel, as the roster records it. */
export interface RosterMember {
  readonly member: string;
  readonly joinedAt: Date;
}

/** The live senders of each channel, kept where every instance sees them (the database). */
export interface SenderRoster {
  /** Records `member` live for `channel` until `now + ttlMs` (joining at `now` if new); returns the channel's live members, itself included. */
  renew(channel: BudgetChannel, member: string, now: Date, ttlMs: number): Promise<readonly RosterMember[]>;
  /** Removes `member` (a clean stop), so the others take its share at their next renewal. */
  leave(channel: BudgetChannel, member: string): Promise<void>;
}

/** Options of `SharedSendBudget`. */
export interface SharedBudgetOptions {
  /** Names this instance in the roster (default: a random id). */
  readonly member?: string;
  /** How often the roster is renewed and the share recomputed (default 1 s). */
  readonly renewMs?: number;
  /** A member not renewed for this long is taken to be gone (default 5 s). */
  readonly ttlMs?: number;
  /** Most milliseconds a start is held beyond the window for round-trip jitter (as `SendBudget`). */
  readonly maxJitterMarginMs?: number;
  readonly clock?: () => Date;
  /** Told when a renewal fails (the instance stops sending until one succeeds). */
  readonly onError?: (error: unknown) => void;
}

/**
 * One channel's send rate shared by every instance on one database: each live sender gets an equal
 * share (`ratePerSecond` ÷ live senders, rounded down per window) of the one budget, so together they
 * never exceed it. The roster is renewed every second. A sender that joins while others are live
 * waits until they have all renewed once and seen it (one renewal period plus one window) before it
 * sends, so shares never overlap; one that cannot renew for longer than `ttlMs − renewMs` stops, since
 * the others may have taken its share. A sender that leaves cleanly hands its share back at once; one
 * that crashed, after `ttlMs`.
 */
export class SharedSendBudget {
  readonly budget: SendBudget;
  readonly member: string;
  private readonly renewMs: number;
  private readonly ttlMs: number;
  private readonly clock: () => Date;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private renewing: Promise<void> = Promise.resolve();
  private joinedAt: Date | undefined;
  /** Sends wait until then: the others had not yet seen this instance. */
  private waitUntil = 0;
  private lastRenewed = -Infinity;
  /** Live senders at the last renewal (1 before any). */
  members = 1;

  constructor(
    private readonly roster: SenderRoster,
    readonly channel: BudgetChannel,
    readonly ratePerSecond: number,
    private readonly options: SharedBudgetOptions = {},
  ) {
    this.budget = new SendBudget(ratePerSecond, 1000, undefined, options.maxJitterMarginMs ?? 100);
    this.member = options.member ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    this.renewMs = options.renewMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 5000;
    if (this.ttlMs < 2 * this.renewMs) throw new RangeError(`ttlMs (${this.ttlMs}) must be at least twice renewMs (${this.renewMs})`);
    this.clock = options.clock ?? (() => new Date());
    // Nothing is sent before the first renewal says how many share the budget.
    this.budget.setRate(0);
  }

  /** This instance's current rate (0 while it waits for its share). */
  get share(): number {
    return this.paused() ? 0 : this.ratePerSecond / this.members;
  }

  private paused(): boolean {
    const now = performance.now();
    return now < this.waitUntil || now - this.lastRenewed > this.ttlMs - this.renewMs;
  }

  /** Joins the roster and keeps renewing until `stop`; resolves after the first renewal. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.renew();
    this.schedule();
  }

  /** Leaves the roster (the others take the share) and stops sending. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    await this.renewing;
    this.budget.setRate(0);
    try {
      await this.roster.leave(this.channel, this.member);
    } catch (error) {
      // Left behind, the row expires after ttlMs.
      this.options.onError?.(error);
    }
  }

  private schedule(): void {
    let inFlight = false;
    this.timer = setInterval(() => {
      if (!this.running) return;
      if (inFlight) {
        // A renewal that hangs (the database stalls): stop sending once the share may be stale.
        this.apply();
        return;
      }
      inFlight = true;
      void this.renew().finally(() => (inFlight = false));
    }, this.renewMs);
    this.timer.unref?.();
  }

  private renew(): Promise<void> {
    this.renewing = (async () => {
      const started = performance.now();
      try {
        const live = await this.roster.renew(this.channel, this.member, this.clock(), this.ttlMs);
        if (!this.running) return;
        const self = live.find((m) => m.member === this.member);
        if (this.joinedAt === undefined) {
          this.joinedAt = self?.joinedAt ?? this.clock();
          // Others live already: they lower their rate at their next renewal; wait until they have.
          if (live.some((m) => m.member !== this.member)) this.waitUntil = started + this.renewMs + 1000 + (this.options.maxJitterMarginMs ?? 100) + 200;
        }
        this.members = Math.max(1, live.length);
        this.lastRenewed = started;
      } catch (error) {
        this.options.onError?.(error);
      }
      this.apply();
    })();
    return this.renewing;
  }

  private apply(): void {
    if (this.paused()) {
      this.budget.setRate(0);
      // Resume as soon as the wait is over, not a renewal later.
      const left = this.waitUntil - performance.now();
      if (left > 0 && performance.now() - this.lastRenewed <= this.ttlMs - this.renewMs) {
        setTimeout(() => this.running && this.apply(), left + 1).unref?.();
      }
      return;
    }
    this.budget.setRate(this.ratePerSecond / this.members);
  }
}
