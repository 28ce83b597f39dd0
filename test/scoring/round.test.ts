import { describe, expect, test } from "vitest";
import { compareCodePoints, roundHalfAway } from "../../src/scoring/index.js";

describe("roundHalfAway: 2 decimals, half away from zero on the decimal value", () => {
  test.each([
    [6.375, 6.38],
    [1.005, 1.01],
    [2.675, 2.68],
    [1.875, 1.88],
    [65.625, 65.63],
    [80.41666666666667, 80.42],
    [80.4249, 80.42],
    [0.125, 0.13],
    [0.115, 0.12],
    [100, 100],
    [0, 0],
    [-6.375, -6.38],
    [-1.005, -1.01],
    [-0.001, 0],
    [1e-9, 0],
    [(0.1 + 0.2) * 10, 3],
    [85.12499999999999, 85.13],
    [33.33333333333333, 33.33],
    [66.66666666666667, 66.67],
    [12345.675, 12345.68],
  ])("%d → %d", (value, expected) => {
    expect(roundHalfAway(value)).toBe(expected);
  });

  test("never returns negative zero", () => {
    expect(Object.is(roundHalfAway(-0.001), 0)).toBe(true);
  });

  test.each([
    [6.3745, 3, 6.375],
    [6.5, 0, 7],
    [-6.5, 0, -7],
  ])("%d to %d decimals → %d", (value, decimals, expected) => {
    expect(roundHalfAway(value, decimals)).toBe(expected);
  });
});

describe("compareCodePoints", () => {
  test.each([
    ["SO_XD", "SO_Xa", -1],
    ["a", "a", 0],
    ["ab", "a", 1],
    ["Z", "Đ", -1],
    // U+FF21 (one UTF-16 unit) sorts before U+1F600 (a surrogate pair), unlike a UTF-16 comparison.
    ["\u{1F600}", "\uFF21", 1],
    ["\uFF21", "\u{1F600}", -1],
  ])("%s vs %s", (a, b, sign) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(sign);
  });
});
