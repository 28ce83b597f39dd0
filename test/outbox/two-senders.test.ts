import { expect, test } from "vitest";
import { BotApiStub } from "../support/bot-api-stub.js";
import { fetchTransport, OutboxSender } from "../../src/outbox/index.js";
import { PG_URL, testDb } from "./support.js";

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
  } finally {
    await stub.stop();
    await t.dispose();
  }
}, 60_000);
