// Reminder schedules: "7d,3d,1d@09:00" means 7, 3 and 1 days before the close, at 09:00 in the
// campaign's time zone; "12h" means 12 hours before the close, to the minute.
import { englishText, type Problem } from "../i18n/problem.js";
import { zonedParts, zonedTimeToInstant } from "./time-zone.js";

/** One reminder of a schedule: whole days before the close (at the schedule's time of day) or hours before it. */
export type ReminderOffset = { readonly unit: "d"; readonly amount: number } | { readonly unit: "h"; readonly amount: number };

/** A parsed reminder schedule. */
export interface ReminderSchedule {
  /** Offsets, largest first. */
  readonly offsets: readonly ReminderOffset[];
  /** Time of day of the day offsets, minutes after midnight. */
  readonly timeOfDay: number;
}

/** One concrete reminder of a campaign: when it falls and how it is named in runs and reports. */
export interface ReminderSlot {
  readonly label: string;
  /** The offset alone ("1d", "12h"): a slot is the same reminder whatever its time of day. */
  readonly offset: string;
  readonly at: Date;
}

/** Result of parsing a schedule. */
export type ParseScheduleResult = { readonly ok: true; readonly schedule: ReminderSchedule } | { readonly ok: false; readonly error: string; readonly problem: Problem };

/** A refused schedule: the key for the reader's language and the English text for the CLI. */
function refuse(key: string, params: Record<string, string | number> = {}): { ok: false; error: string; problem: Problem } {
  const problem = { key: `schedule.${key}`, params };
  return { ok: false, error: englishText(problem), problem };
}

const DEFAULT_TIME = 9 * 60;
const MAX_DAYS = 365;
const MAX_HOURS = 24 * 14;

/** Parses a schedule such as "7d,3d,1d@09:00"; the time of day defaults to 09:00. */
export function parseReminderSchedule(input: string): ParseScheduleResult {
  const text = input.trim();
  if (text === "") return refuse("empty");
  const at = text.split("@");
  if (at.length > 2) return refuse("twoAts", { text });
  let timeOfDay = DEFAULT_TIME;
  if (at.length === 2) {
    const time = at[1]!.trim();
    const m = /^(\d{1,2}):(\d{2})$/.exec(time);
    if (!m) return refuse("badTime", { time });
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    if (hour > 23 || minute > 59) return refuse("timeRange", { time });
    timeOfDay = hour * 60 + minute;
  }
  const offsets: ReminderOffset[] = [];
  const seen = new Set<string>();
  for (const raw of at[0]!.split(",")) {
    const item = raw.trim().toLowerCase();
    if (item === "") return refuse("emptyItem", { text });
    const m = /^(\d{1,4})\s*([dh])$/.exec(item);
    if (!m) return refuse("badOffset", { item: raw.trim() });
    const amount = Number(m[1]);
    const unit = m[2] as "d" | "h";
    if (unit === "d" && amount > MAX_DAYS) return refuse("tooManyDays", { item: raw.trim(), max: MAX_DAYS });
    if (unit === "h" && (amount < 1 || amount > MAX_HOURS)) return refuse("hourRange", { item: raw.trim(), max: MAX_HOURS });
    const key = `${amount}${unit}`;
    if (seen.has(key)) return refuse("twice", { item: key, text });
    seen.add(key);
    offsets.push({ unit, amount });
  }
  if (at.length === 2 && !offsets.some((o) => o.unit === "d")) {
    return refuse("timeWithHours", { text });
  }
  offsets.sort((a, b) => hoursOf(b) - hoursOf(a));
  return { ok: true, schedule: { offsets, timeOfDay } };
}

function hoursOf(o: ReminderOffset): number {
  return o.unit === "d" ? o.amount * 24 : o.amount;
}

/** The canonical text of a schedule, e.g. "7d,3d,1d@09:00" (what is stored and shown). */
export function formatReminderSchedule(schedule: ReminderSchedule): string {
  const items = schedule.offsets.map((o) => `${o.amount}${o.unit}`).join(",");
  if (!schedule.offsets.some((o) => o.unit === "d")) return items;
  return `${items}@${formatTimeOfDay(schedule.timeOfDay)}`;
}

function formatTimeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/**
 * The instants of a schedule for a campaign closing at `closesAt`, earliest first. Day offsets count
 * calendar days in the campaign's time zone from the close's date; slots at or after the close are
 * dropped (a "0d@09:00" reminder of a campaign closing at 08:00 would come too late).
 */
export function reminderSlots(schedule: ReminderSchedule, closesAt: Date, timeZone: string): ReminderSlot[] {
  const close = zonedParts(closesAt, timeZone);
  const slots: ReminderSlot[] = [];
  for (const o of schedule.offsets) {
    const at =
      o.unit === "h"
        ? new Date(closesAt.getTime() - o.amount * 3_600_000)
        : zonedTimeToInstant(close.year, close.month, close.day - o.amount, Math.floor(schedule.timeOfDay / 60), schedule.timeOfDay % 60, timeZone);
    if (at.getTime() >= closesAt.getTime()) continue;
    const offset = `${o.amount}${o.unit}`;
    slots.push({ label: o.unit === "d" ? `${offset}@${formatTimeOfDay(schedule.timeOfDay)}` : offset, offset, at });
  }
  return slots.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The slot to run at `now`: the latest one already due, provided the campaign is open. After
 * downtime only the most recent missed reminder is sent (several at once would be noise); whether
 * it already ran is the caller's unique run record to decide.
 */
export function dueSlot(slots: readonly ReminderSlot[], now: Date, window: { opensAt: Date; closesAt: Date }): ReminderSlot | undefined {
  const t = now.getTime();
  if (t < window.opensAt.getTime() || t >= window.closesAt.getTime()) return undefined;
  let due: ReminderSlot | undefined;
  for (const s of slots) if (s.at.getTime() <= t && s.at.getTime() >= window.opensAt.getTime()) due = s;
  return due;
}
