// One sender, one budget per channel (issue 12 item 4): Telegram's and Zalo's limits are independent;
// a 429 from one channel pauses that channel only; the parts of a long text reach a chat in order,
// even when one of them is answered 429 and put back in the queue.
import { afterEach, beforeEach, expect, test } from "vitest";
import { BotApiStub } from "../support/bot-api-stub.js";
import { ZaloBotApiStub } from "../support/zalo-stub.js";
import { fetchTransport, type OutboxTransport } from "../../src/outbox/transport.js";
import { OutboxSender, type SenderEvent, type SenderOptions } from "../../src/outbox/sender.js";
import { channelTransport, zaloOutboxChat, zaloTransport } from "../../src/outbox/zalo-transport.js";
import type { OutboxMessageInput } from "../../src/outbox/types.js";
import { testDb, type TestDb } from "./support.js";

const TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz";

let t: TestDb;
let zalo: ZaloBotApiStub;
let telegram: BotApiStub;
beforeEach(async () => {
  t = await testDb();
  zalo = new ZaloBotApiStub();
  telegram = new BotApiStub();
  await zalo.start();
  await telegram.start();
});
afterEach(async () => {
  await zalo.stop();
  await telegram.stop();
  await t.dispose();
});

/** `n` Telegram rows and `n` Zalo rows, interleaved by id. */
function both(n: number): OutboxMessageInput[] {
  return Array.from({ length: n }, (_, i) => [
    { kind: "broadcast" as const, batchId: "b", chatId: String(5000 + i), dedupeKey: `t:${i}`, text: `telegram ${i}`, notBefore: new Date(0) },
    { kind: "broadcast" as const, batchId: "b", chatId: zaloOutboxChat(`z${i}`), dedupeKey: `z:${i}`, text: `zalo ${i}`, notBefore: new Date(0) },
  ]).flat();
}

/** When the sender started each send and when a 429 came back to it (performance.now()), per channel. */
interface Log {
  readonly started: number[];
  readonly limited: number[];
}

/** A transport recording, as the sender sees them, its send starts and 429 answers. */
function logged(inner: OutboxTransport, log: Log): OutboxTransport {
  return {
    async send(message) {
      log.started.push(performance.now());
      const outcome = await inner.send(message);
      if (outcome.kind === "rate_limited") log.limited.push(performance.now());
      return outcome;
    },
  };
}

const logs = () => ({ telegram: { started: [], limited: [] } as Log, zalo: { started: [], limited: [] } as Log });

function sender(options: SenderOptions, events: SenderEvent[] = [], log = logs()): OutboxSender {
  const transport = channelTransport({
    telegram: logged(fetchTransport({ token: TOKEN, apiRoot: telegram.apiRoot, timeoutMs: 30_000 }), log.telegram),
    zalo: logged(zaloTransport({ token: zalo.token, apiRoot: zalo.url, timeoutMs: 30_000 }), log.zalo),
  });
  return new OutboxSender(t.store.outbox, transport, { idlePollMs: 20, backoffMs: () => 50, onEvent: (e) => events.push(e), ...options });
}

/** Starts within `seconds` after `at`. */
const startedWithin = (log: Log, at: number, seconds: number) => log.started.filter((s) => s > at && s < at + seconds * 1000 - 10);

const telegramSent = () => telegram.callsOf("sendMessage").filter((c) => c.status === 200);

test("each channel has its own rate: Telegram at its 100/s is not held to Zalo's 8/s, and Zalo is held to it", { timeout: 60_000 }, async () => {
  await t.store.outbox.enqueue(both(24));
  const stats = await sender({ ratePerSecond: 100, channels: { zalo: { ratePerSecond: 8 } } }).run({ drain: true });
  expect(stats.sent).toBe(48);
  const tg = telegramSent().map((c) => c.at);
  const za = zalo.sent.map((m) => m.at);
  expect(tg).toHaveLength(24);
  expect(za).toHaveLength(24);
  // 24 Zalo messages at 8/s take at least two seconds; Telegram's 24 were all out before a second had passed.
  expect(Math.max(...za) - Math.min(...za)).toBeGreaterThanOrEqual(2000);
  expect(Math.max(...tg) - Math.min(...tg)).toBeLessThan(Math.max(...za) - Math.min(...za));
  expect(Math.max(...tg)).toBeLessThan(Math.max(...za));
});

