// Outbox benchmark: `npm run bench:outbox`. A Bot API stub on loopback enforces a global rate (429 +
// retry_after when exceeded) and 1 message per second per chat; a sender process set to the same
// rate drains a broadcast to N recipients. Then the same with a kill -9 in the middle and a restart.
// Prints achieved ÷ permitted rate, 429s provoked, duplicates and losses.
// Environment: BENCH_RATE (300), BENCH_RECIPIENTS (20000), BENCH_KILL_RECIPIENTS (6000).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openOutboxStore } from "../src/db/index.js";
import { BotApiStub } from "../test/support/bot-api-stub.js";

const RATE = Number(process.env.BENCH_RATE ?? 300);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const KILL_RECIPIENTS = Number(process.env.BENCH_KILL_RECIPIENTS ?? 6000);
const TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz";
const root = fileURLToPath(new URL("..", import.meta.url));

interface Result {
  readonly recipients: number;
  readonly seconds: number;
  readonly ratio: number;
  readonly tooMany: number;
  readonly duplicates: number;
  readonly lost: number;
  readonly inDoubt: number;
  readonly enqueueSeconds: number;
}

function runSender(env: NodeJS.ProcessEnv): { kill(): void; done: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, "bin/run-ts.js"), path.join(root, "test/outbox/sender-child.ts"), String(RATE)], {
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
    if (killAt !== null) {
      while (stub.callsOf("sendMessage").length < killAt) await new Promise((resolve) => setTimeout(resolve, 10));
      first.kill();
      await first.done;
      const second = runSender(env);
      if ((await second.done) !== 0) throw new Error("the restarted sender failed");
    } else if ((await first.done) !== 0) {
      throw new Error("the sender failed");
    }
    const calls = stub.callsOf("sendMessage");
    const ok = calls.filter((c) => c.status === 200);
    // Rate over the sending itself: first to last accepted message (start-up and restart excluded only in the clean run).
    const seconds = killAt === null ? (ok.at(-1)!.at - ok[0]!.at) / 1000 : (performance.now() - started) / 1000;
    const perChat = new Map<string, number>();
    for (const c of ok) perChat.set(String(c.payload.chat_id), (perChat.get(String(c.payload.chat_id)) ?? 0) + 1);
    const counts = await store.outbox.counts();
    return {
      recipients,
      seconds,
      ratio: (ok.length - 1) / seconds / RATE,
      tooMany: calls.filter((c) => c.status === 429).length,
      duplicates: [...perChat.values()].filter((n) => n > 1).length,
      lost: recipients - perChat.size,
      inDoubt: counts.broadcast?.in_doubt ?? 0,
      enqueueSeconds,
    };
  } finally {
    await store.close();
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(title: string, r: Result): void {
  console.log(`${title}`);
  console.log(`  recipients ${r.recipients}, queued in ${r.enqueueSeconds.toFixed(1)} s, sent in ${r.seconds.toFixed(1)} s`);
  console.log(`  achieved ÷ permitted rate: ${r.ratio.toFixed(3)} (${(r.ratio * RATE).toFixed(1)}/s of ${RATE}/s)`);
  console.log(`  429 answers: ${r.tooMany}, duplicates: ${r.duplicates}, never delivered: ${r.lost}, in doubt (not resent): ${r.inDoubt}`);
}

report(`clean run (stub and sender at ${RATE}/s, 1/s per chat)`, await scenario(RECIPIENTS, null));
report(`kill -9 at half, then restart (rate includes the restart and the ${3} s in-doubt wait)`, await scenario(KILL_RECIPIENTS, Math.floor(KILL_RECIPIENTS / 2)));
