// One send budget per channel for every instance on one PostgreSQL database: two senders draining
// one outbox, each with a SharedSendBudget, together stay within the channel's rate (measured where
// the messages arrive, at the stub) and send each row once; a sender that joins late waits for its
// share, and one that leaves hands its share back.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { fetchTransport, OutboxSender } from "../../src/outbox/index.js";
import { SendBudget, SharedSendBudget, type RosterMember, type SenderRoster } from "../../src/outbox/rate-limit.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { queryRows } from "../outbox/support.js";
import { peakInWindow } from "./support.js";
import { createEmptyDatabase, TEST_DATABASE_URL, type EmptyDatabase } from "../support/db.js";

describe("SendBudget.setRate", () => {
  test("lowering the rate counts the starts already in the window; 0 stops starts; below one per window the window widens", () => {
    const budget = new SendBudget(10, 1000, 10);
    // Each request is answered 5 ms after its start (a slot is held until a window after the answer).
    const send = (at: number, n: number) => (budget.take(at, n), Array.from({ length: n }, () => budget.settle(at, at + 5)));
    let now = 0;
    send(now, 1);
    now = 1010;
    const first = budget.available(now);
    expect(first).toBe(10);
    send(now, first);
    budget.setRate(5);
    // The starts just taken fill the halved window.
    expect(budget.available(now + 10)).toBe(0);
    budget.setRate(0);
    expect(budget.available(now + 5000)).toBe(0);
    expect(budget.delay(now + 5000)).toBeGreaterThan(0);
    budget.setRate(0.5);
    now += 5000;
    expect(budget.available(now)).toBe(1);
    send(now, 1);
    expect(budget.available(now + 1500)).toBe(0);
    expect(budget.available(now + 2100)).toBe(1);
  });
});

describe("SharedSendBudget with a roster in memory", () => {
  function memoryRoster(): SenderRoster & { rows: Map<string, { joinedAt: Date; expiresAt: number }> } {
    const rows = new Map<string, { joinedAt: Date; expiresAt: number }>();
    return {
      rows,
      async renew(channel, member, now, ttlMs) {
        const row = rows.get(`${channel}:${member}`);
        rows.set(`${channel}:${member}`, { joinedAt: row?.joinedAt ?? now, expiresAt: now.getTime() + ttlMs });
        const live: RosterMember[] = [];
        for (const [key, r] of rows) if (key.startsWith(`${channel}:`) && r.expiresAt > now.getTime()) live.push({ member: key.slice(channel.length + 1), joinedAt: r.joinedAt });
        return live;
      },
      async leave(channel, member) {
        rows.delete(`${channel}:${member}`);
      },
    };
  }

  test("alone: the whole rate at once; a second member waits, then each has half; after a leave, the whole again", async () => {
    const roster = memoryRoster();
    const a = new SharedSendBudget(roster, "telegram", 20, { member: "a", renewMs: 100, ttlMs: 500 });
    await a.start();
    expect(a.share).toBe(20);
    const b = new SharedSendBudget(roster, "telegram", 20, { member: "b", renewMs: 100, ttlMs: 500 });
    await b.start();
    // b saw a: it waits until a has renewed and lowered its rate.
    expect(b.share).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.share).toBe(10);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(b.share).toBe(10);
    await a.stop();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(b.share).toBe(20);
    await b.stop();
    expect(roster.rows.size).toBe(0);
  });

  test("a member whose renewals fail stops sending before the others could have dropped it", async () => {
    const roster = memoryRoster();
    let failing = false;
    const flaky: SenderRoster = { renew: (...args) => (failing ? Promise.reject(new Error("database gone")) : roster.renew(...args)), leave: (...args) => roster.leave(...args) };
    const errors: unknown[] = [];
    const a = new SharedSendBudget(flaky, "zalo", 10, { member: "a", renewMs: 100, ttlMs: 400, onError: (e) => errors.push(e) });
    await a.start();
    expect(a.share).toBe(10);
    failing = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(a.share).toBe(0);
    expect(a.budget.available(performance.now())).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.share).toBe(10);
    await a.stop();
  });
});

