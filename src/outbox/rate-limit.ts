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
  private readonly perMs: number;
  private readonly burst: number;
  private readonly rtts: number[] = [];
  private rttNext = 0;
  private spread: number;
  // Learnt from 429s: the arrival jitter the round trips did not show (a stalled server, a congested link).
  private floor = 0;
  private floorAt = 0;

  constructor(
    readonly rate: number,
    readonly windowMs: number,
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
    this.tokens = 1;
    this.spread = maxMarginMs;
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
    return Math.max(0, Math.min(Math.floor(this.tokens), Math.floor(this.rate) - this.held()));
  }

  /** Milliseconds until `n` starts (at most the burst) are allowed at once (0: now). */
  delay(now: number, n = 1): number {
    const want = Math.max(1, Math.min(n, this.burst, Math.floor(this.rate)));
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
