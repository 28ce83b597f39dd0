// A loaded machine, made repeatable: the sender's event loop is blocked for three times the transport's
// timeout, again and again, while the Bot API stub (a process of its own, answering after 30 ms)
// keeps answering. Blocked right after requests were started (before they could be written) and right
// after answers (while other answers arrive): no message may be put in doubt, since each request either
// had not left the process (it is written once the loop runs again, and the timeout counts from then) or
// was answered (the answer is read before the timeout gives it up). Every recipient gets one message,
// and the rate is never exceeded. On SQLite, and on PostgreSQL with TEST_DATABASE_URL.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, test } from "vitest";
import { fetchTransport, type OutboxTransport } from "../../src/outbox/transport.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { PG_URL, testDb, type TestDb } from "./support.js";

const TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz";
const RATE = 50;
const N = 100;
const TIMEOUT_MS = 400;
const BLOCK_MS = 1200;

/** Blocks this thread's event loop (timers, sockets, everything) for `ms`. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface StubProcess {
  readonly apiRoot: string;
  /** Stops the stub; resolves with the sendMessage calls it received. */
  calls(): Promise<Array<{ chatId: string; status: number; at: number }>>;
}

async function stubProcess(options: Record<string, unknown>): Promise<StubProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["bin/run-ts.js", "test/outbox/stub-child.ts", JSON.stringify(options)]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error("the stub process did not start");
  return {
    apiRoot: first.value,
    async calls() {
      child.stdin.end();
      const line = await lines.next();
      return JSON.parse(String(line.value)) as Array<{ chatId: string; status: number; at: number }>;
    },
  };
}

let t: TestDb | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe.each([
  ["SQLite", "sqlite" as const, false],
  ["PostgreSQL (needs TEST_DATABASE_URL)", "postgres" as const, !PG_URL],
])("sender with its event loop blocked longer than the timeout: %s", (_name, kind, skip) => {
  test.skipIf(skip)(`${N} messages, loop blocked ${BLOCK_MS} ms at a ${TIMEOUT_MS} ms timeout: none in doubt, one each, rate kept`, async () => {
    t = await testDb(kind);
    const stub = await stubProcess({ globalRate: RATE, perChatRate: 1, latencyMs: 30 });
    await t.store.outbox.enqueue(
      Array.from({ length: N }, (_, i) => ({ kind: "broadcast" as const, batchId: "b", chatId: String(5000 + i), dedupeKey: `b:${i}`, text: `m${i}`, notBefore: new Date(0) })),
    );
    const http = fetchTransport({ token: TOKEN, apiRoot: stub.apiRoot, timeoutMs: TIMEOUT_MS });
    let started = 0;
    let blockedAfterStart = 0;
    let blockedAfterAnswer = 0;
    // Blocked just after every 20th request was started, before it could be written.
    const transport: OutboxTransport = {
      send(message) {
        const sending = http.send(message);
        if (++started % 20 === 5) {
          blockEventLoop(BLOCK_MS);
          blockedAfterStart++;
        }
        return sending;
      },
    };
    let answered = 0;
    const sender = new OutboxSender(t.store.outbox, transport, {
      ratePerSecond: RATE,
      idlePollMs: 20,
      // Blocked just after every 20th answer, while the other requests in flight are answered.
      onEvent: (event) => {
        if (event.type === "sent" && ++answered % 20 === 15) {
          blockEventLoop(BLOCK_MS);
          blockedAfterAnswer++;
        }
      },
    });
    const stats = await sender.run({ drain: true });
    const calls = await stub.calls();
    expect(stats).toMatchObject({ sent: N, inDoubt: 0, failed: 0, rateLimited: 0 });
    expect(blockedAfterStart).toBeGreaterThanOrEqual(4);
    expect(blockedAfterAnswer).toBeGreaterThanOrEqual(4);
    expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: N } });
    const ok = calls.filter((c) => c.status === 200);
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(ok.map((c) => Number(c.chatId)).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => 5000 + i));
    // Never more than RATE answered in any one second (the stub answered none with 429 either).
    let most = 0;
    for (let i = 0, j = 0; i < ok.length; i++) {
      while (ok[i]!.at - ok[j]!.at >= 1000) j++;
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(RATE);
  });
});
