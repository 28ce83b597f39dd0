// Reminder schedules: "7d,3d,1d@09:00" means 7, 3 and 1 days before the close, at 09:00 in the
// campaign's time zone; "12h" means 12 hours before the close, to the minute.
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
export type ParseScheduleResult = { readonly ok: true; readonly schedule: ReminderSchedule } | { readonly ok: false; readonly error: string };

const DEFAULT_TIME = 9 * 60;
const MAX_DAYS = 365;
const MAX_HOURS = 24 * 14;
const EXAMPLE = 'e.g. "7d,3d,1d@09:00" (7, 3 and 1 days before the close at 09:00) or "2d,12h"';

/** Parses a schedule such as "7d,3d,1d@09:00"; the time of day defaults to 09:00. */
export function parseReminderSchedule(input: string): ParseScheduleResult {
  const text = input.trim();
  if (text === "") return { ok: false, error: `the reminder schedule is empty; ${EXAMPLE}` };
  const at = text.split("@");
  if (at.length > 2) return { ok: false, error: `"${text}" has more than one "@": give one time of day at the end, ${EXAMPLE}` };
  let timeOfDay = DEFAULT_TIME;
  if (at.length === 2) {
    const time = at[1]!.trim();
    const m = /^(\d{1,2}):(\d{2})$/.exec(time);
    if (!m) return { ok: false, error: `"${time}" is not a time of day; write HH:MM in 24-hour form, e.g. 09:00 or 17:30` };
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    if (hour > 23 || minute > 59) return { ok: false, error: `"${time}" is not a time of day; hours go from 00 to 23 and minutes from 00 to 59` };
    timeOfDay = hour * 60 + minute;
  }
  const offsets: ReminderOffset[] = [];
  const seen = new Set<string>();
  for (const raw of at[0]!.split(",")) {
    const item = raw.trim().toLowerCase();
    if (item === "") return { ok: false, error: `"${text}" has an empty item; separate offsets with single commas, ${EXAMPLE}` };
    const m = /^(\d{1,4})\s*([dh])$/.exec(item);
    if (!m) return { ok: false, error: `"${raw.trim()}" is not an offset; write a number of days (7d) or hours (12h) before the close, ${EXAMPLE}` };
    const amount = Number(m[1]);
    const unit = m[2] as "d" | "h";
    if (unit === "d" && amount > MAX_DAYS) return { ok: false, error: `"${raw.trim()}": at most ${MAX_DAYS} days before the close` };
    if (unit === "h" && (amount < 1 || amount > MAX_HOURS)) return { ok: false, error: `"${raw.trim()}": hours must be between 1 and ${MAX_HOURS}; use days (e.g. 3d) for longer` };
    const key = `${amount}${unit}`;
    if (seen.has(key)) return { ok: false, error: `"${key}" appears twice in "${text}"` };
    seen.add(key);
    offsets.push({ unit, amount });
  }
  if (at.length === 2 && !offsets.some((o) => o.unit === "d")) {
    return { ok: false, error: `"${text}": a time of day only applies to day offsets (e.g. 1d@09:00); hour offsets count back from the close itself` };
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
