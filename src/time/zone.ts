// Wall-clock arithmetic in IANA time zones with Intl only (no time-zone database of our own): the one
// place that turns instants into a zone's calendar fields and back, for campaigns, reminders and files.

/** The default time zone of campaigns and of response files' times without an offset. */
export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Calendar fields of an instant as seen in a time zone. */
export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Is `timeZone` an IANA zone name this runtime knows (e.g. Asia/Ho_Chi_Minh)? */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar fields of `at` (a Date or epoch milliseconds) in `timeZone`. */
export function zonedParts(at: Date | number, timeZone: string): ZonedParts {
  const fields: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(typeof at === "number" ? new Date(at) : at)) if (p.type !== "literal") fields[p.type] = Number(p.value);
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour! % 24, minute: fields.minute!, second: fields.second! };
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in milliseconds (east positive). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const p = zonedParts(utcMs, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(utcMs / 1000) * 1000;
}
