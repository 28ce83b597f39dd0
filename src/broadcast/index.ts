// Organisers' broadcasts: text checks (length, HTML, MarkdownV2), audiences, queueing, progress, cancel.
export { BroadcastService, describePrepared, parseAudience, formatAudience, type Audience, type BroadcastRequest, type PreparedBroadcast, type NobodyToReach } from "./service.js";
export { checkText, checkHtml, checkMarkdownV2, splitText, MAX_MESSAGE_LENGTH, type TextCheck } from "./text.js";
