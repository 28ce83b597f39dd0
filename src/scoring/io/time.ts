// ISO 8601 times of response files: parsing with a default zone for times without an offset, and writing with the offset.
import { DEFAULT_TIME_ZONE, isValidTimeZone, zoneOffsetMs } from "../../time/zone.js";

export { DEFAULT_TIME_ZONE, isValidTimeZone, zoneOffsetMs };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO 8601 date-time to epoch milliseconds; a time without an offset is wall-clock
 * time in `zone`. A space may stand for the `T` (Excel writes times that way). `undefined` when invalid.
 */
export function parseIsoTime(text: string, zone: string): number | undefined {
  const trimmed = text.trim();
  return parseUsualTime(trimmed, zone) ?? parseIsoTimeByPattern(trimmed, zone);
}

/**
 * The times files usually hold, to the second or the millisecond, as {@link formatIsoTime} and Excel
 * write them (`2026-12-01T08:30:00+07:00`, `…00.174+07:00`, `…Z`, `2026-12-01 08:30:00`), read character by character: a
 * national file has 100,000 of them, and the pattern's captures are a dozen strings each. Anything
 * else (and any invalid field) is left to the pattern: `null`.
 */
function parseUsualTime(text: string, zone: string): number | undefined | null {
  const length = text.length;
  if (length < 19) return null;
  const t = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (t !== 84 && t !== 116 && t !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  // Milliseconds as formatIsoTime writes them (".174"); other fractions go to the pattern.
  let ms = 0;
  let end = 19;
  if (text.charCodeAt(19) === 46 /* . */) {
    ms = digits(text, 20, 3);
    if (ms < 0) return null;
    end = 23;
  }
  const n = length - end;
  if (n === 0) return fromFields(year, month, day, hour, minute, second, ms, zone, undefined);
  const z = text.charCodeAt(end);
  if (n === 1) return z === 90 || z === 122 ? fromFields(year, month, day, hour, minute, second, ms, zone, 0) : null;
  if (n !== 6 || (z !== 43 && z !== 45) || text.charCodeAt(end + 3) !== 58) return null;
  const oh = digits(text, end + 1, 2);
  const om = digits(text, end + 4, 2);
  if (oh < 0 || om < 0) return null;
  if (oh > 23 || om > 59) return undefined;
  return fromFields(year, month, day, hour, minute, second, ms, zone, (z === 45 ? -1 : 1) * (oh * 60 + om));
}

/** The number written by `count` ASCII digits from `from`; -1 when any is not a digit. */
function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function fieldsValid(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return !(month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59);
}

/** Epoch milliseconds of checked fields; `offsetMinutes` undefined: wall-clock time in `zone`. */
function fromFields(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, zone: string, offsetMinutes: number | undefined): number | undefined {
  if (!fieldsValid(year, month, day, hour, minute, second)) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (offsetMinutes !== undefined) return wall - offsetMinutes * 60_000;
  // Two passes find the instant whose local time is `wall`, also next to a daylight-saving change.
  const first = wall - zoneOffsetMs(zone, wall);
  return wall - zoneOffsetMs(zone, first);
}

/** {@link parseIsoTime} by the ISO pattern alone (every form it accepts); exported for the tests that compare both ways. */
export function parseIsoTimeByPattern(text: string, zone: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  if (!fieldsValid(year, month, day, hour, minute, second)) return undefined;
  const offset = m[8];
  if (offset === undefined) return fromFields(year, month, day, hour, minute, second, ms, zone, undefined);
  if (offset === "Z" || offset === "z") return fromFields(year, month, day, hour, minute, second, ms, zone, 0);
  const sign = offset.charCodeAt(0) === 45 /* - */ ? -1 : 1;
  const oh = Number(offset.slice(1, 3));
  const om = offset.length > 3 ? Number(offset.slice(offset.length - 2)) : 0;
  if (oh > 23 || om > 59) return undefined;
  return fromFields(year, month, day, hour, minute, second, ms, zone, sign * (oh * 60 + om));
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
