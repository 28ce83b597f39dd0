// Runtime benchmark (`npm run bench:runtime`): what people wait for and what a bot process holds.
// - `khaosat --help` and a tiny `khaosat score` as new node processes (median of 5 alternating runs),
//   beside a node process that runs nothing (printed, no target: the floor on this machine now).
// - A bot process (`khaosat start` in polling mode on a loopback Bot API stub, SQLite) left idle for
//   BENCH_IDLE_S seconds (default 5): its resident memory (VmRSS), median of 3 processes.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { ensureBuilt, median, reportTarget, ROOT } from "./result.js";

const IDLE_MS = Number(process.env.BENCH_IDLE_S ?? 5) * 1000;
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

async function idleBotRss(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-runtime-"));
  const stub = new BotApiStub();
  await stub.start();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (/^(TELEGRAM_|BOT_MODE|WEBHOOK_|DATABASE_URL|CODE_SECRET|PORT|ADMIN_|ZALO_)/.test(name)) delete env[name];
  const child = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start"], {
    cwd: dir,
    env: { ...env, TELEGRAM_BOT_TOKEN: "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz", TELEGRAM_API_ROOT: stub.apiRoot, DATABASE_URL: `file:${path.join(dir, "bot.db")}`, CODE_SECRET: "0123456789abcdef0123456789abcdef0123", LOG_LEVEL: "warn" },
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
const rss = [await idleBotRss(), await idleBotRss(), await idleBotRss()];
console.log(`runtime bench (node ${process.version}), medians: node running nothing ${median(bare).toFixed(0)} ms, khaosat --help ${median(help).toFixed(0)} ms, tiny score ${median(score).toFixed(0)} ms, idle bot RSS ${median(rss).toFixed(0)} MiB (${rss.map((x) => x.toFixed(0)).join(", ")})`);
reportTarget("runtime", "khaosat --help (new process)", median(help) / 1000, "s", "< 0.3");
reportTarget("runtime", "tiny khaosat score (new process)", median(score) / 1000, "s", "< 0.5");
reportTarget("runtime", "idle bot RSS (polling, SQLite)", median(rss), "MiB", "<= 120");
