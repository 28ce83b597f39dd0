import { describe, expect, test } from "vitest";
import { parseIsoTime } from "../../../src/scoring/io/index.js";
import { parseIsoTimeByPattern } from "../../../src/scoring/io/time.js";
import { mulberry32 } from "../../support/random.js";

// parseIsoTime reads the usual forms character by character and leaves the rest to the ISO pattern:
// both ways must agree on every text, valid or not.

describe("parseIsoTime", () => {
  test("the usual forms", () => {
    expect(parseIsoTime("2026-12-01T08:30:00+07:00", "UTC")).toBe(Date.UTC(2026, 11, 1, 1, 30));
    expect(parseIsoTime("2026-12-01 08:30:00Z", "Asia/Ho_Chi_Minh")).toBe(Date.UTC(2026, 11, 1, 8, 30));
    expect(parseIsoTime(" 2026-12-01t08:30:00 ", "Asia/Ho_Chi_Minh")).toBe(Date.UTC(2026, 11, 1, 1, 30));
    expect(parseIsoTime("2026-12-01T08:30:00.174+07:00", "UTC")).toBe(Date.UTC(2026, 11, 1, 1, 30, 0, 174));
    expect(parseIsoTime("2026-02-29T08:30:00+07:00", "UTC")).toBeUndefined();
    expect(parseIsoTime("2026-12-01T08:30:00+24:00", "UTC")).toBeUndefined();
  });

  test("agrees with the ISO pattern on 20,000 texts near the usual forms", () => {
    const random = mulberry32(20261205);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    // Mostly valid fields, sometimes one that is not.
    const field = (valid: readonly string[]) => (random() < 0.9 ? pick(valid) : pick(["00", "13", "24", "29", "30", "31", "60", "99", "1a", "-1", "7"]));
    const zones = ["Asia/Ho_Chi_Minh", "UTC", "Europe/Berlin", "America/New_York"];
    let usual = 0;
    for (let i = 0; i < 20_000; i++) {
      const date = `${pick(["2026", "2024", "1900", "0000", "2026", "20x6"])}${random() < 0.97 ? "-" : "/"}${field(["01", "02", "03", "10", "12"])}-${field(["01", "09", "28", "29", "30", "31"])}`;
      const time = `${pick(["T", "t", " ", "T", "T", "_"])}${field(["00", "08", "12", "23"])}:${field(["00", "30", "59"])}${pick([`:${field(["00", "15", "59"])}`, `:${field(["00", "59"])}`, "", `:${field(["00"])}.5`, `:${field(["30"])}.${pick(["174", "000", "999", "1a4", "12", "1234"])}`, `:${field(["30"])},250`])}`;
      const offset = pick(["", "Z", "z", `+${field(["00", "07", "23"])}:${field(["00", "30", "59"])}`, `-${field(["05", "11"])}:${field(["00", "45"])}`, `+${field(["07"])}${field(["00"])}`, `+${field(["07"])}`, "+07:00", "-05:30", "X"]);
      const text = pick(["", "", " "]) + date + time + offset + pick(["", "", " ", "0"]);
      const zone = pick(zones);
      const expected = parseIsoTimeByPattern(text, zone);
      if (expected !== undefined) usual++;
      expect(parseIsoTime(text, zone), text).toBe(expected);
    }
    // Enough of them are valid times for the comparison to mean something.
    expect(usual).toBeGreaterThan(1_000);
  });
});
