// Campaign times: ISO 8601 input where a time without an offset is in the campaign's time zone,
// and display in that zone. Asia/Ho_Chi_Minh has no daylight saving, but other zones may.

/** The default time zone of campaigns. */
export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(timeZone: string, epochMs: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = formatter(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour"), mi: get("minute"), s: get("second") };
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
function offsetAt(timeZone: string, epochMs: number): number {
  const w = wallClock(timeZone, epochMs);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - (epochMs - (((epochMs % 1000) + 1000) % 1000));
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

/** `2026-12-01 08:00` in the zone (seconds shown only when not zero). */
export function formatZonedTime(date: Date, timeZone: string): string {
  const w = wallClock(timeZone, date.getTime());
  const p = (n: number) => String(n).padStart(2, "0");
  return `${w.y}-${p(w.mo)}-${p(w.d)} ${p(w.h)}:${p(w.mi)}${w.s ? `:${p(w.s)}` : ""}`;
}
