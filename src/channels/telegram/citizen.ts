import { Composer, type Context } from "grammy";
import { parsePosterPayload, POSTER_PAYLOAD_PREFIX, type CompleteRequest, type PosterScanResult } from "../../citizens/index.js";
import { DEFAULT_TIME_ZONE, formatDateTime } from "../console/index.js";
import { accountOf, translator, type ChannelDeps } from "./conversation.js";
import { resume, startAnonymous } from "./entry.js";
import type { BotSession } from "./ports.js";

/** What the channel needs from the citizens' module (`CitizenService`). */
export interface CitizenCompletion {
  complete(request: CompleteRequest): Promise<"completed" | "already_answered">;
  /** Checks a scanned counter poster for an account (`CitizenService.scanPoster`). */
  scanPoster(request: { readonly token: string; readonly account: string; readonly now: Date }): Promise<PosterScanResult>;
}

/**
 * Citizens' feedback in Telegram (issue 7). `/start KP_<token>` from a counter poster starts an
 * anonymous survey for the poster's unit, or refuses politely when this account already answered
 * for the unit in the period. Once an update has submitted an anonymous response (batch code or
 * poster), the code is spent or the poster claim recorded, and the session (chat id, account,
 * state) deleted, so nothing stored links the response to the Telegram account. Runs before the
 * other features (the start command) and after them (the clean-up).
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
    if (!session || session.respondentId !== null || (session.codeId === null && !session.poster)) return;
    if (session.engine?.position.kind !== "completed") return;
    const unit = session.units[0];
    if (!unit) return;
    const poster = session.poster;
    const outcome = await citizens.complete({
      campaignId: session.campaignId,
      unitCode: unit.id,
      account,
      source: poster
        ? { kind: "poster", posterId: poster.id, opensAt: new Date(poster.opensAt), periodDays: poster.periodDays }
        : { kind: "code", codeId: session.codeId! },
      // The store already cleared the account from the submitted response.
      responseId: null,
      sessionId: session.id,
      now: deps.now(),
    });
    const t = translator(deps, session.language);
    await ctx.api.sendMessage(session.chatId, t(outcome === "completed" ? "citizens:done.unlinked" : "citizens:done.alreadyAnswered"));
  });
  return composer;
}

async function scan(deps: ChannelDeps, citizens: CitizenCompletion, ctx: Context, payload: string): Promise<void> {
  const account = accountOf(ctx)!;
  const t = translator(deps, deps.defaultLanguage);
  const parsed = parsePosterPayload(payload);
  if (parsed.kind !== "poster") return void (await ctx.reply(t("citizens:poster.malformed")));
  const now = deps.now();
  const result = await citizens.scanPoster({ token: parsed.token, account, now });
  const campaign = "campaignId" in result ? await deps.ports.campaigns.find(result.campaignId) : undefined;
  const when = (at: Date) => formatDateTime(at.toISOString(), deps.defaultLanguage, campaign?.timeZone ?? DEFAULT_TIME_ZONE);
  switch (result.kind) {
    case "unknown_poster":
      return void (await ctx.reply(t("citizens:poster.unknown")));
    case "withdrawn":
      return void (await ctx.reply(t("citizens:poster.withdrawn")));
    case "already_answered":
      return void (await ctx.reply(t("citizens:poster.alreadyAnswered", { date: when(result.nextPeriodAt).date })));
    case "campaign_not_open":
      return void (await ctx.reply(t("telegram:code.notOpen", when(result.opensAt))));
    case "campaign_closed":
      return void (await ctx.reply(t("telegram:closed", when(result.closedAt))));
    case "ok":
      break;
  }
  if (!campaign) throw new Error(`bug: poster ${result.posterId} of campaign ${result.campaignId}, which does not exist`);
  // Scanning again mid-way resumes: one survey per account and unit at a time.
  const existing = await unfinishedFor(deps, account, result.campaignId, result.unitCode);
  if (existing) return resume(deps, ctx, existing);
  await startAnonymous(deps, ctx, {
    campaign,
    unitCode: result.unitCode,
    service: result.service,
    codeId: null,
    poster: { id: result.posterId, opensAt: result.source.opensAt.toISOString(), periodDays: result.source.periodDays },
  });
}

async function unfinishedFor(deps: ChannelDeps, account: string, campaignId: string, unitCode: string): Promise<BotSession | undefined> {
  const matches = (s: BotSession | undefined) =>
    s !== undefined && s.campaignId === campaignId && s.respondentId === null && s.poster !== undefined && s.units[0]?.id === unitCode && s.engine?.position.kind !== "completed";
  const latest = await deps.ports.sessions.findLatest(account);
  if (matches(latest)) return latest;
  const other = await deps.ports.sessions.findFor(account, campaignId, null, null);
  return matches(other) ? other : undefined;
}
