import type { Context } from "grammy";
import { accountOf, closedAt, Conversation, latestSession, translator, initialLanguage, type ChannelDeps } from "./conversation.js";

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
  const campaign = await deps.ports.campaigns.find(session.campaignId);
  if (!campaign) throw new Error(`bug: session ${session.id} names campaign ${session.campaignId}, which does not exist`);
  const conversation = new Conversation(deps, ctx, session, campaign);
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
  const { session, campaign, t } = conversation;
  const position = session.engine?.position.kind;
  if (position === "completed") {
    const submitted = session.engine?.responses.at(-1)?.submittedAt;
    return submitted ? t("telegram:submitted", conversation.when(submitted)) : t("survey:rejected.completed");
  }
  if (session.stage === "declined" || position === "declined") return t("telegram:declined");
  const closed = closedAt(campaign, conversation.deps.now());
  if (closed) return t("telegram:closed", conversation.when(closed));
  return undefined;
}
