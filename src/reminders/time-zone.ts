// Wall-clock arithmetic in an IANA time zone with Intl only (no time-zone database of our own), so
// "1 day before the close at 09:00" means 09:00 where the campaign runs, whatever the server's zone.

import { isValidTimeZone, zonedParts, zoneOffsetMs, type ZonedParts } from "../time/zone.js";

export { isValidTimeZone, zonedParts, type ZonedParts };

function offsetMs(at: Date, timeZone: string): number {
  return zoneOffsetMs(timeZone, at.getTime());
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
