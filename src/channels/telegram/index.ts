// The Telegram channel: grammY composers that turn updates into engine inputs and engine events
// into messages with inline keyboards. State lives behind the ports (the database), never in memory.
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
