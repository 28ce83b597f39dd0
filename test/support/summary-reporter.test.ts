// The closing summary line counts a file that failed in beforeAll, so it never says "0 failed" while vitest exits 1.
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";

function runFixtures(pattern: string): { status: number | null; lastLine: string } {
  const result = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/support/fixtures/vitest.fixture-config.ts"], {
    encoding: "utf8",
    env: { ...process.env, SUMMARY_FIXTURES: pattern, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 60_000,
  });
  const lines = result.stdout.trim().split("\n");
  return { status: result.status, lastLine: lines[lines.length - 1]! };
}

describe("summary line", () => {
  test("a file failing in beforeAll is counted as failed, matching vitest's non-zero exit", () => {
    const run = runFixtures("test/support/fixtures/*.fixture.ts");
    expect(run.status).toBe(1);
    expect(run.lastLine).toBe("vitest: 1 passed, 1 failed, 2 skipped");
  });

  test("a passing run says 0 failed and exits 0", () => {
    const run = runFixtures("test/support/fixtures/passes.fixture.ts");
    expect(run.status).toBe(0);
    expect(run.lastLine).toBe("vitest: 1 passed, 0 failed, 0 skipped");
  });
});
