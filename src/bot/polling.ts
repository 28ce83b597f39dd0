import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Bot, Context } from "grammy";
import { describeError, type BotLogger } from "../channels/telegram/index.js";

/** Update kinds the respondent bot handles; nothing else is fetched. */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

/** Options of `startPolling`. */
export interface PollingOptions {
  readonly logger: BotLogger;
  /** Long-polling timeout in seconds (default 30). */
  readonly timeoutSeconds?: number;
  /** Updates handled at once across chats (default 100); one chat's updates always run in order. */
  readonly concurrency?: number;
}

/**
 * Long polling through the grammY runner: updates of different chats are handled concurrently,
 * those of one chat in order (`sequentialize` in `createBot`). Removes a webhook left from an
 * earlier deployment first, since Telegram refuses getUpdates while one is set.
 */
export async function startPolling(bot: Bot<Context>, options: PollingOptions): Promise<RunnerHandle> {
  try {
    await bot.api.deleteWebhook();
  } catch (error) {
    options.logger.warn({ error: describeError(error) }, "could not remove a webhook; polling may be refused until it is removed");
  }
  return run(bot, {
    runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: options.timeoutSeconds ?? 30 }, retryInterval: "exponential", maxRetryTime: Number.POSITIVE_INFINITY, silent: true },
    sink: { concurrency: options.concurrency ?? 100 },
  });
}
