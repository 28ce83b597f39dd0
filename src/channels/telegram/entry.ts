import { Composer, type Context } from "grammy";
import { normalizeCode, parseStartPayload, type RedemptionResult } from "../../access/index.js";
import type { Language } from "../../config/index.js";
import type { Translate } from "../../i18n/index.js";
import { privacyNotice } from "../../privacy/index.js";
import { DEFAULT_TIME_ZONE } from "../console/index.js";
import { admit, anonymousSession, startAnonymousSurvey, campaignOf, isFinished, respondentOf, type AnonymousStart } from "../../conversation/path.js";
import { refusalText } from "../../conversation/refusal.js";
import { otherLanguageChoice } from "../../conversation/prompts.js";
import { callbackActionOf, encodeCallback, parseCallback, sessionTag } from "./callback-data.js";
import { accountOf, Conversation, initialLanguage, latestSession, translator, type ChannelDeps } from "./conversation.js";
import type { BotCampaign, BotSession } from "./ports.js";
import type { OutgoingMessage } from "./render.js";
import { openConversation, terminalText } from "./session-access.js";

/**
 * Entry: `/start`, `/start <code>` (the deep link) and a code sent as a plain message by someone
 * with no survey in progress. A respondent who already redeemed goes straight back to where they were.
 */
export function entryComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const dm = composer.chatType("private");

  dm.command("start", async (ctx) => {
    const payload = parseStartPayload(ctx.match);
    const t = translator(deps, initialLanguage(deps, ctx));
    if (payload.kind === "malformed") return void (await ctx.reply(t("telegram:code.malformedLink")));
    if (payload.kind === "code") return redeem(deps, ctx, payload.input);
    const account = accountOf(ctx)!;
    const latest = await deps.ports.sessions.findLatest(account);
    if (latest) return resume(deps, ctx, latest);
    await ctx.reply(`${t("telegram:welcome")}\n\n${t("telegram:code.prompt")}`);
  });

  // A code typed or pasted as a message: only when no survey is waiting for an answer.
  dm.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    const latest = await latestSession(deps, ctx);
    if (latest && !isFinished(latest)) return next();
    if (latest && !normalizeCode(ctx.message.text).ok) return next();
    await redeem(deps, ctx, ctx.message.text);
  });

  // The language button under an anonymous respondent's privacy notice (named respondents use /lang).
  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (data?.action.kind !== "language") return next();
    const latest = await deps.ports.sessions.findLatest(accountOf(ctx)!);
    if (!latest || latest.respondentId !== null || data.tag !== sessionTag(latest.id)) return next();
    const conversation = await openConversation(deps, ctx, "open");
    if (!conversation) return;
    const language = data.action.language;
    const { session, campaign } = conversation;
    if (language === session.language || !campaign.questionnaire.languages.includes(language) || !session.engine) return void (await ctx.answerCallbackQuery());
    // The notice again in the chosen language (with the way back); the live prompt is re-shown by the engine.
    const step = await conversation.step({ type: "set_language", language }, { prefix: [anonymousWelcome(deps, session, campaign, language)] });
    if (step) await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  });
  return composer;
}

/**
 * The first message of an anonymous respondent: the unit being rated, the privacy notice (what is
 * kept, who sees it) and one button for the other language.
 */
export function anonymousWelcome(deps: ChannelDeps, session: BotSession, campaign: BotCampaign, language: Language, service?: string | null): OutgoingMessage {
  const t = translator(deps, language);
  const unit = session.units[0];
  const lines = [
    ...(unit ? [t("citizens:start.unit", { unit: unit.name })] : []),
    ...(service ? [t("citizens:start.service", { service })] : []),
  ];
  const text = [...(lines.length > 0 ? [lines.join("\n")] : []), privacyNotice(t, "anonymous")].join("\n\n");
  const other: Language = language === "vi" ? "en" : "vi";
  if (!campaign.questionnaire.languages.includes(other)) return { text };
  const choice = otherLanguageChoice(t, other);
  const action = callbackActionOf(choice.id);
  if (!action) throw new Error(`bug: no button for choice ${choice.id}`);
  const button = { text: choice.label, callback_data: encodeCallback(sessionTag(session.id), action) };
  return { text, keyboard: [[button]] };
}

