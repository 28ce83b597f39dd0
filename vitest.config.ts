import { defineConfig } from "vitest/config";

// Vitest 5 prints failures with Map.groupBy, which Node 20 lacks (Node 21+): without this, a failing
// test crashes the reporter instead of showing the failure.
for (const target of [Map, Object] as const) {
  if (!("groupBy" in target)) {
    Object.defineProperty(target, "groupBy", {
      configurable: true,
      writable: true,
      value<T, K>(items: Iterable<T>, key: (item: T, index: number) => K) {
        const groups = new Map<K, T[]>();
        let index = 0;
        for (const item of items) {
          const k = key(item, index++);
          const group = groups.get(k);
          if (group) group.push(item);
          else groups.set(k, [item]);
        }
        return target === Map ? groups : Object.assign(Object.create(null), Object.fromEntries(groups));
      },
    });
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: several tests start the khaosat command or a bot process, which is slow on a loaded 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Compiles src/ to dist/ (incremental) before any test starts the khaosat command.
    globalSetup: ["./test/support/build.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
