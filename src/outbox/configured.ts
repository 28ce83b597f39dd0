// The sender as the bot process and `khaosat outbox send` run it: token, API root and rates from the
// one configuration, so both send at the same configured pace.
import type { Config } from "../config/index.js";
import { OutboxSender, type SenderOptions } from "./sender.js";
import { fetchTransport, type OutboxTransport } from "./transport.js";
import { channelTransport, pacedTransport, zaloTransport } from "./zalo-transport.js";
import type { OutboxRepository } from "./types.js";

/**
 * A sender over the Bot API of every configured channel (`config` must have a Telegram or a Zalo
 * token): Telegram at OUTBOX_RATE_PER_SECOND and OUTBOX_PER_CHAT_PER_SECOND, Zalo rows (`zalo:` chat
 * ids) at ZALO_RATE_PER_SECOND; `overrides` win.
 */
export function configuredSender(
  config: Config,
  outbox: OutboxRepository,
  overrides: SenderOptions & { readonly timeoutMs?: number } = {},
): OutboxSender {
  if (config.telegramBotToken === undefined && config.zalo === undefined) throw new Error("bug: configuredSender needs TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN");
  const { timeoutMs, ...options } = overrides;
  const telegram =
    config.telegramBotToken !== undefined
      ? fetchTransport({
          token: config.telegramBotToken.reveal(),
          ...(config.telegramApiRoot !== undefined ? { apiRoot: config.telegramApiRoot } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        })
      : undefined;
  let zalo: OutboxTransport | undefined;
  if (config.zalo !== undefined) {
    const plain = zaloTransport({
      token: config.zalo.token.reveal(),
      apiRoot: config.zalo.apiRoot,
      ...(config.zalo.unreachableCodes !== undefined ? { unreachableCodes: config.zalo.unreachableCodes } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    // Sharing the sender with Telegram, Zalo rows are held to their own (lower) budget; alone, the sender's budget is Zalo's.
    zalo = telegram !== undefined ? pacedTransport(plain, config.zalo.ratePerSecond) : plain;
  }
  const ratePerSecond = telegram !== undefined ? config.outboxRatePerSecond : config.zalo!.ratePerSecond;
  return new OutboxSender(outbox, channelTransport({ ...(telegram ? { telegram } : {}), ...(zalo ? { zalo } : {}) }), {
    ratePerSecond,
    perChatPerSecond: config.outboxPerChatPerSecond,
    ...options,
  });
}
