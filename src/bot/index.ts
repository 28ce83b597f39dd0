// The respondent bot: createBot wires the Telegram channel's features; startBot runs it by polling
// (grammY runner) or webhook, with the command menu published at start.
export { createBot, type CreateBotOptions } from "./create-bot.js";
export { startBot, BotTokenRejectedError, BotApiUnreachableError, type StartBotOptions, type RunningBot } from "./start.js";
export { startPolling, ALLOWED_UPDATES, type PollingOptions } from "./polling.js";
export { startWebhook, type WebhookOptions, type WebhookServer } from "./webhook.js";
export { publishCommands } from "./menu.js";
export { runBot, telegramThread, type RunBotOptions } from "./run.js";
export { createJsonLogger } from "./logger.js";
export { HostThread, type HostThreadOptions } from "./host-thread.js";
