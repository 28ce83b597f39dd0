// Which messaging channel an outbox row is for, read from its chat id: Telegram chat ids are numbers,
// Zalo chats are written `zalo:<id>` (HELPERS.md "Agreed interfaces"), so the two never collide and
// each row needs no extra column. Transports, rate budgets and renderings are chosen by this name.

/** The channels the outbox sends to. */
export const OUTBOX_CHANNELS = ["telegram", "zalo"] as const;

/** A channel the outbox sends to (also the rate limiter's budget name). */
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** Prefix of outbox chat ids that are Zalo chats. */
export const ZALO_CHAT_PREFIX = "zalo:";

/** The outbox chat id of a Zalo chat. */
export function zaloOutboxChat(chatId: string): string {
  return `${ZALO_CHAT_PREFIX}${chatId}`;
}

/** The channel of an outbox chat id. */
export function channelOfChat(chatId: string): OutboxChannel {
  return chatId.startsWith(ZALO_CHAT_PREFIX) ? "zalo" : "telegram";
}

/** The chat id as the channel's API knows it (without the `zalo:` prefix). */
export function channelChatId(chatId: string): string {
  return chatId.startsWith(ZALO_CHAT_PREFIX) ? chatId.slice(ZALO_CHAT_PREFIX.length) : chatId;
}
