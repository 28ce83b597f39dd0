// `npm run bench`: runs every benchmark — each `bench:<name>` script of package.json, so one added by
// anyone is included — in its own process, one after the other, and collects the `BENCH_RESULT {...}`
// line each prints per target (bench/result.ts) into one table: figure, target, pass/fail. States the
// load average before and after (figures are ratios measured side by side inside each benchmark, but a
// loaded machine still shows in the absolute ones), and each row's 1-minute load average when its
// benchmark ended. Exits non-zero when any target is missed, when a
// benchmark fails or prints no result, or when one runs longer than BENCH_TIMEOUT_S (default 900 s).
// `npm run bench -- scoring bot` runs only those.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { BENCH_RESULT_PREFIX, ROOT, type BenchResult } from "./result.js";

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;

interface Row extends BenchResult {
  readonly note?: string;
  /** The 1-minute load average when its benchmark ended (how busy the machine was while it ran). */
  load?: number;
}

function benchScripts(): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  const all = Object.keys(scripts)
    .filter((name) => name.startsWith("bench:"))
    .map((name) => name.slice("bench:".length));
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; there are: ${all.join(", ")}`);
    process.exit(2);
  }
  return only.length > 0 ? only : all;
}

/** Runs `npm run bench:<name>` in its own process, echoing its output, and returns its result lines. */
function runBench(name: string): Promise<{ rows: Row[]; code: number | null; timedOut: boolean; seconds: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const npm = process.env.npm_execpath;
    const [command, args] = npm ? [process.execPath, [npm, "run", "--silent", `bench:${name}`]] : ["npm", ["run", "--silent", `bench:${name}`]];
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], detached: true });
    const rows: Row[] = [];
    let pending = "";
    const take = (line: string): void => {
      if (!line.startsWith(BENCH_RESULT_PREFIX)) return;
      try {
        rows.push(JSON.parse(line.slice(BENCH_RESULT_PREFIX.length)) as Row);
      } catch {
        rows.push({ bench: name, name: `unreadable result line: ${line.slice(0, 80)}`, figure: Number.NaN, unit: "", target: "", pass: false });
      }
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(take);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: npm, the benchmark and anything it started (stubs, bots, senders).
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      take(pending);
      resolve({ rows, code, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}

function formatFigure(row: Row): string {
  if (!Number.isFinite(row.figure)) return "—";
  const abs = Math.abs(row.figure);
  const text = abs >= 100 ? row.figure.toFixed(0) : abs >= 10 ? row.figure.toFixed(1) : row.figure.toFixed(abs >= 1 ? 2 : 3);
  return `${text} ${row.unit}`.trim();
}

const names = benchScripts();
const loadBefore = loadavg();
const rows: Row[] = [];
const runs: string[] = [];
for (const name of names) {
  console.log(`\n# bench:${name}`);
  const run = await runBench(name);
  const load = loadavg()[0]!;
  for (const row of run.rows) row.load = load;
  rows.push(...run.rows);
  runs.push(`${name} ${run.seconds.toFixed(0)} s`);
  if (run.timedOut) rows.push({ bench: name, name: `did not finish within ${TIMEOUT_MS / 1000} s (killed)`, figure: Number.NaN, unit: "", target: "finishes", pass: false });
  else if (run.rows.length === 0) rows.push({ bench: name, name: `printed no BENCH_RESULT line (exit ${run.code})`, figure: Number.NaN, unit: "", target: "reports", pass: false });
  else if (run.code !== 0 && run.rows.every((r) => r.pass)) rows.push({ bench: name, name: `exited ${run.code} although every target passed`, figure: Number.NaN, unit: "", target: "exit 0", pass: false });
}
const loadAfter = loadavg();

const table = [["bench", "target", "figure", "wanted", "result", "load"], ...rows.map((r) => [r.bench, r.name, formatFigure(r), r.target, r.pass ? "pass" : "FAIL", r.load === undefined ? "" : r.load.toFixed(1)])];
const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
console.log(`\n## every target (node ${process.version}; load average ${load(loadBefore)} before, ${load(loadAfter)} after; ${runs.join(", ")})`);
for (const r of table) console.log(r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd());
const failed = rows.filter((r) => !r.pass).length;
console.log(failed === 0 ? `all ${rows.length} targets met` : `${failed} of ${rows.length} targets missed`);
process.exitCode = failed === 0 ? 0 : 1;
