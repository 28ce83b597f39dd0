// Outbound pacing. Telegram counts messages in rolling one-second windows; sending evenly spaced
// messages and keeping a sliding window of the last `rate` sends stays under that limit without
// bursts, even when the sender falls behind and catches up.

/** A limiter for `rate` sends per `windowMs`, paced evenly. */
export class SlidingWindowLimiter {
  private readonly stamps: number[] = [];
  private nextAt = 0;
  private readonly spacing: number;

  constructor(
    readonly rate: number,
    readonly windowMs: number,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    this.spacing = windowMs / rate;
  }

  /** Milliseconds to wait before the next send is allowed at `now` (0: go). */
  delay(now: number): number {
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
    const windowWait = this.stamps.length >= this.rate ? this.stamps[0]! + this.windowMs - now : 0;
    return Math.max(0, windowWait, this.nextAt - now);
  }

  /** Records a send at `now`. */
  take(now: number): void {
    this.stamps.push(now);
    // Late timers may catch up a little (a twentieth of the window), never with a long burst; the
    // sliding window above still caps every window at `rate`.
    this.nextAt = Math.max(now - this.windowMs / 20, this.nextAt) + this.spacing;
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

  take(chatId: string, now: number): void {
    this.last.set(chatId, now);
    if (this.last.size > 50_000) {
      // Forget chats whose spacing has long passed, so memory stays bounded in long runs.
      for (const [chat, at] of this.last) if (at + this.gap < now) this.last.delete(chat);
    }
  }
}
