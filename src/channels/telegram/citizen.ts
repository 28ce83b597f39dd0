import { Composer, type Context } from "grammy";
import { parsePosterPayload, POSTER_PAYLOAD_PREFIX } from "../../citizens/index.js";
import { admitPoster, completeAnonymous, posterRefusalText, type CitizenCompletion } from "../../conversation/path.js";
import { DEFAULT_TIME_ZONE, formatDateTime } from "../console/index.js";
import { accountOf, translator, type ChannelDeps } from "./conversation.js";
import { resume, startAnonymous } from "./entry.js";

export type { CitizenCompletion };

/**
 * Citizens' feedback in Telegram (issue 7): `/start KP_<token>` from a counter poster goes through the
 * path's `admitPoster`; after the Submit button, `completeAnonymous` spends the code or records the
 * poster claim and forgets the chat. Runs before the other features (the start command) and after
 * them (the clean-up).
 */
export function citizenComposer(deps: ChannelDeps, citizens: CitizenCompletion): Composer<Context> {
  const composer = new Composer<Context>();
  composer.chatType("private").command("start", async (ctx, next) => {
    const payload = ctx.match.trim();
    if (!payload.toUpperCase().startsWith(POSTER_PAYLOAD_PREFIX)) return next();
    await scan(deps, citizens, ctx, payload);
  });

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

async function scan(deps: ChannelDeps, citizens: CitizenCompletion, ctx: Context, payload: string): Promise<void> {
  const t = translator(deps, deps.defaultLanguage);
  const parsed = parsePosterPayload(payload);
  if (parsed.kind !== "poster") return void (await ctx.reply(t("citizens:poster.malformed")));
  const admission = await admitPoster(deps.ports, citizens, { token: parsed.token, account: accountOf(ctx)!, now: deps.now() });
  if (admission.kind === "refused") {
    const when = (at: Date) => formatDateTime(at.toISOString(), deps.defaultLanguage, admission.timeZone ?? DEFAULT_TIME_ZONE);
    return void (await ctx.reply(posterRefusalText(t, admission.result, when)));
  }
  if (admission.kind === "existing") return resume(deps, ctx, admission.session);
  await startAnonymous(deps, ctx, admission.start);
}