/** What an anonymous session is started with on Telegram: the path's start and a greeting. */
export interface TelegramAnonymousStart extends AnonymousStart {
  /** Sent before the welcome (e.g. "code accepted"). */
  readonly greeting?: string;
}

/**
 * Starts an anonymous survey (issue 7): no identity step; Vietnamese unless the respondent taps the
 * other language under the privacy notice, then the questionnaire's attestation and questions.
 */
export async function startAnonymous(deps: ChannelDeps, ctx: Context, start: TelegramAnonymousStart): Promise<void> {
  const { campaign } = start;
  // Not the app's language: Telegram has no Vietnamese interface, so most citizens' apps say "en".
  const language = deps.defaultLanguage;
  const session = await anonymousSession(deps.ports, start, { account: accountOf(ctx)!, chatId: ctx.chat!.id, language });
  const conversation = new Conversation(deps, ctx, session, campaign);
  const started = startAnonymousSurvey(campaign, session, deps.now().toISOString());
  if ((await conversation.commit({ ...session, engine: started.state }, started)) === "duplicate") return;
  const welcome = anonymousWelcome(deps, session, campaign, language, start.service);
  const first = start.greeting !== undefined ? { ...welcome, text: `${start.greeting}\n\n${welcome.text}` } : welcome;
  await conversation.send([first, ...conversation.renderer().events(started.events)]);
}

/** Resumes a session: the current prompt again, or why nothing more can be answered. */
export async function resume(deps: ChannelDeps, ctx: Context, session: BotSession): Promise<void> {
  const conversation = new Conversation(deps, ctx, session, await campaignOf(deps.ports, session.campaignId));
  const terminal = terminalText(conversation);
  if (terminal !== undefined) return void (await ctx.reply(terminal));
  const greeting = { text: conversation.t("telegram:resume") };
  if (session.stage === "identity") {
    await conversation.retirePrompt();
    const respondent = await respondentOf(deps.ports, session);
    return conversation.send([greeting, conversation.renderer().identity(respondent.name, respondent.unit.name)]);
  }
  await conversation.step({ type: "resume" }, { prefix: [greeting] });
}

async function redeem(deps: ChannelDeps, ctx: Context, input: string): Promise<void> {
  const language = initialLanguage(deps, ctx);
  const t = translator(deps, language);
  const admission = await admit(deps.ports, { input, account: accountOf(ctx)!, chatId: ctx.chat!.id, now: deps.now(), language });
  switch (admission.kind) {
    case "refused":
      return void (await ctx.reply(refusal(t, admission.result, language, admission.timeZone ?? DEFAULT_TIME_ZONE)));
    case "existing":
      return resume(deps, ctx, admission.session);
    case "anonymous_unavailable":
      return void (await ctx.reply(t("telegram:code.anonymousUnavailable")));
    case "anonymous":
      return startAnonymous(deps, ctx, { ...admission, greeting: translator(deps, deps.defaultLanguage)("access:code.accepted") });
    case "named": {
      const { session, campaign, respondent } = admission;
      const conversation = new Conversation(deps, ctx, session, campaign);
      if ((await conversation.commit(session)) === "duplicate") return;
      // The privacy notice once, at the start: who sees what (issue 7, confidentiality).
      const notice = privacyNotice(conversation.t, campaign.identified === true ? "identified" : "named");
      await conversation.send([{ text: `${conversation.t("access:code.accepted")}\n\n${notice}` }, conversation.renderer().identity(respondent.name, respondent.unit.name)]);
    }
  }
}

/** The respondent-facing text of a refused redemption, in Telegram's wording. */
export function refusal(t: Translate, result: Exclude<RedemptionResult, { kind: "ok" }>, language: string, timeZone: string): string {
  return refusalText(t, result, language, timeZone);
}
