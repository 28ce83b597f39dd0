// Outbound pacing. Telegram counts messages in rolling one-second windows, by when they arrive. The
// sender asks "how many may I start now?" and starts that many at once: a token bucket paces the
// average and lets a late loop catch up a little; a sliding window is the hard cap. A request arrives
// somewhere between its start and its answer, so the window counts each request from its start
// until a full window after its answer: every request the server counts in its window at any moment
// is counted here too, however the requests are delayed on the way (event-loop stalls, slow
// connections). The price is one round trip per window: rate ÷ (1 + round trip in seconds).

/** A send budget of `rate` requests per `windowMs`: token bucket plus a sliding-window cap that holds in-flight requests. */
export class SendBudget {
  private readonly stamps: number[] = [];
  private inflight = 0;
  private tokens: number;
  private last = -Infinity;
  private readonly perMs: number;
  private readonly burst: number;

  constructor(
    readonly rate: number,
    readonly windowMs: number,
    /** Tokens the bucket holds at most: how far a late loop may catch up in one go. */
    burst = Math.max(1, Math.ceil(rate / 10)),
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    this.perMs = rate / windowMs;
    this.burst = Math.max(1, burst);
    this.tokens = 1;
  }

  private refill(now: number): void {
    if (this.last !== -Infinity) this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
  }

  /** Starts allowed at `now`. */
  available(now: number): number {
    this.refill(now);
    return Math.max(0, Math.min(Math.floor(this.tokens), Math.floor(this.rate) - this.stamps.length - this.inflight));
  }

  /** Milliseconds until `n` starts (at most the burst) are allowed at once (0: now). */
  delay(now: number, n = 1): number {
    const want = Math.max(1, Math.min(n, this.burst, Math.floor(this.rate)));
    if (this.available(now) >= want) return 0;
    const tokenWait = (want - this.tokens) / this.perMs;
    const room = Math.floor(this.rate) - want - this.inflight;
    // With the window full of requests still in flight, only an answer frees room: look again soon.
    const windowWait = room < 0 ? this.windowMs / this.rate : this.stamps.length > room ? this.stamps[this.stamps.length - room - 1]! + this.windowMs - now : 0;
    return Math.max(0, tokenWait, windowWait);
  }

  /** Records `n` requests started at `now` (in flight until `settle`). */
  take(now: number, n = 1): void {
    this.refill(now);
    this.tokens -= n;
    this.inflight += n;
  }

  /** Records the answer (or failure) of one started request at `now`; it stays counted for a window. */
  settle(now: number): void {
    this.inflight = Math.max(0, this.inflight - 1);
    this.stamps.push(now);
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
