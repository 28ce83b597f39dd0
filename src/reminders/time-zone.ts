// Wall-clock arithmetic in an IANA time zone with Intl only (no time-zone database of our own), so
// "1 day before the close at 09:00" means 09:00 where the campaign runs, whatever the server's zone.

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

/** The calendar fields of `at` in `timeZone`. */
export function zonedParts(at: Date, timeZone: string): ZonedParts {
  const fields: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== "literal") fields[p.type] = Number(p.value);
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour! % 24, minute: fields.minute!, second: fields.second! };
}

function offsetMs(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant at which clocks in `timeZone` show the given wall time. Day overflow is normalised
 * (day 0 is the last day of the previous month). In a DST gap the later offset is used.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let at = guess - offsetMs(new Date(guess), timeZone);
  // A second pass settles instants near an offset change.
  at = guess - offsetMs(new Date(at), timeZone);
  return new Date(at);
}

/** `dd/mm/yyyy` and `HH:MM` of an instant in a time zone (the form Vietnamese documents use). */
export function formatZoned(at: Date, timeZone: string): { date: string; time: string } {
  const p = zonedParts(at, timeZone);
  const two = (n: number) => String(n).padStart(2, "0");
  return { date: `${two(p.day)}/${two(p.month)}/${p.year}`, time: `${two(p.hour)}:${two(p.minute)}` };
}
