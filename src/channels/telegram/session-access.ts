import type { Context } from "grammy";
import { campaignOf, terminalOf, terminalText as pathTerminalText } from "../../conversation/path.js";
import { accountOf, Conversation, latestSession, translator, initialLanguage, type ChannelDeps } from "./conversation.js";

/** How strictly a handler needs an open, unfinished survey. */
export type Gate =
  /** Any session (help, status, language). */
  | "any"
  /** The campaign must be open and the response not yet submitted or declined. */
  | "open";

/**
 * Loads the sender's latest session and its campaign. Answers the respondent itself when there is
 * no session, or when `gate` is "open" and the campaign is closed, the form submitted or declined.
 */
export async function openConversation(deps: ChannelDeps, ctx: Context, gate: Gate): Promise<Conversation | undefined> {
  const account = accountOf(ctx);
  if (account === undefined) return undefined;
  const session = await latestSession(deps, ctx);
  const notify = async (text: string) => {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: text.slice(0, 190), show_alert: true });
    else await ctx.reply(text);
  };
  if (!session) {
    await notify(translator(deps, initialLanguage(deps, ctx)).call(null, "telegram:noSession"));
    return undefined;
  }
  const conversation = new Conversation(deps, ctx, session, await campaignOf(deps.ports, session.campaignId));
  if (gate === "any") return conversation;
  const text = terminalText(conversation);
  if (text !== undefined) {
    await notify(text);
    return undefined;
  }
  return conversation;
}

/** What to tell a respondent who can no longer answer: submitted, declined or closed; undefined while answering is possible. */
export function terminalText(conversation: Conversation): string | undefined {
  const terminal = terminalOf(conversation.session, conversation.campaign, conversation.deps.now());
  return terminal && pathTerminalText(conversation.t, terminal, (at) => conversation.when(at), "telegram:submitted");
}
