// The sender as the bot process and `khaosat outbox send` run it: token, API root and rates from the
// one configuration, so both send at the same configured pace. Each channel has its own budget in the
// one sender: Telegram's and Zalo's limits are independent, and a 429 from one never pauses the other.
import type { Config } from "../config/index.js";
import { OutboxSender, type SenderOptions } from "./sender.js";
import { fetchTransport, type OutboxTransport } from "./transport.js";
import { channelTransport, zaloTransport } from "./zalo-transport.js";
import type { OutboxRepository } from "./types.js";

/**
 * A sender over the Bot API of every configured channel (`config` must have a Telegram or a Zalo
 * token): Telegram at OUTBOX_RATE_PER_SECOND, Zalo rows (`zalo:` chat ids) at ZALO_RATE_PER_SECOND,
 * both at OUTBOX_PER_CHAT_PER_SECOND to one chat; `overrides` win.
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
    zalo = zaloTransport({
      token: config.zalo.token.reveal(),
      apiRoot: config.zalo.apiRoot,
      ...(config.zalo.unreachableCodes !== undefined ? { unreachableCodes: config.zalo.unreachableCodes } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }
  return new OutboxSender(outbox, channelTransport({ ...(telegram ? { telegram } : {}), ...(zalo ? { zalo } : {}) }), {
    ratePerSecond: config.outboxRatePerSecond,
    perChatPerSecond: config.outboxPerChatPerSecond,
    ...options,
    channels: {
      ...(config.zalo !== undefined ? { zalo: { ratePerSecond: config.zalo.ratePerSecond } } : {}),
      ...options.channels,
    },
  });
}
