import { Composer, type Context } from "grammy";
import { parseResumeCallback } from "../../reminders/message.js";
import { accountOf, initialLanguage, translator, type ChannelDeps } from "./conversation.js";
import { resume } from "./entry.js";

/**
 * The "continue answering" button under a reminder (`resume:<campaignId>` or `resume`): shows the
 * respondent where they stopped in that campaign, exactly as `/start` does for a returning respondent
 * (current question, review, identity or attestation), or why nothing more can be answered.
 */
export function resumeButtonComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on("callback_query:data", async (ctx, next) => {
    const parsed = parseResumeCallback(ctx.callbackQuery.data);
    if (!parsed) return next();
    const account = accountOf(ctx);
    if (account === undefined) return next();
    // Plain `resume` (a campaign id too long for the button): the account's latest session.
    const session = parsed.campaignId === null ? await deps.ports.sessions.findLatest(account) : await deps.ports.sessions.findInCampaign(account, parsed.campaignId);
    if (!session) {
      const text = translator(deps, initialLanguage(deps, ctx))("telegram:noSession");
      return void (await ctx.answerCallbackQuery({ text: text.slice(0, 190), show_alert: true }));
    }
    // The engine step answers the query itself; the other paths (review of a closed or submitted
    // survey, the identity step) do not, and Telegram shows a spinner until the query is answered.
    let answered = false;
    const answer = ctx.answerCallbackQuery.bind(ctx);
    ctx.answerCallbackQuery = (...args) => {
      answered = true;
      return answer(...args);
    };
    await resume(deps, ctx, session);
    if (!answered) await answer().catch(() => undefined);
  });
  return composer;
}
