// Outbound pacing. Telegram counts messages in rolling one-second windows, by when they ARRIVE. The
// sender asks "how many may I start now?" and starts that many at once. Two limits:
// - A sliding window, the hard cap: a start holds its slot until one window after its ANSWER came
//   back (or the request failed). The request arrived before its answer, so when the slot is freed it
//   is more than a window before any later arrival, however late the request travelled or the server
//   read it: no more than `rate` requests ever arrive in one window. Start times alone cannot promise
//   that: a server (or the loopback stub on a loaded machine) that stalls for longer than any margin
//   added to the start time receives requests started more than a window apart within one window,
//   and answers 429, which pauses the whole channel for a second or more.
// - A token bucket paces the starts at the rate and lets a loop that woke late (a loaded machine, a
//   slow database write) catch up against the wall clock, up to a fifth of a window's worth at once. The
//   window still caps every catch-up, so a late timer costs no rate and a burst never exceeds the budget.
// The rate reached is rate × window ÷ (window + mean round trip): 0.99 at a 10 ms round trip.
// A 429 (sends the budget does not see: the bot's replies, another process) adds 100 ms to the hold
// (at most `maxMarginMs`, once per second), fading by 10 ms a second once the 429s stop.

/** A send budget of `rate` request starts per `windowMs`: a sliding window over answers (the hard cap) and a token bucket (pacing, catch-up after a late wake). */
export class SendBudget {
  /** Starts whose answer has not come back: start time → how many. */
  private readonly unanswered = new Map<number, number>();
  private unansweredCount = 0;
  /** Answer times of the answered starts still holding a slot, ascending from `head`. */
  private answered: number[] = [];
  private head = 0;
  private tokens: number;
  private last = -Infinity;
  private perMs: number;
  private burst: number;
  private readonly burstCap: number;
  private readonly baseWindowMs: number;
  /** Set by `setRate(0)`: nothing may start (a shared budget's instance waiting for its share). */
  private paused = false;
  // Learnt from 429s: sends the budget does not see (the bot's replies, another process).
  private floor = 0;
  private floorAt = 0;
  private lastPenalty = -Infinity;

  constructor(
    public rate: number,
    public windowMs: number,
    /** Tokens the bucket holds at most: how far a late loop may catch up in one go (default a fifth of a window's worth). */
    burst = Math.max(1, Math.ceil(rate / 5)),
    /** The hold added after 429s is at most this. */
    readonly maxMarginMs = 1000,
    /** A start whose answer is never recorded (a caller that never settles) frees its slot this long after the window. */
    readonly unansweredMs = 60_000,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    this.perMs = rate / windowMs;
    this.burst = Math.max(1, burst);
    this.burstCap = this.burst;
    this.baseWindowMs = windowMs;
    this.tokens = 1;
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
    this.burst = Math.max(1, Math.min(this.burstCap, Math.ceil(this.rate / 5)));
    this.tokens = Math.min(this.tokens, this.burst);
  }

  /** Milliseconds each slot is held beyond the window after its answer: what 429s taught, fading. */
  margin(now?: number): number {
    if (now !== undefined && this.floor > 0) {
      // The learnt hold fades (10 ms per second) once the 429s stop.
      this.floor = Math.max(0, this.floor - (now - this.floorAt) * 0.01);
      this.floorAt = now;
    }
    return this.floor;
  }

  /** Records a 429 at `now`: sends outside this budget share the channel, so slots are held longer (100 ms more, once per second, at most `maxMarginMs`, fading). */
  penalize(now: number): void {
    this.margin(now);
    if (now - this.lastPenalty < 1000) return;
    this.lastPenalty = now;
    this.floor = Math.min(this.maxMarginMs, this.floor + 100);
    this.floorAt = now;
  }

  private refill(now: number): number {
    if (this.last !== -Infinity && now > this.last) this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = Math.max(this.last, now);
    const hold = this.windowMs + this.margin(now);
    while (this.head < this.answered.length && this.answered[this.head]! <= now - hold) this.head++;
    if (this.head > 4096) {
      this.answered = this.answered.slice(this.head);
      this.head = 0;
    }
    if (this.unansweredCount > 0) {
      for (const [start, n] of this.unanswered) {
        if (start > now - hold - this.unansweredMs) continue;
        this.unanswered.delete(start);
        this.unansweredCount -= n;
      }
    }
    return hold;
  }

  /** Starts holding a slot: awaiting their answer, or answered less than a window (plus the learnt hold) ago. */
  private held(): number {
    return this.unansweredCount + this.answered.length - this.head;
  }

  /** Starts allowed at `now`. */
  available(now: number): number {
    this.refill(now);
    if (this.paused) return 0;
    return Math.max(0, Math.min(Math.floor(this.tokens), Math.floor(this.rate) - this.held()));
  }

  /** Milliseconds until `n` starts (at most the burst) are allowed at once (0: now). */
  delay(now: number, n = 1): number {
    const want = Math.max(1, Math.min(n, Math.floor(this.burst), Math.floor(this.rate)));
    // Paused: look again shortly (the share is renewed about once a second).
    if (this.paused) return 100;
    if (this.available(now) >= want) return 0;
    const hold = this.refill(now);
    const tokenWait = Math.max(0, (want - this.tokens) / this.perMs);
    // How many held slots must be freed before `want` more fit.
    const over = this.held() - (Math.floor(this.rate) - want);
    let windowWait = 0;
    if (over > 0) {
      const answeredHeld = this.answered.length - this.head;
      // The over-th answered slot to leave; if answers still to come are needed, a slot freed by an
      // answer from now on leaves a full hold later at the soonest.
      windowWait = over <= answeredHeld ? this.answered[this.head + over - 1]! + hold - now : hold;
    }
    return Math.max(0, tokenWait, windowWait);
  }

  /** Records `n` requests started at `now`. */
  take(now: number, n = 1): void {
    this.refill(now);
    this.tokens -= n;
    this.unanswered.set(now, (this.unanswered.get(now) ?? 0) + n);
    this.unansweredCount += n;
  }

  /** Records the answer (or failure) at `now` of a request started at `startedAt`: its slot is held one window (plus the learnt hold) from now. */
  settle(startedAt: number, now: number): void {
    const n = this.unanswered.get(startedAt);
    // Not taken, or given up on already (unansweredMs).
    if (n === undefined) return;
    if (n > 1) this.unanswered.set(startedAt, n - 1);
    else this.unanswered.delete(startedAt);
    this.unansweredCount--;
    const at = Math.max(now, startedAt);
    // Answers come back in time order; a late one is put in its place.
    let i = this.answered.length;
    while (i > this.head && this.answered[i - 1]! > at) i--;
    this.answered.splice(i, 0, at);
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
    this.budget = new SendBudget(ratePerSecond, 1000);
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
          if (live.some((m) => m.member !== this.member)) this.waitUntil = started + this.renewMs + 1000 + 300;
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
