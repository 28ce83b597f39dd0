// Runs every benchmark in turn: `npm run bench` (or one of them: `npm run bench:scoring|bench:bot|bench:outbox`).
// Each prints its own figures, measured side by side with its ceiling in the same run.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const benches: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["scoring", ["--expose-gc", "bin/run-ts.js", "bench/scoring.ts"]],
  ["bot", ["bin/run-ts.js", "bench/bot.ts"]],
  ["outbox", ["bin/run-ts.js", "bench/outbox.ts"]],
  ["flags", ["bin/run-ts.js", "bench/flags.ts"]],
];

let failed = 0;
for (const [name, args] of benches) {
  console.log(`\n# ${name}`);
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
