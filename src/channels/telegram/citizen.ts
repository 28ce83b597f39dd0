import { Composer, type Context } from "grammy";
import { completeAnonymous, type CitizenCompletion } from "../../conversation/path.js";
import { accountOf, translator, type ChannelDeps } from "./conversation.js";

export type { CitizenCompletion };

/**
 * Citizens' feedback in Telegram (issue 7): a counter poster's `/start KP_<token>` is the host's
 * (entry); after the Submit button, `completeAnonymous` spends the code or records the poster claim
 * and forgets the chat. Runs around the other features (the clean-up after them).
 */
export function citizenComposer(deps: ChannelDeps, citizens: CitizenCompletion): Composer<Context> {
  const composer = new Composer<Context>();
  composer.use(async (ctx, next) => {
    await next();
    // Only the Submit button completes a response.
    if (!ctx.callbackQuery) return;
    const account = accountOf(ctx);
    if (account === undefined) return;
    const session = await deps.ports.sessions.findLatest(account);
    const key = await completeAnonymous(citizens, session, account, deps.now());
    if (key !== undefined) await ctx.api.sendMessage(session!.chatId, translator(deps, session!.language)(key, { channel: "Telegram" }));
  });
  return composer;
}
