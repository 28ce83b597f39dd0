// How the console writes numbers, rates, times, participation states, group names and reminder
// schedules in the reader's language: one place, so every page says them the same way
// (Vietnamese "62,5%" and "2.300", English "62.5%" and "2,300", from src/i18n/numbers.ts, shared with
// the CLI and the reports; times in the campaign's zone).
import type { TFunction } from "i18next";
import type { Language } from "../config/index.js";
import { groupLabel as questionnaireGroupLabel, type Questionnaire } from "../questionnaire/index.js";
import { parseReminderSchedule, reminderSlots } from "../reminders/index.js";
import { formatDateTime } from "../channels/console/format.js";
import { closedAt } from "../conversation/path.js";
import { evidenceText, type EvidenceStyle, type FlagEvidence } from "../scoring/index.js";
import { formatNumber } from "../i18n/numbers.js";

export { formatNumber, formatRate } from "../i18n/numbers.js";

/** A participation state: every page names them with the one vocabulary of `state.*`. */
export type ParticipationState = "submitted" | "in_progress" | "not_started" | "not_redeemed" | "redeemed" | "declined";

/** The state's name in the reader's language. */
export function stateName(t: TFunction, state: ParticipationState): string {
  return t(`state.${state}`);
}

/** A group's label in the reader's language (the id when the questionnaire does not name it). */
export function groupLabel(questionnaire: Questionnaire | undefined, lang: Language, id: string): string {
  return questionnaireGroupLabel(questionnaire, lang, id);
}

/**
 * One reminder slot or run label as a sentence: "7d@09:00" → "7 ngày trước hạn, lúc 09:00",
 * "12h" → "12 giờ trước hạn", "manual:SO_TC" → "thủ công (đơn vị SO_TC)". Unknown text is shown as is.
 */
export function describeReminder(t: TFunction, label: string): string {
  if (label === "manual") return t("schedule.manual");
  if (label.startsWith("manual:")) return t("schedule.manualUnit", { unit: label.slice("manual:".length) });
  const day = /^(\d+)d(?:@(\d{2}:\d{2}))?$/.exec(label);
  if (day) return day[2] ? t("schedule.days", { count: Number(day[1]), time: day[2] }) : t("schedule.daysOnly", { count: Number(day[1]) });
  const hour = /^(\d+)h$/.exec(label);
  if (hour) return t("schedule.hours", { count: Number(hour[1]) });
  return label;
}

/** A stored schedule ("7d,3d@09:00") as sentences, one per reminder, joined by "; ". */
export function describeSchedule(t: TFunction, text: string): string {
  const parsed = parseReminderSchedule(text);
  if (!parsed.ok) return text;
  // Slots of a far-away close, so that none is dropped for falling after it.
  const slots = reminderSlots(parsed.schedule, new Date(Date.UTC(2100, 0, 31)), "UTC");
  return slots.map((s) => describeReminder(t, s.label)).join("; ");
}

/** One reminder of a campaign's schedule: when it goes, in words, and whether it went. */
export interface PlannedReminder {
  readonly label: string;
  readonly offset: string;
  readonly at: Date;
  /** "7 ngày trước hạn, lúc 09:00" */
  readonly text: string;
  /** sent | next | missed | later */
  readonly state: "sent" | "next" | "missed" | "later";
}

/**
 * A campaign's reminder schedule as the Reminders page and `khaosat campaign reminders` say it: the
 * sentence ("7 ngày trước hạn, lúc 09:00; …"), each reminder's time for the campaign's close, in
 * its zone, and its state from the scheduled runs so far (sent for this close, the next one, missed,
 * later). No slots for no schedule or one that does not parse.
 */
export function reminderPlan(
  t: TFunction,
  schedule: string | null,
  campaign: { readonly closesAt: Date; readonly timeZone: string },
  runs: readonly { readonly trigger: string; readonly offset: string | null; readonly forClosesAt: Date | null }[],
  now: Date,
): { readonly sentence: string | null; readonly slots: readonly PlannedReminder[]; readonly next: PlannedReminder | undefined } {
  const parsed = schedule ? parseReminderSchedule(schedule) : null;
  if (!schedule || !parsed?.ok) return { sentence: schedule ? describeSchedule(t, schedule) : null, slots: [], next: undefined };
  const ran = new Set(runs.filter((r) => r.trigger === "scheduled" && r.forClosesAt?.getTime() === campaign.closesAt.getTime()).map((r) => r.offset));
  const all = reminderSlots(parsed.schedule, campaign.closesAt, campaign.timeZone);
  const next = all.find((s) => s.at > now && !ran.has(s.offset));
  const slots = all.map((s): PlannedReminder => ({
    label: s.label,
    offset: s.offset,
    at: s.at,
    text: describeReminder(t, s.label),
    state: ran.has(s.offset) ? "sent" : s === next ? "next" : s.at <= now ? "missed" : "later",
  }));
  return { sentence: describeSchedule(t, schedule), slots, next: next ? slots[all.indexOf(next)] : undefined };
}

