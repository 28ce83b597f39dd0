import type { Reporter, TestModule, TestRunEndReason } from "vitest/node";

/** The counts behind the closing line. */
export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Counts a run so that the line never says "0 failed" when vitest fails: a failed test counts once;
 * a file that failed without a failed test (its beforeAll threw, it did not import, ...) counts as
 * one failure, its tests stay skipped; errors outside any test count one each; and a run vitest
 * calls failed counts at least one failure whatever the above found.
 */
export function countRun(testModules: ReadonlyArray<TestModule>, unhandledErrors: number, reason: TestRunEndReason | undefined): RunCounts {
  const counts: RunCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    let failedHere = 0;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed") failedHere++;
      else counts.skipped++;
    }
    if (failedHere === 0 && module.state() === "failed") failedHere = 1;
    counts.failed += failedHere;
  }
  counts.failed += unhandledErrors;
  if (reason === "failed" && counts.failed === 0) counts.failed = 1;
  return counts;
}

/**
 * Prints one plain closing line, `vitest: N passed, N failed, N skipped`, after vitest's own summary,
 * so that CI logs end with a line any reader (or tool) can count. See `countRun` for what "failed" counts.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = [], reason?: TestRunEndReason): void {
    const { passed, failed, skipped } = countRun(testModules, unhandledErrors.length, reason);
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
