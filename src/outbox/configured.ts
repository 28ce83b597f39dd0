// The sender as the bot process and `khaosat outbox send` run it: token, API root and rates from the
// one configuration, so both send at the same configured pace.
import type { Config } from "../config/index.js";
import { OutboxSender, type SenderOptions } from "./sender.js";
import { fetchTransport } from "./transport.js";
import type { OutboxRepository } from "./types.js";

/** A sender over the Bot API of `config` (which must have a token) at OUTBOX_RATE_PER_SECOND and OUTBOX_PER_CHAT_PER_SECOND; `overrides` win. */
export function configuredSender(
  config: Config,
  outbox: OutboxRepository,
  overrides: SenderOptions & { readonly timeoutMs?: number } = {},
): OutboxSender {
  if (config.telegramBotToken === undefined) throw new Error("bug: configuredSender needs TELEGRAM_BOT_TOKEN");
  const { timeoutMs, ...options } = overrides;
  const transport = fetchTransport({
    token: config.telegramBotToken.reveal(),
    ...(config.telegramApiRoot !== undefined ? { apiRoot: config.telegramApiRoot } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return new OutboxSender(outbox, transport, { ratePerSecond: config.outboxRatePerSecond, perChatPerSecond: config.outboxPerChatPerSecond, ...options });
}
