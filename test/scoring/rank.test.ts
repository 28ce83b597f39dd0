import { describe, expect, test } from "vitest";
import { classFor, competitionRanks } from "../../src/scoring/index.js";

describe("competitionRanks: 1, 2, 2, 4 by value, highest first", () => {
  test.each([
    { values: { A: 90, B: 80, C: 80, D: 70 }, ranks: { A: 1, B: 2, C: 2, D: 4 } },
    { values: { A: 50, B: 50, C: 50 }, ranks: { A: 1, B: 1, C: 1 } },
    { values: { A: 10, B: 20, C: 30 }, ranks: { C: 1, B: 2, A: 3 } },
    { values: { X: 1, Y: 2, Z: 2, W: 2, V: 0 }, ranks: { Y: 1, Z: 1, W: 1, X: 4, V: 5 } },
    { values: {}, ranks: {} },
  ])("$values", ({ values, ranks }) => {
    const result = competitionRanks(Object.entries(values).map(([key, value]) => ({ key, value })));
    expect(Object.fromEntries(result)).toEqual(ranks);
  });
});

describe("classFor: first class whose min ≤ rounded index", () => {
  const classes = [
    { label: "A", min: 90 },
    { label: "B", min: 80 },
    { label: "C", min: 50 },
  ];
  test.each([
    [100, "A"],
    [90, "A"],
    [89.99, "B"],
    [80, "B"],
    [50, "C"],
    [49.99, null],
    [0, null],
  ])("%d → %s", (index, label) => {
    expect(classFor(classes, index)).toBe(label);
  });
});
