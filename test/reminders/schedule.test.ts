import { describe, expect, test } from "vitest";
import { dueSlot, formatReminderSchedule, parseReminderSchedule, reminderSlots } from "../../src/reminders/index.js";

describe("parseReminderSchedule", () => {
  test.each([
    ["7d,3d,1d@09:00", "7d,3d,1d@09:00"],
    ["1d, 7D ,3d", "7d,3d,1d@09:00"],
    ["2d,12h@17:30", "2d,12h@17:30"],
    ["12h,2h", "12h,2h"],
    ["0d@08:00", "0d@08:00"],
  ])("%s → %s", (input, canonical) => {
    const r = parseReminderSchedule(input);
    expect(r.ok && formatReminderSchedule(r.schedule)).toBe(canonical);
  });

  test.each([
    ["", "the reminder schedule is empty; e.g. \"7d,3d,1d@09:00\" (7, 3 and 1 days before the close at 09:00) or \"2d,12h\""],
    ["7d,,1d", "\"7d,,1d\" has an empty item; separate offsets with single commas, e.g. \"7d,3d,1d@09:00\" (7, 3 and 1 days before the close at 09:00) or \"2d,12h\""],
    ["7 days", "\"7 days\" is not an offset; write a number of days (7d) or hours (12h) before the close, e.g. \"7d,3d,1d@09:00\" (7, 3 and 1 days before the close at 09:00) or \"2d,12h\""],
    ["7d@9h", "\"9h\" is not a time of day; write HH:MM in 24-hour form, e.g. 09:00 or 17:30"],
    ["7d@24:00", "\"24:00\" is not a time of day; hours go from 00 to 23 and minutes from 00 to 59"],
    ["7d@09:00@10:00", "\"7d@09:00@10:00\" has more than one \"@\": give one time of day at the end, e.g. \"7d,3d,1d@09:00\" (7, 3 and 1 days before the close at 09:00) or \"2d,12h\""],
    ["3d,3d", "\"3d\" appears twice in \"3d,3d\""],
    ["0h", "\"0h\": hours must be between 1 and 336; use days (e.g. 3d) for longer"],
    ["400d", "\"400d\": at most 365 days before the close"],
    ["12h@09:00", "\"12h@09:00\": a time of day only applies to day offsets (e.g. 1d@09:00); hour offsets count back from the close itself"],
  ])("%j is refused: %s", (input, error) => {
    expect(parseReminderSchedule(input)).toMatchObject({ ok: false, error });
  });
});

describe("reminderSlots in the campaign's time zone", () => {
  const schedule = (s: string) => {
    const r = parseReminderSchedule(s);
    if (!r.ok) throw new Error(r.error);
    return r.schedule;
  };

  test("7d,3d,1d@09:00 before a close at 17:00 on 15 Dec in Ho Chi Minh City (UTC+7)", () => {
    const slots = reminderSlots(schedule("7d,3d,1d@09:00"), new Date("2026-12-15T10:00:00Z"), "Asia/Ho_Chi_Minh");
    expect(slots.map((s) => [s.label, s.at.toISOString()])).toEqual([
      ["7d@09:00", "2026-12-08T02:00:00.000Z"],
      ["3d@09:00", "2026-12-12T02:00:00.000Z"],
      ["1d@09:00", "2026-12-14T02:00:00.000Z"],
    ]);
  });

  test("the close's calendar date is taken in the campaign's zone, not UTC (close at 00:30 local = previous UTC day)", () => {
    // 2027-01-01 00:30 in Ho Chi Minh City is 2026-12-31 17:30 UTC: "1d@23:00" is 31 Dec 23:00 local.
    const slots = reminderSlots(schedule("1d,0d@23:00"), new Date("2026-12-31T17:30:00Z"), "Asia/Ho_Chi_Minh");
    expect(slots.map((s) => [s.label, s.at.toISOString()])).toEqual([
      ["1d@23:00", "2026-12-31T16:00:00.000Z"],
    ]);
  });

  test("hour offsets count back from the close; slots at or after the close are dropped", () => {
    const slots = reminderSlots(schedule("12h,0d@18:00"), new Date("2026-12-15T10:00:00Z"), "Asia/Ho_Chi_Minh");
    expect(slots.map((s) => [s.label, s.at.toISOString()])).toEqual([["12h", "2026-12-14T22:00:00.000Z"]]);
  });

  test("a zone with daylight saving time keeps the wall-clock time", () => {
    const slots = reminderSlots(schedule("7d@09:00"), new Date("2026-11-03T12:00:00Z"), "Europe/Paris");
    // 27 Oct 09:00 in Paris is after the end of summer time (UTC+1).
    expect(slots[0]!.at.toISOString()).toBe("2026-10-27T08:00:00.000Z");
  });

  test("dueSlot: the latest due slot inside the open window, nothing before opening or after the close", () => {
    const slots = reminderSlots(schedule("7d,3d,1d@09:00"), new Date("2026-12-15T10:00:00Z"), "Asia/Ho_Chi_Minh");
    const window = { opensAt: new Date("2026-12-01T00:00:00Z"), closesAt: new Date("2026-12-15T10:00:00Z") };
    expect(dueSlot(slots, new Date("2026-12-08T01:59:00Z"), window)).toBeUndefined();
    expect(dueSlot(slots, new Date("2026-12-08T02:00:00Z"), window)?.label).toBe("7d@09:00");
    expect(dueSlot(slots, new Date("2026-12-14T05:00:00Z"), window)?.label).toBe("1d@09:00");
    expect(dueSlot(slots, new Date("2026-12-15T10:00:00Z"), window)).toBeUndefined();
    expect(dueSlot(slots, new Date("2026-12-13T00:00:00Z"), { ...window, opensAt: new Date("2026-12-13T00:00:00Z") })).toBeUndefined();
  });
});
