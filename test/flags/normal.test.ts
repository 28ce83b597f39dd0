import { describe, expect, test } from "vitest";
import { medianInPlace, normalCdf, normalCdfFast, normalQuantile } from "../../src/flags/normal.js";

describe("normal distribution helpers of the careless-answer rules", () => {
  test("Φ and Φ⁻¹ match known values and invert each other", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    for (const p of [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });

  test("the tabulated Φ stays within 1e-6 of the formula, and saturates outside ±8", () => {
    for (let x = -9; x <= 9; x += 0.0137) expect(Math.abs(normalCdfFast(x) - normalCdf(x))).toBeLessThan(1e-6);
    expect(normalCdfFast(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdfFast(Number.POSITIVE_INFINITY)).toBe(1);
  });

  test("medianInPlace gives the median of the first `length` values, odd and even counts", () => {
    expect(medianInPlace(Float64Array.of(5, 1, 4, 2, 3), 5)).toBe(3);
    expect(medianInPlace(Float64Array.of(4, 1, 3, 2), 4)).toBe(2.5);
    expect(medianInPlace(Float64Array.of(7, 7, 7, 1), 4)).toBe(7);
    expect(medianInPlace(Float64Array.of(9, 1, 100), 2)).toBe(5);
    expect(medianInPlace(new Float64Array(3), 0)).toBeNaN();
    const values = Float64Array.from({ length: 1001 }, (_, i) => (i * 7919) % 1001);
    expect(medianInPlace(values, values.length)).toBe(500);
  });
});
