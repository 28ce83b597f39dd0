// Telegram's side of the conversation host: an update becomes the host's input (a text message, a
// deep link's start payload, a pressed button's choice id), and the host's replies become Telegram
// messages: notices as text, a prompt's choices as inline buttons tied to the session, a step's
// engine events drawn by the TelegramRenderer, and the previous live prompt edited (its buttons
// removed, or the answer shown) once the new state is stored. What to do is the host's; how it
// looks on Telegram is this file's.
import type { Context } from "grammy";
import type { TextConversationHost, TextMessage } from "../../conversation/host.js";
import type { HostReply } from "../../conversation/output.js";
import { campaignOf } from "../../conversation/path.js";
import { accountOf, Conversation, initialLanguage, latestSession, rememberLatest, type ChannelDeps } from "./conversation.js";
import type { BotSession } from "./ports.js";
import { splitText, type OutgoingMessage } from "./render.js";

/**
 * What the update gives the host: typed text, a start payload, or a pressed button's choice id
 * (with the question it was offered for, and whether it is the latest session's and on its live prompt).
 */
export type TelegramInput =
  | { readonly text: string }
  | { readonly start: string }
  | { readonly resume: { readonly campaignId: string | null } }
  | { readonly choice: string; readonly questionId?: string; readonly button: { readonly own: boolean; readonly live: boolean } };

/** Hands one update to the host and sends its replies; every change is stored before anything is sent. */
export async function viaHost(deps: ChannelDeps, host: TextConversationHost, ctx: Context, input: TelegramInput): Promise<void> {
  const account = accountOf(ctx);
  if (account === undefined || !ctx.chat) return;
  const latest = await latestSession(deps, ctx);
  const message: TextMessage = { key: ctx.update.update_id, account, chatId: ctx.chat.id, language: initialLanguage(deps, ctx), ...input };
  const { replies, session } = await host.respondBegun(message, latest);
  if (session) rememberLatest(ctx, session);
  // A short word about the pressed button goes on it; an unanswered press would spin until answered.
  const toast = replies.find((r) => r.toast !== undefined);
  const onButton = ctx.callbackQuery !== undefined;
  const step = replies.findIndex((r) => r.events !== undefined);
  // (Answered while the messages go out, as `present` does for a step: one round trip to Telegram, not two.)
  const answered = onButton && step < 0 ? ctx.answerCallbackQuery(toast ? { text: toast.text.slice(0, 190), ...(toast.toast === "alert" ? { show_alert: true } : {}) } : undefined).catch(() => undefined) : undefined;
  try {
    await showReplies(deps, ctx, input, replies, session, step, toast);
  } finally {
    await answered;
  }
}

/** Sends the host's replies to an update: the step's events drawn, the live prompt retired, the rest as messages. */
async function showReplies(deps: ChannelDeps, ctx: Context, input: TelegramInput, replies: readonly HostReply[], session: BotSession | undefined, step: number, toast: HostReply | undefined): Promise<void> {
  const onButton = ctx.callbackQuery !== undefined;
  const shown = replies.filter((r) => !(onButton && r.toast !== undefined));
  if (shown.length === 0) return;
  if (!session) {
    for (const reply of shown) for (const text of splitText(reply.text)) await ctx.reply(text);
    return;
  }
  const conversation = new Conversation(deps, ctx, session, await campaignOf(deps.ports, session.campaignId));
  const renderer = conversation.renderer();
  const message_ = (reply: HostReply): OutgoingMessage[] => {
    if (reply.prompt === "identity") return [renderer.buttons(reply, { kind: "identity" })];
    // The language chooser: its choices side by side.
    if (reply.prompt === "language") return [renderer.buttons(reply, { kind: "language" }, "row")];
    if (reply.offers && reply.offers.length > 0) return [renderer.buttons({ text: reply.buttonText ?? reply.text, choices: reply.offers })];
    return splitText(reply.text).map((text) => ({ text }));
  };
  // The live prompt before this update: marked answered, or its buttons removed when a new prompt
  // replaces it; edited while the new messages go out (they touch different messages: one round trip).
  let before = conversation.session.prompt;
  let retiring: Promise<void> | undefined;
  const choice = "choice" in input ? input.choice : undefined;
  if (before?.kind === "identity" && (choice === "identity:yes" || choice === "identity:no") && replies.length > 0) {
    retiring = conversation.retirePrompt(await identityAnswered(conversation, choice === "identity:yes"));
    before = undefined;
  }
  const stepReply = replies[step];
  if (stepReply?.events && session.engine) {
    const prefix = replies.slice(0, step).filter((r) => r.toast === undefined).flatMap(message_);
    await Promise.all([retiring, conversation.present(stepReply.events, session.engine, before, { prefix, ...(onButton && toast ? { notice: toast.text } : {}) })]);
    const after = replies.slice(step + 1).flatMap(message_);
    if (after.length > 0) await conversation.send(after);
    // A language button outside the live prompt (under an anonymous welcome, sent again in the new language): its button is spent.
    const pressed = ctx.callbackQuery?.message?.message_id;
    if (choice?.startsWith("language:") && pressed !== undefined && pressed !== before?.messageId) await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    return;
  }
  const messages = shown.flatMap(message_);
  // A new prompt replaces the live one (the language chooser only sits beside it); a language chosen retires the chooser.
  const replaced = messages.some((m) => m.prompt !== undefined && m.prompt.kind !== "language");
  if (before && (replaced || (choice?.startsWith("language:") && before.kind === "language" && replies.length > 0))) retiring = conversation.retirePrompt();
  await Promise.all([retiring, conversation.send(messages)]);
}

/** The identity question with the answer given, as the retired prompt shows it. */
async function identityAnswered(conversation: Conversation, confirm: boolean): Promise<string | undefined> {
  const { session, t } = conversation;
  const respondent = session.respondentId ? await conversation.deps.ports.respondents.find(session.respondentId) : undefined;
  if (!respondent) return undefined;
  const answer = t(confirm ? "telegram:identity.confirm" : "telegram:identity.decline");
  return `${conversation.renderer().identity(respondent.name, respondent.unit.name).text}\n\n${t("telegram:answered", { answer })}`;
}
