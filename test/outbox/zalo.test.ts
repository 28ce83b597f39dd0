// Proactive messages on Zalo (issue 12 item 4): the one outbox sender routes `zalo:` rows through the
// Zalo transport to the loopback Zalo Bot API stub, retries 429s, marks blocked users unreachable.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ZaloBotApiStub } from "../support/zalo-stub.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { fetchTransport } from "../../src/outbox/transport.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { channelTransport, classifyZaloAnswer, zaloOutboxChat, zaloTransport } from "../../src/outbox/zalo-transport.js";
import type { OutboxMessageInput } from "../../src/outbox/types.js";
import { testDb, type TestDb } from "./support.js";

let t: TestDb;
let zalo: ZaloBotApiStub;
beforeEach(async () => {
  t = await testDb();
  zalo = new ZaloBotApiStub();
  await zalo.start();
});
afterEach(async () => {
  await zalo.stop();
  await t.dispose();
});

function zaloRows(n: number): OutboxMessageInput[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: "broadcast" as const,
    batchId: "bz",
    chatId: zaloOutboxChat(`z${i}`),
    dedupeKey: `bz:${i}`,
    text: `xin chào ${i}`,
    notBefore: new Date(0),
  }));
}

describe("Zalo outbox transport", () => {
  test("classifies Zalo answers: configurable unreachable codes, 429 and 5xx retried, error_code in the reason", () => {
    expect(classifyZaloAnswer(200, { ok: true })).toEqual({ kind: "sent", messageId: null });
    expect(classifyZaloAnswer(200, { ok: false, error_code: 403, description: "blocked" })).toEqual({ kind: "forbidden", description: "error_code 403: blocked" });
    expect(classifyZaloAnswer(200, { ok: false, error_code: 230, description: "x" }).kind).toBe("rejected");
    expect(classifyZaloAnswer(200, { ok: false, error_code: 230, description: "x" }, [230]).kind).toBe("forbidden");
    expect(classifyZaloAnswer(429, { ok: false, error_code: 429 }).kind).toBe("rate_limited");
    expect(classifyZaloAnswer(502, { ok: false, error_code: 502 }).kind).toBe("retryable");
  });

  test("a broadcast to 5,000 Zalo chats with 429s and blocked users: each reachable chat gets exactly one message", { timeout: 120_000 }, async () => {
    const n = 5000;
    expect(await t.store.outbox.enqueue(zaloRows(n))).toEqual({ queued: n, unreachable: 0, duplicate: 0 });
    const blocked = new Set(Array.from({ length: 50 }, (_, i) => `z${i * 97}`));
    for (const chat of blocked) zalo.failingChats.set(chat, { code: 403, description: "User has blocked the bot" });
    zalo.throttleNext = 20;
    // A generous timeout and a bounded number of requests in flight: on a loaded machine 500 requests in
    // flight to a stub in the same process wait seconds for their answers, and a send that times out is in doubt.
    const transport = channelTransport({ zalo: zaloTransport({ token: zalo.token, apiRoot: zalo.url, timeoutMs: 30_000 }) });
    const reasons: string[] = [];
    const sender = new OutboxSender(t.store.outbox, transport, {
      ratePerSecond: 2000,
      concurrency: 50,
      backoffMs: () => 20,
      idlePollMs: 20,
      onEvent: (e) => {
        if (e.type === "unreachable") reasons.push(e.reason);
      },
    });
    // The stub's 429 carries no retry_after: the sender pauses 1 s per 429 burst.
    const stats = await sender.run({ drain: true });
    expect(stats.sent).toBe(n - blocked.size);
    expect(stats.unreachable).toBe(blocked.size);
    expect(stats.rateLimited).toBeGreaterThan(0);
    const perChat = new Map<string, number>();
    for (const m of zalo.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    expect(perChat.size).toBe(n - blocked.size);
    expect([...perChat.values()].every((c) => c === 1)).toBe(true);
    for (const chat of blocked) expect(perChat.has(chat)).toBe(false);
    expect(zalo.sent.find((m) => m.chatId === "z1")?.text).toBe("xin chào 1");
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: n - blocked.size, unreachable: blocked.size } });
    expect(await t.store.outbox.unreachableAmong([...blocked].map(zaloOutboxChat))).toEqual(new Set([...blocked].map(zaloOutboxChat)));
    expect(reasons[0]).toBe("error_code 403: User has blocked the bot");
    // Enqueued again, the blocked chats are not queued.
    expect((await t.store.outbox.enqueue(zaloRows(n).map((m) => ({ ...m, dedupeKey: `again:${m.dedupeKey}` })))).unreachable).toBe(blocked.size);
  });

  test("one sender routes Telegram rows to Telegram and Zalo rows to Zalo", async () => {
    const telegram = new BotApiStub();
    await telegram.start();
    try {
      await t.store.outbox.enqueue([
        { kind: "reminder", chatId: "1001", dedupeKey: "r:t", text: "telegram", notBefore: new Date(0) },
        { kind: "reminder", chatId: zaloOutboxChat("abc"), dedupeKey: "r:z", text: "zalo", notBefore: new Date(0) },
      ]);
      const transport = channelTransport({
        telegram: fetchTransport({ token: "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz", apiRoot: telegram.apiRoot, timeoutMs: 5000 }),
        zalo: zaloTransport({ token: zalo.token, apiRoot: zalo.url, timeoutMs: 5000 }),
      });
      const stats = await new OutboxSender(t.store.outbox, transport, { ratePerSecond: 100, idlePollMs: 20 }).run({ drain: true });
      expect(stats.sent).toBe(2);
      expect(zalo.sent.map((m) => [m.chatId, m.text])).toEqual([["abc", "zalo"]]);
      expect(telegram.callsOf("sendMessage").map((c) => [String(c.payload.chat_id), c.payload.text])).toEqual([["1001", "telegram"]]);
    } finally {
      await telegram.stop();
    }
  });
});
