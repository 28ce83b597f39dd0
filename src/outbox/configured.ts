// The sender as the bot process and `khaosat outbox send` run it: token, API root and rates from the
// one configuration, so both send at the same configured pace. Each channel has its own budget in the
// one sender: Telegram's and Zalo's limits are independent, and a 429 from one never pauses the other.
import type { Config } from "../config/index.js";
import { SharedSendBudget, type BudgetChannel, type SenderRoster } from "./rate-limit.js";
import { OutboxSender, type ChannelSendOptions, type SenderOptions } from "./sender.js";
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

/**
 * The shared send budgets of the configured channels: on PostgreSQL, one `SharedSendBudget` per
 * channel, a member of the roster every bot instance and `khaosat outbox send` join, so together they
 * stay within one budget per channel (docs/several-instances.md); on SQLite none (one process sends).
 * `telegramRate` replaces OUTBOX_RATE_PER_SECOND (`outbox send --rate`). Call `start()` on each before
 * the sender runs and `stop()` after; `channelsOf` gives the sender's `channels` option.
 */
export function sharedBudgets(
  config: Config,
  provider: "sqlite" | "postgres",
  roster: SenderRoster,
  options: { readonly telegramRate?: number; readonly onError?: (channel: BudgetChannel, error: unknown) => void; readonly member?: string } = {},
): SharedSendBudget[] {
  if (provider !== "postgres") return [];
  const rates: Partial<Record<BudgetChannel, number>> = {
    ...(config.telegramBotToken !== undefined ? { telegram: options.telegramRate ?? config.outboxRatePerSecond } : {}),
    ...(config.zalo !== undefined ? { zalo: config.zalo.ratePerSecond } : {}),
  };
  return (Object.entries(rates) as Array<[BudgetChannel, number]>).map(
    ([channel, rate]) =>
      new SharedSendBudget(roster, channel, rate, {
        ...(options.member !== undefined ? { member: options.member } : {}),
        ...(options.onError ? { onError: (error: unknown) => options.onError!(channel, error) } : {}),
      }),
  );
}

/** The sender's `channels` option for shared budgets: each channel paced by its share. */
export function channelsOf(budgets: readonly SharedSendBudget[]): Partial<Record<BudgetChannel, ChannelSendOptions>> {
  return Object.fromEntries(budgets.map((b) => [b.channel, { budget: b.budget }]));
}
