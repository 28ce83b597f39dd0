// Outbox benchmark: `npm run bench:outbox`. A Bot API stub on loopback enforces a global rate (429 +
// retry_after when exceeded) and 1 message per second per chat; a sender process set to the same
// rate drains a broadcast to N recipients (the compiled sender of dist/, run by plain node as the bot
// runs it). Then the same with a kill -9 in the middle and a restart. The two runs alternate,
// BENCH_REPS times (default 3); each figure is the median over the repetitions, printed beside every
// run with the load average. Environment: BENCH_RATE (300), BENCH_RECIPIENTS (6000),
// BENCH_KILL_RECIPIENTS (3000), BENCH_REPS (3), BENCH_BURNERS (CPU-burning processes run beside it,
// default one per core, as servers are rarely idle; 0 for none), BENCH_LEASE_MS (claim lease and
// in-doubt age of the sender, default 10000: after the kill, the restarted sender waits that long
// before it can tell an orphaned `sending` row from a live one).
// Ends with one BENCH_RESULT line per target of issue 13 — achieved ÷ permitted ≥ 0.95 (clean runs,
// median) at load average ≥ 2, 0 duplicates (every run), 0 messages lost silently after kill -9 —
// and exits 1 when one is missed. The rate of the kill -9 runs is reported beside them, not a target
// (the issue asks for its figures): the rate while a sender runs, i.e. over the first to the last
// accepted message of each sender process, the time between the kill and the restart excluded; the
// restarted sender's time to its first message is printed in the table. A sender restarted on the
// same machine takes back the killed one's claims at once (src/outbox/liveness.ts), not after the
// claim lease (BENCH_LEASE_MS), which it still waits for with senders on other machines.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { openOutboxStore } from "../src/db/index.js";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { queryRows } from "../test/outbox/support.js";
import { ensureBuilt, median, ROOT } from "./result.js";

const RATE = Number(process.env.BENCH_RATE ?? 300);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 6000);
const KILL_RECIPIENTS = Number(process.env.BENCH_KILL_RECIPIENTS ?? 3000);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 10_000);
// The compiled code the sender runs (BENCH_DIST, default dist/; another build, e.g. main's, compares at the same load).
const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? "dist");
const TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz";
const root = ROOT;

/** The sender process: dist/'s OutboxSender and fetch transport under plain node, with the bot's V8 flags (bin/khaosat.js). */
const SENDER_SCRIPT = `
import v8 from "node:v8";
v8.setFlagsFromString("--liftoff-only");
const [{ openOutboxStore }, { fetchTransport, OutboxSender }] = await Promise.all([
  import(${JSON.stringify(pathToFileURL(path.join(DIST, "db/index.js")).href)}),
  import(${JSON.stringify(pathToFileURL(path.join(DIST, "outbox/index.js")).href)}),
]);
const store = await openOutboxStore(process.env.DATABASE_URL, { migrate: false });
const sender = new OutboxSender(store.outbox, fetchTransport({ token: process.env.TELEGRAM_BOT_TOKEN, apiRoot: process.env.TELEGRAM_API_ROOT, timeoutMs: 2000 }), {
  ratePerSecond: ${RATE},
  claimLeaseMs: ${LEASE_MS},
  inDoubtAfterMs: ${LEASE_MS},
});
process.once("SIGTERM", () => sender.stop());
const stats = await sender.run({ drain: true });
await store.close();
process.stdout.write(JSON.stringify(stats) + "\\n");
`;

interface Result {
  readonly recipients: number;
  /** Wall time from the first sender's start to the last sender's exit. */
  readonly wallSeconds: number;
  /** Time spent sending: first to last accepted message of each sender process, added up. */
  readonly seconds: number;
  readonly ratio: number;
  readonly tooMany: number;
  readonly duplicates: number;
  readonly lost: number;
  readonly inDoubt: number;
  /** Recipients who got nothing and whose row is not recorded in doubt: lost silently. */
  readonly lostSilently: number;
  readonly enqueueSeconds: number;
  /** After a kill: from the restarted sender's spawn to its first accepted message (NaN without a kill). */
  readonly restartSeconds: number;
}