describe.skipIf(!TEST_DATABASE_URL)("two senders on one PostgreSQL database share one budget (needs TEST_DATABASE_URL)", () => {
  let empty: EmptyDatabase;
  let a: Database;
  let b: Database;
  let stub: BotApiStub;

  beforeAll(async () => {
    empty = await createEmptyDatabase("postgres");
    a = await openDatabase(empty.url);
    b = await openDatabase(empty.url, { migrate: false });
    stub = new BotApiStub();
    await stub.start();
  }, 60_000);

  afterAll(async () => {
    await stub?.stop();
    await a?.close();
    await b?.close();
    await empty?.drop();
  });

  test("combined arrivals within the limit in every second; every row sent once; both sent; the roster is empty after", async () => {
    // As with Telegram (limit 30, default budget 25), the budget sits below the limit: arrivals
    // jitter on a loaded machine. Without sharing, two senders would arrive at twice the budget.
    const RATE = 10;
    const LIMIT = 12;
    stub.options = { globalRate: LIMIT };
    const N = 70;
    await a.outbox.enqueue(Array.from({ length: N }, (_, i) => ({ kind: "broadcast" as const, batchId: "b", chatId: String(8000 + i), dedupeKey: `b:${i}`, text: `m${i}`, notBefore: new Date(0) })));
    const sharedA = new SharedSendBudget(a.senders, "telegram", RATE, { member: "a" });
    const sharedB = new SharedSendBudget(b.senders, "telegram", RATE, { member: "b" });
    const make = (db: Database, shared: SharedSendBudget) =>
      new OutboxSender(db.outbox, fetchTransport({ token: "1:abc", apiRoot: stub.apiRoot }), { ratePerSecond: RATE, channels: { telegram: { budget: shared.budget } }, claimBatch: 5, idlePollMs: 50, workerId: shared.member });
    await sharedA.start();
    // A starts alone at the whole rate; B joins a second later and waits for its share.
    const runA = make(a, sharedA).run({ drain: true });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await sharedB.start();
    const [statsA, statsB] = await Promise.all([runA, make(b, sharedB).run({ drain: true })]);
    await sharedA.stop();
    await sharedB.stop();

    const sends = stub.callsOf("sendMessage");
    expect(statsA.sent + statsB.sent).toBe(N);
    expect(statsA.sent).toBeGreaterThan(0);
    expect(statsB.sent).toBeGreaterThan(0);
    expect(new Set(sends.map((c) => String(c.payload.chat_id))).size).toBe(N);
    expect(sends).toHaveLength(N);
    expect(sends.every((c) => c.status === 200)).toBe(true);
    // Which sender sent each message: the claim token starts with its member name.
    const tokens = new Map((await queryRows<{ chatId: string; claimToken: string }>(empty.url, `SELECT "chatId", "claimToken" FROM "OutboxMessage"`)).map((r) => [r.chatId, r.claimToken]));
    const owners = (c: (typeof sends)[number]) => tokens.get(String(c.payload.chat_id))?.split(":")[0];
    expect(peakInWindow(sends.map((c) => c.at))).toBeLessThanOrEqual(LIMIT);
    expect(statsA.rateLimited + statsB.rateLimited).toBe(0);
    // While both sent, together at most the budget on average.
    const both = sends.filter((c) => c.at >= sends.find((x) => owners(x) === "b")!.at);
    const seconds = (both.at(-1)!.at - both[0]!.at) / 1000;
    expect((both.length - 1) / seconds).toBeLessThanOrEqual(RATE * 1.05);
    expect(await a.outbox.counts()).toEqual({ broadcast: { sent: N } });
    expect(await queryRows(empty.url, `SELECT "key" FROM "SchedulerLease" WHERE "key" LIKE 'send-budget:%'`)).toEqual([]);
  }, 120_000);
});
