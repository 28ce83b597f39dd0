// Runtime benchmark (`npm run bench:runtime`): what people wait for and what a bot process holds.
// - `khaosat --help` and a tiny `khaosat score` as new node processes (median of 5 alternating runs),
//   beside a node process that runs nothing (printed, no target: the floor on this machine now).
// - A bot process (`khaosat start` in polling mode on a loopback Bot API stub, SQLite, with the web
//   console on a free port as `npm start` serves it) left idle for BENCH_IDLE_S seconds (default 10):
//   its resident memory (VmRSS), median of 3 processes, beside an idle node process that loads nothing.
// The load average is printed with the figures: on a busy machine the times grow with it (the
// node-running-nothing floor shows by how much); don't read a missed time target without it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { ensureBuilt, median, reportTarget, ROOT } from "./result.js";

const IDLE_MS = Number(process.env.BENCH_IDLE_S ?? 10) * 1000;
const ROUNDS = 5;
const F = "test/scoring/cli/fixtures";
const TINY_SCORE = ["score", "--questionnaire", `${F}/points.yaml`, "--responses", `${F}/points-responses.csv`, "--appraisal", `${F}/points-appraisal.csv`, "--format", "json"];

const BIN = path.join(ROOT, "bin/khaosat.js");

/** Wall time of `node ARGV...` as a new process. */
function wallMs(argv: readonly string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8" });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`node ${argv.join(" ")} failed (${run.status}): ${run.stderr}`);
  return ms;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

/** RSS of an idle node process that loads nothing (the floor beside the bot's figure). */
function idleNodeRss(): number {
  const run = spawnSync(process.execPath, ["-e", "setTimeout(() => process.stdout.write(require('node:fs').readFileSync('/proc/self/status', 'utf8')), 1000)"], { encoding: "utf8" });
  const kb = /VmRSS:\s+(\d+) kB/.exec(run.stdout)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

async function idleBotRss(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-runtime-"));
  const stub = new BotApiStub();
  await stub.start();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (/^(TELEGRAM_|BOT_MODE|WEBHOOK_|DATABASE_URL|CODE_SECRET|PORT|ADMIN_|ZALO_)/.test(name)) delete env[name];
  const child = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start"], {
    cwd: dir,
    env: { ...env, TELEGRAM_BOT_TOKEN: "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz", TELEGRAM_API_ROOT: stub.apiRoot, DATABASE_URL: `file:${path.join(dir, "bot.db")}`, CODE_SECRET: "0123456789abcdef0123456789abcdef0123", LOG_LEVEL: "warn", WEB_HOST: "127.0.0.1", WEB_PORT: "0" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  try {
    // Idle means: started, polling (a getUpdates reached the stub), then nothing to do for a while.
    const start = performance.now();
    while (stub.callsOf("getUpdates").length === 0) {
      if (child.exitCode !== null) throw new Error(`the bot exited (${child.exitCode}): ${stderr}`);
      if (performance.now() - start > 60_000) throw new Error(`the bot did not start polling within 60 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    if (child.exitCode !== null) throw new Error(`the bot exited (${child.exitCode}): ${stderr}`);
    return rssMiB(child.pid!);
  } finally {
    child.kill("SIGKILL");
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once("exit", resolve)));
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

ensureBuilt();
wallMs([BIN, "--help"]);
const help: number[] = [];
const score: number[] = [];
// The floor beside them: a node process that runs nothing (how loaded the machine is shows here first).
const bare: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(wallMs(["-e", ""]));
  help.push(wallMs([BIN, "--help"]));
  score.push(wallMs([BIN, ...TINY_SCORE]));
}
const loadTimes = loadavg()[0]!;
const rss: number[] = [];
const bareRss: number[] = [];
for (let i = 0; i < 3; i++) {
  rss.push(await idleBotRss());
  bareRss.push(idleNodeRss());
}
const load = loadavg()[0]!;
console.log(
  `runtime bench (node ${process.version}), medians of ${ROUNDS} alternating runs at load average ${loadTimes.toFixed(2)}: node running nothing ${median(bare).toFixed(0)} ms, ` +
    `khaosat --help ${median(help).toFixed(0)} ms (${(median(help) / median(bare)).toFixed(2)} x nothing), tiny score ${median(score).toFixed(0)} ms (${(median(score) / median(bare)).toFixed(2)} x nothing)`,
);
console.log(
  `idle bot RSS after ${IDLE_MS / 1000} s, load average ${load.toFixed(2)}: ${median(rss).toFixed(0)} MiB (${rss.map((x) => x.toFixed(0)).join(", ")}), beside an idle node process loading nothing: ${median(bareRss).toFixed(0)} MiB`,
);
reportTarget("runtime", "khaosat --help (new process)", median(help) / 1000, "s", "< 0.3");
reportTarget("runtime", "tiny khaosat score (new process)", median(score) / 1000, "s", "< 0.5");
reportTarget("runtime", "idle bot RSS (polling, SQLite)", median(rss), "MiB", "<= 120");
