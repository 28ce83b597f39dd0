// Shared by the several-instances tests.

/** The most arrivals in any window of `ms` milliseconds (the stub's timestamps). */
export function peakInWindow(times: readonly number[], ms = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}