/** A broadcast's audience as stored ("not-submitted", "unit:SO_TP", "group:leaders") in the reader's words. */
export function describeAudience(t: TFunction, audience: string, questionnaire?: Questionnaire, lang: Language = "vi", unitNames?: ReadonlyMap<string, string>): string {
  if (audience === "all") return t("broadcast.audienceAll");
  if (audience === "not-submitted") return t("broadcast.audienceNotSubmitted");
  if (audience.startsWith("unit:")) {
    const code = audience.slice(5);
    const name = unitNames?.get(code);
    return `${t("broadcast.audienceUnits")}: ${name !== undefined && name !== code ? `${name} (${code})` : code}`;
  }
  if (audience.startsWith("group:")) return `${t("broadcast.audienceGroups")}: ${groupLabel(questionnaire, lang, audience.slice(6))}`;
  return audience;
}

/**
 * A time as a sentence of the console says it, in the campaign's zone: "21:07 ngày 05/12/2026" /
 * "21:07 on 05/12/2026" (the bots' `formatDateTime`, day first in every language). Tables use the
 * shorter `formatZonedTime` ("05/12/2026 21:07").
 */
export function formatWhen(t: TFunction, at: Date, timeZone: string): string {
  return String(t("dateTime.when", formatDateTime(at.toISOString(), "vi", timeZone)));
}

/** "HH:MM dd/mm/yyyy" in the zone, as the respondents' texts write a time (in every language). */
function timeAndDate(at: Date, timeZone: string): string {
  const { time, date } = formatDateTime(at.toISOString(), "vi", timeZone);
  return `${time} ${date}`;
}

/**
 * A campaign's period as the respondents' texts say its deadline: "từ 08:00 01/12/2026 đến hết ngày
 * 20/12/2026 (giờ Việt Nam)" for a close at midnight, "… đến 17:00 20/12/2026 …" otherwise; a
 * campaign closed early ends when it was closed. Vietnam's zone is named in words, any other by its
 * name.
 */
export function formatPeriod(t: TFunction, campaign: { readonly opensAt: Date; readonly closesAt: Date; readonly closedAt: Date | null; readonly timeZone: string }, now: Date): string {
  const closes = closedAt(campaign, now) ?? campaign.closesAt;
  const zone = campaign.timeZone;
  const values = { opens: timeAndDate(campaign.opensAt, zone), zone, ...(zone === "Asia/Ho_Chi_Minh" || zone === "Asia/Saigon" ? { context: "vn" } : {}) };
  if (formatDateTime(closes.toISOString(), "vi", zone).time === "00:00") {
    return String(t("period.fromUntilEndOf", { ...values, date: formatDateTime(new Date(closes.getTime() - 1).toISOString(), "vi", zone).date }));
  }
  return String(t("period.fromUntil", { ...values, closes: timeAndDate(closes, zone) }));
}

/** A duration in seconds as "9 phút 30 giây" / "9 min 30 s". */
function duration(t: TFunction, seconds: number): string {
  const m = Math.floor(seconds / 60);
  if (m === 0) return String(t("flagEvidence.seconds", { seconds }));
  return seconds % 60 === 0 ? String(t("flagEvidence.minutes", { minutes: m })) : String(t("flagEvidence.minutesSeconds", { minutes: m, seconds: seconds % 60 }));
}

/** How the console says evidence: figures in the reader's number style, durations in words, no answers quoted. */
function consoleStyle(t: TFunction, lang: Language): EvidenceStyle {
  return {
    number: (value, digits) => formatNumber(lang, value, digits ?? (Number.isInteger(value) ? 0 : 1)),
    duration: (seconds) => duration(t, seconds),
    quoteAnswers: false,
  };
}

/**
 * The evidence of one flag in the reader's language, one sentence per rule behind it: the flags
 * module's keyed parts said through i18next (`flags:evidence.*`). Figures about timing and patterns
 * only, never an answer (the parts that quote answers are said without them).
 */
export function describeEvidence(t: TFunction, lang: Language, evidence: readonly FlagEvidence[], flag: string): string[] {
  const style = consoleStyle(t, lang);
  return evidence.filter((e) => e.flag === flag).map((e) => evidenceText((key, options) => String(t(key, options)), e.parts, style));
}
