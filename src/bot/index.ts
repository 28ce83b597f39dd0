// The respondent bot: createBot wires the Telegram channel's features; running modes start it.
export { createBot, type CreateBotOptions } from "./create-bot.js";