function runSender(env: NodeJS.ProcessEnv): { kill(): void; done: Promise<number | null> } {
  // BENCH_SENDER_NODE_ARGS: extra node options for the sender (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes).
  const extra = (process.env.BENCH_SENDER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...extra, "--input-type=module", "-e", SENDER_SCRIPT], {
    cwd: root,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { kill: () => child.kill("SIGKILL"), done: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
}

async function scenario(recipients: number, killAt: number | null): Promise<Result> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-outbox-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  const stub = new BotApiStub({ globalRate: RATE, perChatRate: 1, retryAfter: 1 });
  await stub.start();
  const store = await openOutboxStore(url);
  try {
    let started = performance.now();
    await store.outbox.enqueue(
      Array.from({ length: recipients }, (_, i) => ({ kind: "broadcast" as const, batchId: "bench", chatId: String(1_000_000 + i), dedupeKey: `bench:${i}`, text: `Tin nhắn số ${i}`, notBefore: new Date(0) })),
    );
    const enqueueSeconds = (performance.now() - started) / 1000;
    const env = { ...process.env, DATABASE_URL: url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: stub.apiRoot };
    started = performance.now();
    const first = runSender(env);
    let killedAfter = Infinity;
    let restartedAt = Number.NaN;
    if (killAt !== null) {
      while (stub.callsOf("sendMessage").length < killAt) await new Promise((resolve) => setTimeout(resolve, 10));
      first.kill();
      await first.done;
      killedAfter = performance.now();
      const second = runSender(env);
      restartedAt = performance.now();
      if ((await second.done) !== 0) throw new Error("the restarted sender failed");
    } else if ((await first.done) !== 0) {
      throw new Error("the sender failed");
    }
    const calls = stub.callsOf("sendMessage");
    const ok = calls.filter((c) => c.status === 200);
    const wallSeconds = (performance.now() - started) / 1000;
    // Rate over the sending itself: first to last accepted message of each process (start-up, the
    // kill and the in-doubt wait after the restart excluded).
    const before = ok.filter((c) => c.at < killedAfter);
    const after = ok.filter((c) => c.at >= killedAfter);
    const span = (xs: typeof ok) => (xs.length > 1 ? xs.at(-1)!.at - xs[0]!.at : 0);
    const seconds = (span(before) + span(after)) / 1000;
    const intervals = Math.max(0, before.length - 1) + Math.max(0, after.length - 1);
    const perChat = new Map<string, number>();
    for (const c of ok) perChat.set(String(c.payload.chat_id), (perChat.get(String(c.payload.chat_id)) ?? 0) + 1);
    const counts = await store.outbox.counts();
    const doubtful = new Set((await queryRows<{ chatId: string }>(url, `SELECT "chatId" FROM "OutboxMessage" WHERE status = 'in_doubt'`)).map((r) => r.chatId));
    let lostSilently = 0;
    for (let i = 0; i < recipients; i++) {
      const chat = String(1_000_000 + i);
      if (!perChat.has(chat) && !doubtful.has(chat)) lostSilently++;
    }
    return {
      recipients,
      wallSeconds,
      seconds,
      ratio: intervals / seconds / RATE,
      tooMany: calls.filter((c) => c.status === 429).length,
      duplicates: [...perChat.values()].filter((n) => n > 1).length,
      lost: recipients - perChat.size,
      inDoubt: counts.broadcast?.in_doubt ?? 0,
      lostSilently,
      enqueueSeconds,
      restartSeconds: after.length > 0 ? (after[0]!.at - restartedAt) / 1000 : Number.NaN,
    };
  } finally {
    await store.close();
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

ensureBuilt();
// Busy loops in their own processes: the load a shared server has (the issue asks for load average ≥ 2).
const BURNERS = Number(process.env.BENCH_BURNERS ?? availableParallelism());
const burners = Array.from({ length: BURNERS }, () => spawn(process.execPath, ["-e", "for (;;) Math.sqrt(Math.random());"], { stdio: "ignore" }));
const runs: Array<{ label: string; result: Result; load: number }> = [];
let load: number[];
try {
  // Let the load average climb before measuring.
  if (BURNERS > 0) await new Promise((resolve) => setTimeout(resolve, 5_000));
  for (let rep = 1; rep <= REPS; rep++) {
    runs.push({ label: `clean ${rep}`, result: await scenario(RECIPIENTS, null), load: loadavg()[0]! });
    runs.push({ label: `kill ${rep}`, result: await scenario(KILL_RECIPIENTS, Math.floor(KILL_RECIPIENTS / 2)), load: loadavg()[0]! });
  }
  load = loadavg();
} finally {
  for (const burner of burners) burner.kill("SIGKILL");
}
const clean = runs.filter((r) => r.label.startsWith("clean"));
const killed = runs.filter((r) => r.label.startsWith("kill"));
const rows: Array<[string, (r: Result) => string]> = [
  ["recipients", (r) => String(r.recipients)],
  ["queued in (s)", (r) => r.enqueueSeconds.toFixed(1)],
  ["wall time (s)", (r) => r.wallSeconds.toFixed(1)],
  ["sending time (s)", (r) => r.seconds.toFixed(1)],
  ["restart to first message (s)", (r) => (Number.isNaN(r.restartSeconds) ? "—" : r.restartSeconds.toFixed(1))],
  ["achieved rate (/s)", (r) => (r.ratio * RATE).toFixed(1)],
  ["achieved ÷ permitted", (r) => r.ratio.toFixed(3)],
  ["429 answers", (r) => String(r.tooMany)],
  ["duplicates", (r) => String(r.duplicates)],
  ["never delivered", (r) => String(r.lost)],
  ["in doubt (not resent)", (r) => String(r.inDoubt)],
  ["lost silently", (r) => String(r.lostSilently)],
];
const head = ["", ...runs.map((r) => r.label)];
const table = [head, ...rows.map(([name, f]) => [name, ...runs.map((r) => f(r.result))]), ["load average (1 min)", ...runs.map((r) => r.load.toFixed(2))]];
const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log(
  `outbox benchmark: stub and sender at ${RATE}/s, 1/s per chat; ${BURNERS} CPU burners beside it; clean and kill -9 runs alternating, ${REPS} of each; load average ${load.map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min) at the end`,
);
for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));

const cleanRatio = median(clean.map((r) => r.result.ratio));
const killedRatio = median(killed.map((r) => r.result.ratio));
const duplicates = runs.reduce((n, r) => n + r.result.duplicates, 0);
const lostSilently = runs.reduce((n, r) => n + r.result.lostSilently, 0);
const results = [
  { name: `outbox achieved ÷ permitted rate (clean, median of ${REPS})`, figure: cleanRatio, unit: "ratio", target: ">= 0.95", pass: cleanRatio >= 0.95 },
  { name: "outbox duplicates (every run, kill -9 runs included)", figure: duplicates, unit: "messages", target: "0", pass: duplicates === 0 },
  { name: "outbox lost silently after kill -9 (neither sent nor listed in doubt; every run)", figure: lostSilently, unit: "messages", target: "0", pass: lostSilently === 0 },
  // A figure the issue asks to report, not a target: the rate while a sender runs (first to last
  // message of each process; the time between the kill and the restart excluded).
  { name: `outbox rate over kill -9 + restart while a sender runs (median of ${REPS})`, figure: killedRatio, unit: "ratio", target: "reported", pass: true },
  { name: "load average (1 min) during the outbox bench", figure: median(runs.map((r) => r.load)), unit: "load", target: ">= 2", pass: median(runs.map((r) => r.load)) >= 2 },
];
for (const r of results) console.log(`BENCH_RESULT ${JSON.stringify({ bench: "outbox", ...r, figure: Math.round(r.figure * 1000) / 1000 })}`);
if (results.some((r) => !r.pass)) process.exitCode = 1;
