// The outbox repository's batched statements on both databases: the claim (SKIP LOCKED on
// PostgreSQL), markSendingMany (UPDATE … RETURNING) and markSent (CASE with CAST per row).
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { OutboxMessageInput } from "../../src/outbox/types.js";
import { PG_URL, queryRows, testDb, type TestDb } from "./support.js";

function messages(n: number, notBefore = new Date(0)): OutboxMessageInput[] {
  return Array.from({ length: n }, (_, i) => ({ kind: "broadcast" as const, batchId: "b", chatId: String(700 + i), dedupeKey: `b:${i}:${notBefore.getTime()}`, text: `m${i}`, notBefore }));
}

interface Row {
  id: number;
  status: string;
  attempts: number;
  claimToken: string | null;
  telegramMessageId: number | null;
  doneAt: unknown;
}

describe.each([
  ["SQLite", "sqlite" as const, false],
  ["PostgreSQL (needs TEST_DATABASE_URL)", "postgres" as const, !PG_URL],
])("outbox repository on %s", (_, kind, skip) => {
  let t: TestDb;
  beforeEach(async () => {
    if (!skip) t = await testDb(kind);
  });
  afterEach(async () => {
    if (!skip) await t.dispose();
  });
  const rows = async (): Promise<Row[]> =>
    (await queryRows<Row>(t.url, `SELECT "id", "status", "attempts", "claimToken", "telegramMessageId", "doneAt" FROM "OutboxMessage" ORDER BY "id"`)).map((r) => ({
      ...r,
      id: Number(r.id),
      telegramMessageId: r.telegramMessageId === null ? null : Number(r.telegramMessageId),
    }));

  test.skipIf(skip)("a chat's later row is not claimed while an earlier one is in flight elsewhere or put back for later", async () => {
    const now = new Date("2026-11-20T08:00:00Z");
    const part = (chatId: string, i: number): OutboxMessageInput => ({ kind: "broadcast", batchId: "p", chatId, dedupeKey: `p:${chatId}:${i}`, text: `part ${i}`, notBefore: new Date(0) });
    await t.store.outbox.enqueue([part("zalo:1", 1), part("zalo:1", 2), part("zalo:2", 1), part("zalo:2", 2), part("zalo:3", 1), part("zalo:3", 2)]);
    // Another instance holds chat 1's first part; chat 2's first part was put back until later (a 429).
    const [first1] = await t.store.outbox.claim("other", now, 1);
    expect([first1!.chatId, first1!.text]).toEqual(["zalo:1", "part 1"]);
    const [first2] = await t.store.outbox.claim("mine", now, 1);
    expect([first2!.chatId, first2!.text]).toEqual(["zalo:2", "part 1"]);
    await t.store.outbox.requeue(first2!.id, new Date("2026-11-20T08:00:30Z"), null);
    // Only chat 3 can go now, both parts in order; the second parts of chats 1 and 2 wait.
    expect((await t.store.outbox.claim("third", now, 10)).map((m) => [m.chatId, m.text])).toEqual([["zalo:3", "part 1"], ["zalo:3", "part 2"]]);
    // Chat 2's first part is due again: it goes first, its second part with it.
    const later = new Date("2026-11-20T08:00:31Z");
    expect((await t.store.outbox.claim("fourth", later, 10)).map((m) => [m.chatId, m.text])).toEqual([["zalo:2", "part 1"], ["zalo:2", "part 2"]]);
  });

  test.skipIf(skip)("claims running at once never split a chat: a later part is claimed only with or after its earlier one", async () => {
    const now = new Date("2026-11-20T08:00:00Z");
    const chats = Array.from({ length: 40 }, (_, c) => `zalo:${c}`);
    await t.store.outbox.enqueue(chats.flatMap((chatId) => [1, 2].map((i): OutboxMessageInput => ({ kind: "broadcast", batchId: "race", chatId, dedupeKey: `race:${chatId}:${i}`, text: `part ${i}`, notBefore: new Date(0) }))));
    // Twelve claims at once, as several senders' prefetches would; each may take up to five rows.
    const claims = await Promise.all(Array.from({ length: 12 }, (_, k) => t.store.outbox.claim(`c${k}`, now, 5)));
    const claimOf = new Map<string, string>();
    for (const [k, got] of claims.entries()) for (const m of got) claimOf.set(`${m.chatId}/${m.text}`, `c${k}`);
    for (const chatId of chats) {
      const second = claimOf.get(`${chatId}/part 2`);
      // A second part may only travel in the same claim as its first part (sent in order by one sender).
      if (second !== undefined) expect(claimOf.get(`${chatId}/part 1`), chatId).toBe(second);
    }
    expect(claimOf.size).toBeGreaterThan(0);
  });

  test.skipIf(skip)("claim → mark sending (only rows the claim still holds) → mark sent with each row's message id", async () => {
    const now = new Date("2026-11-20T08:00:00Z");
    await t.store.outbox.enqueue([...messages(5), ...messages(1, new Date("2027-01-01T00:00:00Z"))]);
    const a = await t.store.outbox.claim("A", now, 3);
    const b = await t.store.outbox.claim("B", now, 10);
    // Due rows only, in id order, each claim with its own rows.
    expect(a.map((m) => [m.chatId, m.claimToken])).toEqual([["700", "A"], ["701", "A"], ["702", "A"]]);
    expect(b.map((m) => [m.chatId, m.claimToken])).toEqual([["703", "B"], ["704", "B"]]);
    expect(await t.store.outbox.claim("C", now, 10)).toEqual([]);

    const [a1, a2, a3] = a.map((m) => m.id) as [number, number, number];
    const [b1, b2] = b.map((m) => m.id) as [number, number];
    // b1 named with the wrong claim token does not move; the rest do, across two tokens.
    const moved = await t.store.outbox.markSendingMany([...a, { id: b1, claimToken: "A" }, { id: b2, claimToken: "B" }], now);
    expect([...moved].sort((x, y) => x - y)).toEqual([a1, a2, a3, b2]);
    // A second mark finds them already sending: nothing moves, so no row can be sent twice.
    expect(await t.store.outbox.markSendingMany(a, now)).toEqual(new Set());

    const first = new Date("2026-11-20T08:00:01.250Z");
    const last = new Date("2026-11-20T08:00:01.900Z");
    await t.store.outbox.markSent([
      { id: a1, at: first, telegramMessageId: 7 },
      { id: a2, at: last, telegramMessageId: 2_147_483_647 },
      { id: b2, at: first, telegramMessageId: 123_456 },
      // Still only claimed: a sent mark cannot apply to it.
      { id: b1, at: first, telegramMessageId: 99 },
    ]);
    const stored = await rows();
    expect(stored.map((r) => [r.status, r.attempts, r.telegramMessageId])).toEqual([
      ["sent", 1, 7],
      ["sent", 1, 2_147_483_647],
      ["sending", 1, null],
      ["claimed", 0, null],
      ["sent", 1, 123_456],
      ["queued", 0, null],
    ]);
    // The chunk's latest time stands for all of it.
    for (const r of stored.filter((x) => x.status === "sent")) expect(new Date(r.doneAt as string | number | Date).getTime()).toBe(last.getTime());
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: 3, sending: 1, claimed: 1, queued: 1 } });
  });
});
