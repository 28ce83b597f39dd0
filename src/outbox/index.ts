// The durable outbox of proactive messages and the one rate-limited sender that drains it.
export * from "./types.js";
export { OutboxSender, type SenderOptions, type SenderEvent, type SenderStats, type RateBudget, type ChannelSendOptions } from "./sender.js";
export { fetchTransport, classifyAnswer, type OutboxTransport, type SendOutcome, type FetchTransportOptions } from "./transport.js";
export { SendBudget, PerChatSpacing } from "./rate-limit.js";
export { channelsOf, configuredSender, sharedBudgets } from "./configured.js";
export { zaloTransport, channelTransport, classifyZaloAnswer, zaloOutboxChat, ZALO_CHAT_PREFIX, DEFAULT_ZALO_UNREACHABLE_CODES, type ZaloTransportOptions } from "./zalo-transport.js";
export { channelOfChat, channelChatId, OUTBOX_CHANNELS, type OutboxChannel } from "./channel.js";
export { toPlainText, htmlToPlain, markdownV2ToPlain, zaloMessageParts, rowsForChannel, ZALO_MAX_MESSAGE } from "./plain-text.js";
