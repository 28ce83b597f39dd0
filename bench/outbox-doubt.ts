// Where clean-run in-doubt rows come from on a loaded machine: `node bin/run-ts.js bench/outbox-doubt.ts`.
// A Bot API stub on loopback at BENCH_RATE (300/s) and a sender process (dist/, plain node, 2 s
// transport timeout, as bench/outbox.ts runs it) drain BENCH_RECIPIENTS (6000) rows, BENCH_REPS (2)
// times, beside BENCH_BURNERS (16) CPU-burning processes. For every row left in doubt it tells
// whether the stub received the request and answered it (the answer came back but the sender gave up
// first) or never saw it (the request never left the sender's process, or was never read), and the
// sender's event-loop delay (p50, p99, max). BENCH_DIST (dist) names the compiled code the sender runs. Prints one JSON line per run; exits 1 when any run left a
// row in doubt or the stub answered 429.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { openOutboxStore } from "../src/db/index.js";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { queryRows } from "../test/outbox/support.js";
import { ensureBuilt, ROOT } from "./result.js";

const RATE = Number(process.env.BENCH_RATE ?? 300);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 6000);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 2));
const BURNERS = Number(process.env.BENCH_BURNERS ?? 16);
// The compiled code to run the sender from (another build, e.g. of main, to compare at the same load).
const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? "dist");
const TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz";

const SENDER_SCRIPT = `
import v8 from "node:v8";
import { monitorEventLoopDelay } from "node:perf_hooks";
v8.setFlagsFromString("--liftoff-only");
const [{ openOutboxStore }, { fetchTransport, OutboxSender }] = await Promise.all([
  import(${JSON.stringify(pathToFileURL(path.join(DIST, "db/index.js")).href)}),
  import(${JSON.stringify(pathToFileURL(path.join(DIST, "outbox/index.js")).href)}),
]);
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const store = await openOutboxStore(process.env.DATABASE_URL, { migrate: false });
const sender = new OutboxSender(store.outbox, fetchTransport({ token: process.env.TELEGRAM_BOT_TOKEN, apiRoot: process.env.TELEGRAM_API_ROOT, timeoutMs: 2000 }), { ratePerSecond: ${RATE} });
const stats = await sender.run({ drain: true });
lag.disable();
await store.close();
const ms = (ns) => Math.round(ns / 1e6);
process.stdout.write(JSON.stringify({ stats, loopDelayMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) } }) + "\\n");
`;

async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-doubt-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  const stub = new BotApiStub({ globalRate: RATE, perChatRate: 1, retryAfter: 1 });
  await stub.start();
  const store = await openOutboxStore(url);
  try {
    await store.outbox.enqueue(
      Array.from({ length: RECIPIENTS }, (_, i) => ({ kind: "broadcast" as const, batchId: "bench", chatId: String(1_000_000 + i), dedupeKey: `bench:${i}`, text: `Tin nhắn số ${i}`, notBefore: new Date(0) })),
    );
    const child = spawn(process.execPath, ["--input-type=module", "-e", SENDER_SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: stub.apiRoot },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    if (code !== 0) throw new Error(`the sender failed (${code})`);
    const calls = stub.callsOf("sendMessage");
    const ok = calls.filter((c) => c.status === 200);
    const byChat = new Map<string, number>();
    for (const c of calls) byChat.set(String(c.payload.chat_id), c.status);
    const doubt = await queryRows<{ chatId: string; lastError: string | null }>(url, `SELECT "chatId", "lastError" FROM "OutboxMessage" WHERE status = 'in_doubt'`);
    const reasons: Record<string, number> = {};
    for (const r of doubt) reasons[r.lastError ?? "?"] = (reasons[r.lastError ?? "?"] ?? 0) + 1;
    const perSecond = new Map<number, number>();
    let maxInSecond = 0;
    // Most arrivals in any one-second window (sliding over the accepted calls).
    for (let i = 0, j = 0; i < ok.length; i++) {
      while (ok[i]!.at - ok[j]!.at >= 1000) j++;
      maxInSecond = Math.max(maxInSecond, i - j + 1);
    }
    perSecond.clear();
    const span = ok.length > 1 ? (ok.at(-1)!.at - ok[0]!.at) / 1000 : 0;
    return {
      ...JSON.parse(out),
      load: Number(loadavg()[0]!.toFixed(2)),
      ratio: Number(((ok.length - 1) / span / RATE).toFixed(3)),
      tooMany: calls.filter((c) => c.status === 429).length,
      maxInSecond,
      inDoubt: doubt.length,
      inDoubtAnsweredByStub: doubt.filter((r) => byChat.get(r.chatId) === 200).length,
      inDoubtNeverSeenByStub: doubt.filter((r) => !byChat.has(r.chatId)).length,
      reasons,
    };
  } finally {
    await store.close();
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

ensureBuilt();
const burners = Array.from({ length: BURNERS }, () => spawn(process.execPath, ["-e", "for (;;) Math.sqrt(Math.random());"], { stdio: "ignore" }));
let bad = false;
try {
  if (BURNERS > 0) await new Promise((resolve) => setTimeout(resolve, 5_000));
  for (let rep = 1; rep <= REPS; rep++) {
    const r = await run();
    console.log(`BENCH_DOUBT ${JSON.stringify(r)}`);
    if (Number(r.inDoubt) > 0 || Number(r.tooMany) > 0) bad = true;
  }
} finally {
  for (const burner of burners) burner.kill("SIGKILL");
}
if (bad) process.exitCode = 1;
