import { describe, expect, test } from "vitest";
import { checkOpen, formatClosing, formatZonedTime, parseZonedTime } from "../../src/campaigns/index.js";

describe("parseZonedTime", () => {
  test.each([
    ["2026-12-01", "Asia/Ho_Chi_Minh", false, "2026-11-30T17:00:00.000Z"],
    ["2026-12-31", "Asia/Ho_Chi_Minh", true, "2026-12-31T17:00:00.000Z"],
    ["2026-12-01T08:30", "Asia/Ho_Chi_Minh", false, "2026-12-01T01:30:00.000Z"],
    ["2026-12-01 08:30:15", "Asia/Ho_Chi_Minh", false, "2026-12-01T01:30:15.000Z"],
    ["2026-12-01T08:00:00+07:00", "UTC", false, "2026-12-01T01:00:00.000Z"],
    ["2026-12-01T08:00:00Z", "Asia/Ho_Chi_Minh", false, "2026-12-01T08:00:00.000Z"],
    ["2026-12-01T08:00-0530", "UTC", false, "2026-12-01T13:30:00.000Z"],
    // Daylight saving: Berlin is UTC+2 in July, UTC+1 in January.
    ["2026-07-01T12:00", "Europe/Berlin", false, "2026-07-01T10:00:00.000Z"],
    ["2026-01-01T12:00", "Europe/Berlin", false, "2026-01-01T11:00:00.000Z"],
  ])("%s in %s (end of day: %s) → %s", (text, zone, endOfDay, iso) => {
    expect(parseZonedTime(text, zone, { endOfDay })?.toISOString()).toBe(iso);
  });

  test.each(["", "tomorrow", "2026-13-01", "2026-02-30", "2026-12-01T25:00", "01/12/2026", "2026-12-01T08:00+7"])("refuses %j", (text) => {
    expect(parseZonedTime(text, "Asia/Ho_Chi_Minh")).toBeUndefined();
  });

  test("formatZonedTime shows the wall clock of the zone", () => {
    expect(formatZonedTime(new Date("2026-12-01T01:30:00Z"), "Asia/Ho_Chi_Minh")).toBe("01/12/2026 08:30");
    expect(formatZonedTime(new Date("2026-12-01T01:30:05Z"), "Asia/Ho_Chi_Minh")).toBe("01/12/2026 08:30");
  });
});

describe("checkOpen", () => {
  const campaign = {
    opensAt: new Date("2026-12-01T01:00:00Z"),
    closesAt: new Date("2026-12-31T10:00:00Z"),
    closedAt: null,
    timeZone: "Asia/Ho_Chi_Minh",
  };
  test.each([
    ["2026-11-30T00:00:00Z", { open: false, reason: "not_open_yet", message: "opens at 01/12/2026 08:00 (Asia/Ho_Chi_Minh)" }],
    ["2026-12-01T00:59:59.999Z", { open: false, reason: "not_open_yet", message: "opens at 01/12/2026 08:00 (Asia/Ho_Chi_Minh)" }],
    ["2026-12-01T01:00:00Z", { open: true }],
    ["2026-12-31T09:59:59Z", { open: true }],
    ["2026-12-31T10:00:00Z", { open: false, reason: "closed", message: "closed at 31/12/2026 17:00 (Asia/Ho_Chi_Minh)" }],
  ])("at %s", (now, expected) => {
    expect(checkOpen(campaign, new Date(now))).toMatchObject(expected);
  });

  test("an early close wins over the planned close time", () => {
    const closed = { ...campaign, closedAt: new Date("2026-12-10T03:00:00Z") };
    expect(checkOpen(closed, new Date("2026-12-10T02:59:00Z"))).toEqual({ open: true });
    expect(checkOpen(closed, new Date("2026-12-11T00:00:00Z"))).toMatchObject({ open: false, reason: "closed", message: "closed at 10/12/2026 10:00 (Asia/Ho_Chi_Minh)" });
  });

  test("a campaign closed before it opened is closed, not 'not open yet'", () => {
    const closed = { ...campaign, closedAt: new Date("2026-11-20T03:00:00Z") };
    expect(checkOpen(closed, new Date("2026-11-22T00:00:00Z"))).toEqual({ open: false, reason: "closed", at: closed.closedAt, message: "closed at 20/11/2026 10:00 (Asia/Ho_Chi_Minh)" });
    expect(checkOpen(closed, new Date("2026-12-05T00:00:00Z"))).toMatchObject({ open: false, reason: "closed" });
  });
});

describe("formatClosing (issue 11 item 13)", () => {
  test("a close at midnight is shown as the end of the day the organiser gave", () => {
    const closes = parseZonedTime("2026-12-20", "Asia/Ho_Chi_Minh", { endOfDay: true })!;
    expect(formatClosing(closes, "Asia/Ho_Chi_Minh")).toBe("until the end of 20/12/2026");
  });
  test("any other time is shown as it is", () => {
    expect(formatClosing(parseZonedTime("2026-12-20T17:00", "Asia/Ho_Chi_Minh")!, "Asia/Ho_Chi_Minh")).toBe("until 20/12/2026 17:00");
  });
});
