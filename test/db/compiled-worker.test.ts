import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";

const HELPER = fileURLToPath(new URL("../../src/db/compiled-worker.ts", import.meta.url));

/** Starts a worker through startCompiledWorker in a node process run with `flags`; what the worker saw of its options. */
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-worker-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WORKER = path.join(dir, "worker.mjs");
writeFileSync(WORKER, `import { parentPort } from "node:worker_threads";
import v8 from "node:v8";
parentPort.postMessage({ execArgv: process.execArgv, heapLimitMb: v8.getHeapStatistics().heap_size_limit / 2 ** 20 });
`);
const MAIN = path.join(dir, "main.mjs");
writeFileSync(MAIN, `const { startCompiledWorker } = await import(${JSON.stringify(HELPER)});
const worker = startCompiledWorker(${JSON.stringify(WORKER)}, {});
worker.once("message", (seen) => { console.log(JSON.stringify(seen)); void worker.terminate(); });
`);

function workerOptions(flags: readonly string[]): { execArgv: string[]; heapLimitMb: number } {
  const out = execFileSync(process.execPath, [...flags, "--import", "tsx", MAIN], { encoding: "utf8", cwd: fileURLToPath(new URL("../..", import.meta.url)) });
  return JSON.parse(out.trim().split("\n").at(-1)!) as { execArgv: string[]; heapLimitMb: number };
}

test("a worker starts when the process runs with V8's options, which workers refuse; the node options it accepts are passed on, the loader is not", () => {
  const seen = workerOptions(["--max-old-space-size=300", "--stack-trace-limit=30", "--no-warnings", "--trace-uncaught"]);
  expect(seen.execArgv).toEqual(["--no-warnings", "--trace-uncaught"]);
  // V8's options hold for every thread of the process: the worker's heap has the size the process was given.
  expect(seen.heapLimitMb).toBeLessThan(600);
});

test("without refused options every node option but the loader is passed on", () => {
  const seen = workerOptions(["--no-warnings", "--trace-uncaught"]);
  expect(seen.execArgv).toEqual(["--no-warnings", "--trace-uncaught"]);
});
