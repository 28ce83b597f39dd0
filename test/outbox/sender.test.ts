import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { BotApiStub } from "../support/bot-api-stub.js";
import { fetchTransport } from "../../src/outbox/transport.js";
import { OutboxSender, type SenderOptions } from "../../src/outbox/sender.js";
import type { OutboxMessageInput } from "../../src/outbox/types.js";
import { testDb, type TestDb } from "./support.js";

const TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz";

function messages(n: number, firstChat = 1000, extra: Partial<OutboxMessageInput> = {}): OutboxMessageInput[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: "broadcast" as const,
    batchId: "b1",
    chatId: String(firstChat + i),
    dedupeKey: `b1:${firstChat + i}`,
    text: `hello ${firstChat + i}`,
    notBefore: new Date(0),
    ...extra,
  }));
}

let t: TestDb;
let stub: BotApiStub;
beforeEach(async () => {
  t = await testDb();
  stub = new BotApiStub();
  await stub.start();
});
afterEach(async () => {
  await stub.stop();
  await t.dispose();
});

function sender(options: SenderOptions = {}): OutboxSender {
  return new OutboxSender(t.store.outbox, fetchTransport({ token: TOKEN, apiRoot: stub.apiRoot, timeoutMs: 5000 }), {
    ratePerSecond: 200,
    backoffMs: () => 50,
    idlePollMs: 20,
    ...options,
  });
}

function sentChats(): number[] {
  return stub.callsOf("sendMessage").filter((c) => c.status === 200).map((c) => Number(c.payload.chat_id));
}

describe("outbox sender", () => {
  test("sends every queued message once and marks it sent with Telegram's message id", async () => {
    expect(await t.store.outbox.enqueue(messages(50))).toEqual({ queued: 50, unreachable: 0, duplicate: 0 });
    expect(await t.store.outbox.enqueue(messages(5))).toEqual({ queued: 0, unreachable: 0, duplicate: 5 });
    const stats = await sender().run({ drain: true });
    expect(stats.sent).toBe(50);
    expect(sentChats().sort()).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: 50 } });
    const first = stub.callsOf("sendMessage")[0]!;
    expect(first.payload.text).toMatch(/^hello \d+$/);
    // The batched sent marks keep each row's own Telegram message id (the stub numbers from 1000).
    const sqlite = new Database(t.url.slice("file:".length), { readonly: true });
    const rows = sqlite.prepare(`SELECT "telegramMessageId" AS m, "doneAt" AS d FROM "OutboxMessage" ORDER BY "telegramMessageId"`).all() as { m: number; d: unknown }[];
    sqlite.close();
    expect(rows.map((r) => r.m)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    expect(rows.every((r) => r.d !== null)).toBe(true);
  });

  test("403 marks the chat unreachable, ends its other messages and refuses new ones; 400 chat not found is skipped", async () => {
    stub.blockedChats.add(1001);
    stub.missingChats.add(1002);
    await t.store.outbox.enqueue([...messages(3), { kind: "digest", chatId: "1001", dedupeKey: "d:1001", text: "digest", notBefore: new Date(Date.now() + 3_600_000) }]);
    const stats = await sender().run({ drain: true });
    expect(stats).toMatchObject({ sent: 1, unreachable: 1, skipped: 1 });
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: 1, unreachable: 1, skipped: 1 }, digest: { unreachable: 1 } });
    expect(stub.callsOf("sendMessage").filter((c) => c.payload.chat_id === 1001 || c.payload.chat_id === "1001")).toHaveLength(1);
    expect(await t.store.outbox.enqueue([{ kind: "reminder", chatId: "1001", dedupeKey: "r:1001", text: "x", notBefore: new Date(0) }])).toEqual({ queued: 0, unreachable: 1, duplicate: 0 });
    expect(await t.store.outbox.unreachableCount()).toBe(1);
  });

  test("a 429 pauses the whole sender for retry_after and the message is sent afterwards", async () => {
    stub.options = { tooManyEvery: 3, retryAfter: 1 };
    await t.store.outbox.enqueue(messages(4));
    const started = performance.now();
    const stats = await sender({ concurrency: 1 }).run({ drain: true });
    const elapsed = performance.now() - started;
    expect(stats.sent).toBe(4);
    expect(stats.rateLimited).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    const calls = stub.callsOf("sendMessage");
    const limited = calls.findIndex((c) => c.status === 429);
    // Nothing at all was sent during the pause.
    expect(calls[limited + 1]!.at - calls[limited]!.at).toBeGreaterThanOrEqual(990);
    expect(new Set(sentChats()).size).toBe(4);
  });

  test("other errors retry with backoff, then the message is recorded as failed after the attempt limit", async () => {
    stub.options = { serverErrorRate: 1 };
    await t.store.outbox.enqueue(messages(2));
    const stats = await sender({ maxAttempts: 3 }).run({ drain: true });
    expect(stats).toMatchObject({ sent: 0, failed: 2, retries: 4 });
    expect(stub.callsOf("sendMessage")).toHaveLength(6);
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { failed: 2 } });
  });

  test("with 429 on every tenth call and 500 at random, every recipient gets exactly one message", async () => {
    stub.options = { tooManyEvery: 10, retryAfter: 1, serverErrorRate: 0.1, seed: 7 };
    await t.store.outbox.enqueue(messages(60));
    const stats = await sender({ ratePerSecond: 300, maxAttempts: 10 }).run({ drain: true });
    expect(stats.sent).toBe(60);
    expect(stats.rateLimited).toBeGreaterThanOrEqual(5);
    const chats = sentChats();
    expect(chats).toHaveLength(60);
    expect(new Set(chats).size).toBe(60);
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: 60 } });
  });

  test("never more than one message per second to the same chat, and the overall rate is respected", async () => {
    stub.options = { perChatRate: 1, globalRate: 20 };
    await t.store.outbox.enqueue([
      ...messages(3, 500, { dedupeKey: "x" }).map((m, i) => ({ ...m, chatId: "500", dedupeKey: `same:${i}` })),
      ...messages(30, 2000),
    ]);
    const stats = await sender({ ratePerSecond: 18 }).run({ drain: true });
    expect(stats.sent).toBe(33);
    expect(stats.rateLimited).toBe(0);
    const same = stub.callsOf("sendMessage").filter((c) => String(c.payload.chat_id) === "500");
    expect(same.map((c) => c.payload.text)).toEqual(["hello 500", "hello 501", "hello 502"]);
    expect(same[1]!.at - same[0]!.at).toBeGreaterThanOrEqual(990);
    expect(same[2]!.at - same[1]!.at).toBeGreaterThanOrEqual(990);
  });
});