test("a Zalo 429 pauses Zalo only: Telegram keeps sending through Zalo's retry_after", { timeout: 60_000 }, async () => {
  await t.store.outbox.enqueue(both(30));
  zalo.throttleNext = 1;
  zalo.throttleRetryAfter = 3;
  const events: SenderEvent[] = [];
  const log = logs();
  const stats = await sender({ ratePerSecond: 20 }, events, log).run({ drain: true });
  expect(stats).toMatchObject({ sent: 60, rateLimited: 1, inDoubt: 0, failed: 0 });
  expect(events.filter((e) => e.type === "paused")).toEqual([{ type: "paused", seconds: 3, channel: "zalo" }]);
  const limitedAt = log.zalo.limited[0]!;
  // Nothing was started to Zalo during its pause…
  expect(startedWithin(log.zalo, limitedAt, 3)).toEqual([]);
  // …while Telegram went on at its own pace (30 at 20/s: most of them inside those three seconds).
  expect(startedWithin(log.telegram, limitedAt, 3).length).toBeGreaterThanOrEqual(10);
  expect(new Set(zalo.sent.map((m) => m.chatId)).size).toBe(30);
  expect(new Set(telegramSent().map((c) => String(c.payload.chat_id))).size).toBe(30);
  expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: 60 } });
});

test("a Telegram 429 pauses Telegram only: Zalo keeps sending through Telegram's retry_after", { timeout: 60_000 }, async () => {
  await t.store.outbox.enqueue(both(30));
  telegram.options = { tooManyEvery: 8, retryAfter: 3 };
  const events: SenderEvent[] = [];
  const log = logs();
  const stats = await sender({ ratePerSecond: 20, maxAttempts: 10 }, events, log).run({ drain: true });
  expect(stats.sent).toBe(60);
  expect(events.filter((e) => e.type === "paused").length).toBeGreaterThan(0);
  expect(events.filter((e) => e.type === "paused").every((e) => e.type === "paused" && e.channel === "telegram")).toBe(true);
  const limitedAt = log.telegram.limited[0]!;
  expect(startedWithin(log.telegram, limitedAt, 3)).toEqual([]);
  expect(startedWithin(log.zalo, limitedAt, 3).length).toBeGreaterThanOrEqual(10);
  expect(new Set(zalo.sent.map((m) => m.chatId)).size).toBe(30);
  expect(new Set(telegramSent().map((c) => String(c.payload.chat_id))).size).toBe(30);
});

test("the parts of a long text reach each chat in order when a part is answered 429 or 502 and put back", { timeout: 60_000 }, async () => {
  const chats = Array.from({ length: 6 }, (_, i) => `p${i}`);
  await t.store.outbox.enqueue(
    chats.flatMap((chat) => [1, 2, 3, 4].map((part) => ({ kind: "broadcast" as const, batchId: "long", chatId: zaloOutboxChat(chat), dedupeKey: `long:${chat}:${part}`, text: `${chat} part ${part}`, notBefore: new Date(0) }))),
  );
  // The first parts are refused (429), and one chat's second part meets a server error.
  zalo.throttleNext = 3;
  zalo.throttleRetryAfter = 1;
  let failOnce = true;
  const transport = zaloTransport({ token: zalo.token, apiRoot: zalo.url, timeoutMs: 30_000 });
  const flaky = {
    send: (m: Parameters<typeof transport.send>[0]) => {
      if (failOnce && m.text === "p3 part 2") {
        failOnce = false;
        return Promise.resolve({ kind: "retryable" as const, description: "502 Bad Gateway" });
      }
      return transport.send(m);
    },
  };
  const stats = await new OutboxSender(t.store.outbox, channelTransport({ zalo: flaky }), { ratePerSecond: 50, perChatPerSecond: 20, idlePollMs: 20, backoffMs: () => 300 }).run({ drain: true });
  expect(stats).toMatchObject({ sent: 24, rateLimited: 3, retries: 1 });
  for (const chat of chats) expect(zalo.textsTo(chat)).toEqual([1, 2, 3, 4].map((part) => `${chat} part ${part}`));
});
