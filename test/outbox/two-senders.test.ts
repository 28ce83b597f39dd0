import { expect, test } from "vitest";
import { BotApiStub } from "../support/bot-api-stub.js";
import { fetchTransport, OutboxSender } from "../../src/outbox/index.js";
import { PG_URL, queryRows, testDb } from "./support.js";

test.skipIf(!PG_URL)("two senders on one PostgreSQL database (SKIP LOCKED claims) never send the same row (needs TEST_DATABASE_URL)", async () => {
  const t = await testDb("postgres");
  const stub = new BotApiStub();
  await stub.start();
  try {
    const N = 400;
    await t.store.outbox.enqueue(
      Array.from({ length: N }, (_, i) => ({ kind: "broadcast" as const, batchId: "b", chatId: String(5000 + i), dedupeKey: `b:${i}`, text: `m${i}`, notBefore: new Date(0) })),
    );
    const other = await t.another();
    const make = (outbox: typeof t.store.outbox, id: string) =>
      new OutboxSender(outbox, fetchTransport({ token: "1:abc", apiRoot: stub.apiRoot }), { ratePerSecond: 400, claimBatch: 20, idlePollMs: 20, workerId: id });
    const [a, b] = await Promise.all([make(t.store.outbox, "a").run({ drain: true }), make(other.outbox, "b").run({ drain: true })]);
    // Both did part of the work, and together exactly all of it.
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    expect(a.sent + b.sent).toBe(N);
    const chats = stub.callsOf("sendMessage").map((c) => String(c.payload.chat_id));
    expect(chats).toHaveLength(N);
    expect(new Set(chats).size).toBe(N);
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: N } });
    // Each row keeps the message id the stub gave its own request (batched CASE update on PostgreSQL).
    const stored = await queryRows<{ chatId: string; m: number }>(t.url, `SELECT "chatId", "telegramMessageId" AS m FROM "OutboxMessage"`);
    // The stub numbers its answers from 1000 in the order it records the calls.
    const given = new Map(stub.callsOf("sendMessage").map((c, i) => [String(c.payload.chat_id), 1000 + i]));
    expect(new Map(stored.map((r) => [r.chatId, Number(r.m)]))).toEqual(given);
  } finally {
    await stub.stop();
    await t.dispose();
  }
}, 120_000);
