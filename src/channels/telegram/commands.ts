import { Composer, type Context } from "grammy";
import { progressOf } from "../../engine/index.js";
import { honestTotal } from "../../conversation/progress.js";
import type { Conversation } from "./conversation.js";
import { translator, initialLanguage, type ChannelDeps } from "./conversation.js";
import { openConversation, terminalText } from "./session-access.js";

/** Commands a respondent may type, in the order shown by Telegram's menu. */
export const RESPONDENT_COMMANDS = ["start", "back", "skip", "review", "status", "lang", "help"] as const;

/** `/help` and `/status` (`/back`, `/skip`, `/review`, `/lang` and the buttons are the host's: entry.ts, questions.ts). */
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

  return composer;
}

/** Progress and deadline, or why the survey is over. */
export function statusText(conversation: Conversation): string {
  const { session, campaign, t } = conversation;
  const terminal = terminalText(conversation);
  if (terminal !== undefined) return terminal;
  // A close at midnight is the end of the day before ("hết ngày 20/12/2026"), as every other text says it.
  const close = conversation.when(campaign.closesAt);
  const deadline = close.time === "00:00" ? t("telegram:status.deadlineEndOfDay", conversation.when(new Date(campaign.closesAt.getTime() - 1))) : t("telegram:status.deadline", close);
  if (!session.engine || session.engine.position.kind === "attestation") return `${t("telegram:status.notStarted")}\n${deadline}`;
  const p = progressOf(campaign.questionnaire, session.engine);
  const unit = session.units.find((u) => u.id === p.unit)?.name ?? p.unit;
  // The total the question counter and the review name (src/conversation/progress.ts): "2/tối đa 30" while a condition is undecided.
  const { atMost: total, exact } = honestTotal(campaign.questionnaire, session.engine);
  const suffix = exact ? "" : "AtMost";
  const progress =
    p.unitCount > 1
      ? t(`telegram:status.progressUnit${suffix}`, { unitNumber: p.unitIndex + 1, unitCount: p.unitCount, unit, answered: p.answered, total })
      : t(`telegram:status.progress${suffix}`, { answered: p.answered, total });
  return `${progress}\n${deadline}`;
}
