import { Composer, type Context } from "grammy";
import type { TextConversationHost } from "../../conversation/host.js";
import { parseResumeCallback } from "../../reminders/message.js";
import type { ChannelDeps } from "./conversation.js";
import { viaHost } from "./host-adapter.js";

/**
 * The "continue answering" button under a reminder (`resume:<campaignId>` or `resume`): the host
 * shows the respondent where they stopped in that campaign, exactly as `/start` does for a returning
 * respondent (current question, review, identity or attestation), or why nothing more can be answered.
 */
export function resumeButtonComposer(deps: ChannelDeps, host: TextConversationHost): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on("callback_query:data", async (ctx, next) => {
    const parsed = parseResumeCallback(ctx.callbackQuery.data);
    if (!parsed || !ctx.from) return next();
    // Plain `resume` (a campaign id too long for the button): the account's latest session.
    await viaHost(deps, host, ctx, { resume: { campaignId: parsed.campaignId } });
  });
  return composer;
}
