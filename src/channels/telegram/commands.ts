import { Composer, type Context } from "grammy";
import { progressOf } from "../../engine/index.js";
import { parseCallback, sessionTag } from "./callback-data.js";
import type { Conversation} from "./conversation.js";
import { translator, initialLanguage, type ChannelDeps } from "./conversation.js";
import type { BotSession } from "./ports.js";
import { openConversation, terminalText } from "./session-access.js";

/** Commands a respondent may type, in the order shown by Telegram's menu. */
export const RESPONDENT_COMMANDS = ["start", "back", "skip", "review", "status", "lang", "help"] as const;

/** `/lang`, `/help`, `/status` and the language buttons (`/back`, `/skip`, `/review` are the host's, entry.ts). */
export function commandsComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const dm = composer.chatType("private");

  dm.command("help", async (ctx) => {
    const latest = await deps.ports.sessions.findLatest(`telegram:${ctx.from.id}`);
    await ctx.reply(translator(deps, latest?.language ?? initialLanguage(deps, ctx))("telegram:help.text"));
  });

  dm.command("status", async (ctx) => {
    const conversation = await openConversation(deps, ctx, "any");
    if (!conversation) return;
    await ctx.reply(statusText(conversation));
  });

  dm.command("lang", async (ctx) => {
    const wanted = ctx.match.trim().toLowerCase();
    const conversation = await openConversation(deps, ctx, "any");
    if (!conversation) return;
    if (wanted === "vi" || wanted === "en") return setLanguage(conversation, wanted);
    await conversation.send([conversation.renderer().languages()]);
  });

  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (!data || data.action.kind !== "language") return next();
    const conversation = await openConversation(deps, ctx, "any");
    if (!conversation) return;
    if (data.tag !== sessionTag(conversation.session.id)) return void (await ctx.answerCallbackQuery({ text: conversation.t("telegram:notice.stale") }));
    await setLanguage(conversation, data.action.language, true);
  });
  return composer;
}

/**
 * Switches the respondent's language; mid-survey the engine re-shows the current question in it.
 * From a button, the step answers the press and retires the language message itself, so this does
 * it only when there is no step (each exactly once).
 */
async function setLanguage(conversation: Conversation, language: "vi" | "en", fromButton = false): Promise<void> {
  const { session, campaign } = conversation;
  if (session.engine && session.engine.position.kind !== "completed" && session.engine.position.kind !== "declined" && campaign.questionnaire.languages.includes(language)) {
    await conversation.step({ type: "set_language", language });
    return;
  }
  const next: BotSession = { ...session, language };
  if ((await conversation.commit(next)) === "duplicate") return;
  if (fromButton) {
    await conversation.ctx.answerCallbackQuery().catch(() => undefined);
    await conversation.retirePrompt();
  }
  await conversation.send([{ text: conversation.t("survey:languageChanged") }]);
}

/** Progress and deadline, or why the survey is over. */
export function statusText(conversation: Conversation): string {
  const { session, campaign, t } = conversation;
  const terminal = terminalText(conversation);
  if (terminal !== undefined) return terminal;
  const deadline = t("telegram:status.deadline", conversation.when(campaign.closesAt));
  if (!session.engine || session.engine.position.kind === "attestation") return `${t("telegram:status.notStarted")}\n${deadline}`;
  const p = progressOf(campaign.questionnaire, session.engine);
  const unit = session.units.find((u) => u.id === p.unit)?.name ?? p.unit;
  const progress =
    p.unitCount > 1
      ? t("telegram:status.progressUnit", { unitNumber: p.unitIndex + 1, unitCount: p.unitCount, unit, answered: p.answered, total: p.total })
      : t("telegram:status.progress", { answered: p.answered, total: p.total });
  return `${progress}\n${deadline}`;
}
