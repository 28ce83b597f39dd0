// The coordinator settings of a campaign, kept in Campaign.settings next to the reminder schedule.

/** Digest time when the campaign sets none: the end of the working day in the campaign's time zone. */
export const DEFAULT_DIGEST_AT = "17:00";

/** What the digest settings of a campaign say. */
export interface CoordinatorSettings {
  /** Local time of the daily digest, `HH:MM` in the campaign's time zone. */
  readonly digestAt: string;
  /** Whether coordinators see who in their unit has not submitted (names, never answers). */
  readonly seeNames: boolean;
}

/** Checks a digest time: `HH:MM`, 24-hour; returns the normalised text or an error that says what to write. */
export function parseDigestTime(text: string): { ok: true; value: string } | { ok: false; error: string } {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) return { ok: false, error: `"${text}" is not a time of day; write HH:MM on the 24-hour clock, e.g. 17:00 or 08:30` };
  return { ok: true, value: `${String(hour).padStart(2, "0")}:${match[2]}` };
}

/** Reads the settings (unreadable values fall back to the defaults: 17:00, no names). */
export function coordinatorSettings(settings: Readonly<Record<string, unknown>>): CoordinatorSettings {
  const at = typeof settings.coordinatorDigestAt === "string" ? parseDigestTime(settings.coordinatorDigestAt) : undefined;
  return { digestAt: at?.ok ? at.value : DEFAULT_DIGEST_AT, seeNames: settings.coordinatorsSeeNames === true };
}
