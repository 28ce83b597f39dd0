import { Composer, type Context } from "grammy";
import type { Language } from "../../config/index.js";
import type { TextConversationHost } from "../../conversation/host.js";
import { privacyNotice } from "../../privacy/index.js";
import { otherLanguageChoice } from "../../conversation/prompts.js";
import { callbackActionOf, encodeCallback, parseCallback, sessionTag } from "./callback-data.js";
import { accountOf, translator, type ChannelDeps } from "./conversation.js";
import { viaHost } from "./host-adapter.js";
import type { BotCampaign, BotSession } from "./ports.js";
import type { OutgoingMessage } from "./render.js";
import { openConversation } from "./session-access.js";

/**
 * The respondent's messages, through the conversation host: `/start`, `/start KS_<code>` and
 * `/start KP_<token>` (deep links), typed messages (a code, a poster's code, an answer, a command
 * word) and `/back`, `/skip`, `/review`. A respondent who already redeemed goes straight back to
 * where they were.
 */
export function entryComposer(deps: ChannelDeps, host: TextConversationHost): Composer<Context> {
  const composer = new Composer<Context>();
  const dm = composer.chatType("private");

  dm.command("start", (ctx) => viaHost(deps, host, ctx, { start: ctx.match }));

  // A typed message: a code, an answer, a command word; and the survey commands /back, /skip, /review.
  dm.command(["back", "skip", "review"], (ctx) => viaHost(deps, host, ctx, { text: ctx.message?.text ?? "" }));
  dm.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    await viaHost(deps, host, ctx, { text: ctx.message.text });
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
