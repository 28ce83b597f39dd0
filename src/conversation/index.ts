export { TextConversationHost, extractCode, helpText, MAX_INPUT_CHARACTERS, type TextHostDeps, type TextMessage } from "./host.js";
export { parseTextCommand, parseYesNoChoice, foldWords, type TextCommand } from "./commands.js";
export { splitMessage } from "./split.js";
export { renderText, choiceByNumber, notice, type HostReply, type Choice, type PromptKind } from "./output.js";
export { identityPrompt, attestationPrompt, languagePrompt, otherLanguageChoice } from "./prompts.js";
export { refusalText, waitText, type RefusalWording } from "./refusal.js";
export { ReachableAgain, outboxAddress, type ReachableAgainOptions } from "./reachable-again.js";
export * from "./path.js";
export { numberRanges, questionView, reviewView, choicesOf, doneChoice, answerText, inputOfChoice, type QuestionView, type ReviewView, type ReviewLine, type ViewChoice, type ViewContext } from "./views.js";
