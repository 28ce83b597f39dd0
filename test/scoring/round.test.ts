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

describe("roundHalfAway's fast path gives what reading the value at 15 digits gives", () => {
  /** The rule as written in SURVEY-FORMAT 3: the value read at 15 significant digits, rounded on its decimals. */
  function byText(value: number): number {
    if (!Number.isFinite(value)) return value;
    const text = Math.abs(value).toPrecision(15);
    if (text.includes("e")) return Math.abs(value) < 1 ? 0 : value;
    const [whole = "0", fraction = ""] = text.split(".");
    const scaled = Number(whole + fraction.slice(0, 2).padEnd(2, "0")) + (fraction.charCodeAt(2) >= 53 && fraction.charCodeAt(2) <= 57 ? 1 : 0);
    const rounded = scaled / 100;
    return value < 0 && rounded !== 0 ? -rounded : rounded;
  }

  test("on 300,000 values: arbitrary, index-like ratios, and values a hair off every half", () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) values.push((random() - 0.3) * 10 ** Math.floor(random() * 8 - 2));
    for (let i = 0; i < 100_000; i++) values.push(((Math.floor(random() * 1000) + 1) / (Math.floor(random() * 97) + 1)) * 100);
    for (let i = 0; i < 100_000; i++) {
      const half = (Math.floor(random() * 2_000_000) + 0.5) / 100;
      values.push(half + (random() - 0.5) * 1e-6 * 10 ** -Math.floor(random() * 10));
    }
    const differ = values.filter((v) => !Object.is(roundHalfAway(v), byText(v)));
    expect(differ).toEqual([]);
  });
});
