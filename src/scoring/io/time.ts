// ISO 8601 times of response files: parsing with a default zone for times without an offset, and writing with the offset.
import { DEFAULT_TIME_ZONE, isValidTimeZone, zoneOffsetMs } from "../../time/zone.js";

export { DEFAULT_TIME_ZONE, isValidTimeZone, zoneOffsetMs };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO 8601 date-time to epoch milliseconds; a time without an offset is wall-clock
 * time in `zone`. A space may stand for the `T` (Excel writes times that way). `undefined` when invalid.
 */
export function parseIsoTime(text: string, zone: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  // Read the captures one by one: this runs for every time cell of a national file (100,000 and more).
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const offset = m[8];
  if (offset !== undefined) {
    if (offset === "Z" || offset === "z") return wall;
    const sign = offset.charCodeAt(0) === 45 /* - */ ? -1 : 1;
    const oh = Number(offset.slice(1, 3));
    const om = offset.length > 3 ? Number(offset.slice(offset.length - 2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    return wall - sign * (oh * 60 + om) * 60_000;
  }
  // Two passes find the instant whose local time is `wall`, also next to a daylight-saving change.
  const first = wall - zoneOffsetMs(zone, wall);
  return wall - zoneOffsetMs(zone, first);
}

/** Formats epoch milliseconds as ISO 8601 wall-clock time in `zone` with its offset, e.g. 2026-12-01T08:00:00+07:00. */
export function formatIsoTime(utcMs: number, zone: string): string {
  const offset = zoneOffsetMs(zone, utcMs);
  const d = new Date(utcMs + offset);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const millis = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : "";
  const abs = Math.abs(offset) / 60_000;
  const zoneText = offset === 0 ? "Z" : `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${millis}${zoneText}`
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1]!;
}
