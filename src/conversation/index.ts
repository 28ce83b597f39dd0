export { TextConversationHost, extractCode, helpText, refusalText, MAX_INPUT_CHARACTERS, type TextHostDeps, type TextMessage } from "./host.js";
export { parseTextCommand, parseYesNoChoice, foldWords, type TextCommand } from "./commands.js";
export { splitMessage } from "./split.js";
