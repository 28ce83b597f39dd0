import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: several tests start the khaosat command or a bot process, which is slow on a loaded 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The CLI speaks Vietnamese unless KHAOSAT_LANG says otherwise; the tests that start it assert its
    // English words, so every test runs with KHAOSAT_LANG=en (test/cli/language.test.ts unsets it).
    env: { KHAOSAT_LANG: "en" },
    // Compiles src/ to dist/ (incremental) before any test starts the khaosat command.
    globalSetup: ["./test/support/build.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
