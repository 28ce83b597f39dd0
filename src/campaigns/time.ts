// Campaign times: ISO 8601 input where a time without an offset is in the campaign's time zone,
// and display in that zone. Asia/Ho_Chi_Minh has no daylight saving, but other zones may.
import { formatDateTime } from "../channels/console/format.js";
import { DEFAULT_TIME_ZONE, isValidTimeZone, zonedParts, zoneOffsetMs } from "../time/zone.js";

export { DEFAULT_TIME_ZONE, isValidTimeZone };

function offsetAt(timeZone: string, epochMs: number): number {
  return zoneOffsetMs(timeZone, epochMs);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO 8601 date or date-time; without an offset it is read in `timeZone`. `endOfDay` makes a bare date mean the end of that day. */
export function parseZonedTime(text: string, timeZone: string, options: { endOfDay?: boolean } = {}): Date | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, mss, zone] = m;
  const y = Number(ys), mo = Number(mos), d = Number(ds);
  const dateOnly = hs === undefined;
  const h = Number(hs ?? 0), mi = Number(mis ?? 0), s = Number(ss ?? 0), ms = Number((mss ?? "0").padEnd(3, "0"));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const local = Date.UTC(y, mo - 1, d + (dateOnly && options.endOfDay ? 1 : 0), h, mi, s, ms);
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  if (zone !== undefined) {
    if (zone === "Z") return new Date(local);
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    return new Date(local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  // Two passes find the right offset also next to a daylight-saving change.
  let guess = local - offsetAt(timeZone, local);
  guess = local - offsetAt(timeZone, guess);
  return new Date(guess);
}

/**
 * `01/12/2026 08:00` in the zone: a time as organisers read it in the console, the reports and the
 * CLI's human output, day first as the bots write dates (their `formatDateTime`). Files meant for
 * programs (CSV, JSON) keep ISO 8601.
 */
export function formatZonedTime(date: Date, timeZone: string): string {
  const { time, date: day } = formatDateTime(date.toISOString(), "vi", timeZone);
  return `${day} ${time}`;
}

/**
 * When a campaign closes, as organisers wrote it: a close at midnight is the end of the day before
 * (`--closes 2026-12-20` → "until the end of 20/12/2026"), any other time is shown as it is
 * ("until 20/12/2026 17:00").
 */
export function formatClosing(date: Date, timeZone: string): string {
  const w = zonedParts(date, timeZone);
  if (w.hour !== 0 || w.minute !== 0 || w.second !== 0) return `until ${formatZonedTime(date, timeZone)}`;
  const day = zonedParts(new Date(date.getTime() - 1), timeZone);
  const p = (n: number) => String(n).padStart(2, "0");
  return `until the end of ${p(day.day)}/${p(day.month)}/${day.year}`;
}
