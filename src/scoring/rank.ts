import { compareCodePoints } from "./round.js";

/**
 * Standard competition ranks (1, 2, 2, 4) by value, highest first; values must already be rounded,
 * so equal rounded values share a rank. Returns each key's rank.
 */
export function competitionRanks(entries: readonly { readonly key: string; readonly value: number }[]): Map<string, number> {
  const sorted = [...entries].sort((a, b) => b.value - a.value || compareCodePoints(a.key, b.key));
  const ranks = new Map<string, number>();
  let rank = 0;
  let previous = Number.NaN;
  sorted.forEach((entry, position) => {
    if (entry.value !== previous) {
      rank = position + 1;
      previous = entry.value;
    }
    ranks.set(entry.key, rank);
  });
  return ranks;
}

/** A questionnaire class: its label applies from `min` upwards. */
export interface ScoreClass {
  readonly label: string;
  readonly min: number;
}

/** The label of the first class (highest first) whose `min` ≤ the rounded index; null when none. */
export function classFor(classes: readonly ScoreClass[], roundedIndex: number): string | null {
  for (const c of classes) if (c.min <= roundedIndex) return c.label;
  return null;
}
