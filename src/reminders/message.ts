// The reminder a respondent receives: in their language, with the deadline in the campaign's time
// zone, the time left, and a way back into the questionnaire: on Telegram a button the channel answers
// by resuming it; on Zalo, which has no buttons, a line saying which word to type ("tiếp tục" /
// "continue", the text form's resume command in src/conversation/commands.ts).
import type { I18n } from "../i18n/index.js";
import type { OutboxChannel } from "../outbox/channel.js";
import type { InlineKeyboard } from "../outbox/types.js";
import { formatZoned } from "./time-zone.js";

/**
 * Callback data of the "continue answering" button: `resume:<campaignId>`, or plain `resume` when
 * that would exceed Telegram's 64 bytes. The Telegram channel resumes the chat's session in that
 * campaign (or its only open session for plain `resume`).
 */
export const RESUME_CALLBACK = "resume";

/** The button's callback data for a campaign. */
export function resumeCallbackData(campaignId: string): string {
  const data = `${RESUME_CALLBACK}:${campaignId}`;
  return Buffer.byteLength(data, "utf8") <= 64 ? data : RESUME_CALLBACK;
}

/** Reads resume callback data: the campaign id, `null` for plain `resume`, undefined when it is not a resume button. */
export function parseResumeCallback(data: string): { campaignId: string | null } | undefined {
  if (data === RESUME_CALLBACK) return { campaignId: null };
  if (data.startsWith(`${RESUME_CALLBACK}:`) && data.length > RESUME_CALLBACK.length + 1) return { campaignId: data.slice(RESUME_CALLBACK.length + 1) };
  return undefined;
}

/** How much time is left, in the largest whole unit (days, else hours, else minutes). */
export function timeLeft(now: Date, closesAt: Date): { unit: "days" | "hours" | "minutes"; count: number } {
  const ms = Math.max(0, closesAt.getTime() - now.getTime());
  if (ms >= 86_400_000) return { unit: "days", count: Math.floor(ms / 86_400_000) };
  if (ms >= 3_600_000) return { unit: "hours", count: Math.floor(ms / 3_600_000) };
  return { unit: "minutes", count: Math.max(1, Math.floor(ms / 60_000)) };
}

/** The reminder for one respondent: text and button on Telegram (the default), text with the word to type on Zalo. */
export function reminderMessage(
  i18n: I18n,
  input: { language: string; campaignId: string; campaignName: string; closesAt: Date; timeZone: string; now: Date; channel?: OutboxChannel },
): { text: string; replyMarkup: InlineKeyboard | null } {
  const t = i18n.getFixedT(input.language, "reminders");
  const { date, time } = formatZoned(input.closesAt, input.timeZone);
  const left = timeLeft(input.now, input.closesAt);
  const text = t("reminder.text", { campaign: input.campaignName, date, time, left: t(`left.${left.unit}`, { count: left.count }) });
  if (input.channel === "zalo") return { text: `${text}\n\n${t("reminder.typeToResume")}`, replyMarkup: null };
  return { text, replyMarkup: { inline_keyboard: [[{ text: t("reminder.button"), callback_data: resumeCallbackData(input.campaignId) }]] } };
}
