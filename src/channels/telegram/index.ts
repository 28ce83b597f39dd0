// The Telegram channel: a thin adapter over the conversation host (host-adapter.ts): grammY
// composers turn updates into host input (text, /start payloads, button choices, the reminder's
// resume) and the host's replies into messages with inline keyboards and edits. /help, /status
// and the admin commands are Telegram's own. State lives behind the ports (the database).
export { entryComposer } from "./entry.js";
export { viaHost, type TelegramInput } from "./host-adapter.js";
export { waitText } from "../../conversation/refusal.js";
export { questionsComposer } from "./questions.js";
export { commandsComposer, statusText, RESPONDENT_COMMANDS } from "./commands.js";
export { fallbacksComposer } from "./fallbacks.js";
export { resumeButtonComposer } from "./resume-button.js";
export { Conversation, latestSession, rememberLatest, accountOf, closedAt, describeError, translator, initialLanguage, type ChannelDeps } from "./conversation.js";
export { callbackActionOf, choiceOfCallback, encodeCallback, parseCallback, sessionTag, CALLBACK_VERSION, MAX_CALLBACK_BYTES, type CallbackAction, type CallbackData } from "./callback-data.js";
export { TelegramRenderer, splitText, MAX_MESSAGE_CHARS, type OutgoingMessage, type RenderContext } from "./render.js";
export { cacheCampaigns } from "./campaign-cache.js";
export { MemoryBotSessionStore, MemoryCampaignDirectory, MemoryRespondentDirectory } from "./memory.js";
export type * from "./ports.js";
