// "Reachable again", for every channel: a chat the outbox marked unreachable (Telegram's 403, Zalo's
// blocked-bot error) that writes to the bot again has unblocked it, so its record is removed and
// reminders and broadcasts reach it again.
import type { BotLogger, ChatReachability } from "../channels/telegram/ports.js";

/** How the unreachable chats are watched. */
export interface ReachableAgainOptions {
  /** How long the set of unreachable chats is reused before it is read again (default 1 minute). */
  readonly refreshMs?: number;
}

/** The outbox's address of a chat: Telegram's numeric id as is, other channels `<channel>:<chat id>`. */
export function outboxAddress(channel: string, chatId: number | string): string {
  return channel === "telegram" ? String(chatId) : `${channel}:${chatId}`;
}

/**
 * Clears a chat's unreachable record when it writes again. The unreachable chats are kept in memory
 * and re-read at most once per `refreshMs`, so an ordinary message costs no query.
 */
export class ReachableAgain {
  readonly #refreshMs: number;
  #known: Set<string> | undefined;
  #readAt = 0;

  constructor(
    readonly reachability: ChatReachability,
    readonly now: () => Date,
    readonly logger?: BotLogger,
    options: ReachableAgainOptions = {},
  ) {
    this.#refreshMs = options.refreshMs ?? 60_000;
  }

  /** Notes that `address` (see `outboxAddress`) wrote; true when it was unreachable and is cleared now. */
  async wrote(address: string, log: Record<string, unknown> = {}): Promise<boolean> {
    const now = this.now().getTime();
    if (this.#known === undefined || now - this.#readAt >= this.#refreshMs) {
      this.#known = new Set(await this.reachability.unreachableChats());
      this.#readAt = now;
    }
    if (!this.#known.has(address)) return false;
    this.#known.delete(address);
    const cleared = await this.reachability.clearUnreachable(address);
    if (cleared) this.logger?.info(log, "an unreachable chat wrote again: reachable");
    return cleared;
  }
}
