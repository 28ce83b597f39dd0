// `khaosat outbox send` on PostgreSQL joins the send roster of the bot instances: a bot-like sender
// (SharedSendBudget + OutboxSender, as src/bot/run.ts starts it) drains a broadcast while the CLI
// sender runs beside it in its own process. Together they stay within the one budget (measured where
// the messages arrive, at the stub, which enforces a limit a little above it), each row is sent once,
// the roster lists both while they send, and the CLI leaves it when it exits.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { fetchTransport, OutboxSender } from "../../src/outbox/index.js";
import { SharedSendBudget } from "../../src/outbox/rate-limit.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { createEmptyDatabase, TEST_DATABASE_URL, type EmptyDatabase } from "../support/db.js";
import { peakInWindow } from "../multi-instance/support.js";
import { queryRows } from "./support.js";

const TOKEN = "123456:CLI-ROSTER-abcdefghijklmnopqrstuvwxyz";

describe.skipIf(!TEST_DATABASE_URL)("khaosat outbox send joins the PostgreSQL send roster (needs TEST_DATABASE_URL)", () => {
  let empty: EmptyDatabase;
  let db: Database;
  let stub: BotApiStub;

  beforeAll(async () => {
    empty = await createEmptyDatabase("postgres");
    db = await openDatabase(empty.url);
    stub = new BotApiStub();
    await stub.start();
  }, 60_000);

  afterAll(async () => {
    await stub?.stop();
    await db?.close();
    await empty?.drop();
  });

  test("CLI and bot together within the budget, each row once, both in the roster while sending, the CLI gone from it after", async () => {
    // Budget 10/s (OUTBOX_RATE_PER_SECOND of both), limit 12/s at the stub: without the roster the
    // two senders would arrive at up to 20/s and get 429s.
    const RATE = 10;
    const LIMIT = 12;
    const N = 80;
    stub.options = { globalRate: LIMIT };
    await db.outbox.enqueue(Array.from({ length: N }, (_, i) => ({ kind: "broadcast" as const, batchId: "b", chatId: String(7000 + i), dedupeKey: `b:${i}`, text: `m${i}`, notBefore: new Date(0) })));

    // The bot's sender: joined first, keeps running (as `npm start` does) until the CLI is done.
    const bot = new SharedSendBudget(db.senders, "telegram", RATE, { member: "bot" });
    await bot.start();
    const botSender = new OutboxSender(db.outbox, fetchTransport({ token: TOKEN, apiRoot: stub.apiRoot }), {
      ratePerSecond: RATE,
      channels: { telegram: { budget: bot.budget } },
      claimBatch: 5,
      idlePollMs: 50,
      workerId: "bot",
    });
    const botRun = botSender.run();

    const members = new Set<string>();
    let mostAtOnce = 0;
    const cli = spawn(process.execPath, ["bin/khaosat.js", "outbox", "send"], {
      env: { ...process.env, DATABASE_URL: empty.url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: stub.apiRoot, OUTBOX_RATE_PER_SECOND: String(RATE) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    cli.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    cli.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const rows = await queryRows<{ holder: string }>(empty.url, `SELECT "holder" FROM "SchedulerLease" WHERE "key" LIKE 'send-budget:telegram:%' AND "expiresAt" > (now() AT TIME ZONE 'UTC')`);
      for (const r of rows) members.add(r.holder);
      mostAtOnce = Math.max(mostAtOnce, rows.length);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await exited, stderr).toBe(0);
    // The CLI drained what was left; the bot may still hold its last answers in flight.
    botSender.stop();
    const botStats = await botRun;
    await bot.stop();

    const sends = stub.callsOf("sendMessage");
    const cliSent = Number(/^sent (\d+),/.exec(stdout)?.[1]);
    expect(cliSent + botStats.sent).toBe(N);
    expect(cliSent).toBeGreaterThan(0);
    expect(botStats.sent).toBeGreaterThan(0);
    expect(sends).toHaveLength(N);
    expect(new Set(sends.map((c) => String(c.payload.chat_id))).size).toBe(N);
    expect(sends.filter((c) => c.status !== 200)).toEqual([]);
    expect(peakInWindow(sends.map((c) => c.at))).toBeLessThanOrEqual(LIMIT);
    // Both were in the roster at once: the bot and the CLI's own member.
    expect(mostAtOnce).toBe(2);
    expect(members.has("bot")).toBe(true);
    expect(members.size).toBe(2);
    // While both sent (from the CLI's first message on), together at most the budget on average.
    const tokens = new Map((await queryRows<{ chatId: string; claimToken: string }>(empty.url, `SELECT "chatId", "claimToken" FROM "OutboxMessage"`)).map((r) => [r.chatId, r.claimToken]));
    const fromCli = (c: (typeof sends)[number]) => !tokens.get(String(c.payload.chat_id))?.startsWith("bot:");
    const firstCli = sends.find(fromCli)!.at;
    const lastCli = sends.filter(fromCli).at(-1)!.at;
    const both = sends.filter((c) => c.at >= firstCli && c.at <= lastCli);
    expect((both.length - 1) / ((lastCli - firstCli) / 1000)).toBeLessThanOrEqual(RATE * 1.05);
    expect(await db.outbox.counts()).toEqual({ broadcast: { sent: N } });
    // Both left the roster.
    expect(await queryRows(empty.url, `SELECT "key" FROM "SchedulerLease" WHERE "key" LIKE 'send-budget:%'`)).toEqual([]);
  }, 120_000);
});
