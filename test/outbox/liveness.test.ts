// A sender restarted on the same machine takes back the claims of a sender process that has ended at
// once, not after the claim lease: rows it claimed but never attempted are sent, the one it was
// sending is in doubt (not resent). Claims of a live process, or of another machine, wait for the lease.
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, expect, test } from "vitest";
import { BotApiStub } from "../support/bot-api-stub.js";
import { processTag, senderEnded } from "../../src/outbox/liveness.js";
import { fetchTransport } from "../../src/outbox/transport.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { queryRows, testDb, type TestDb } from "./support.js";

const TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz";

/** The tag a process that has now ended had (a child that printed its pid and exited), with this process's start time. */
function endedTag(): string {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const parts = processTag()!.split(".");
  parts[1] = child.stdout;
  return parts.join(".");
}

function withPart(index: number, value: string): string {
  const parts = processTag()!.split(".");
  parts[index] = value;
  return parts.join(".");
}

test.runIf(processTag() !== undefined)("senderEnded: true only for a process of this machine that has ended", () => {
  expect(senderEnded(`${processTag()!}/a-uuid`)).toBe(false);
  expect(senderEnded(`${endedTag()}/a-uuid`)).toBe(true);
  // This process's pid with another start time: the pid was reused, the sender is gone.
  expect(senderEnded(withPart(2, "1"))).toBe(true);
  // Another boot or PID namespace (another machine or container): cannot be told.
  expect(senderEnded(withPart(3, "00000000-0000-0000-0000-000000000000").replace(/^proc\.\d+/, "proc.999999999"))).toBe(false);
  expect(senderEnded(withPart(4, "1").replace(/^proc\.\d+/, "proc.999999999"))).toBe(false);
  // A worker id without a process (set by the caller).
  expect(senderEnded("2f1c7a52-5d0e-4f0e-9a53-3f4f3c1f2b1e")).toBe(false);
});

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

test.runIf(processTag() !== undefined)("a restarted sender takes back an ended sender's claims at once, and leaves a live one's and another machine's to the lease", async () => {
  await t.store.outbox.enqueue(
    Array.from({ length: 9 }, (_, i) => ({ kind: "broadcast" as const, batchId: "b", chatId: String(100 + i), dedupeKey: `b:${i}`, text: `m${i}`, notBefore: new Date(0) })),
  );
  const now = new Date();
  const ended = `${endedTag()}/dead-sender`;
  const live = `${processTag()!}/other-sender-in-this-process`;
  const remote = `${withPart(3, "00000000-0000-0000-0000-000000000000")}/remote-sender`;
  // Three claims of three rows each; the ended sender was sending its first row when it stopped.
  const claims = [];
  for (const holder of [ended, live, remote]) claims.push((await t.store.outbox.claim(`${holder}:1`, now, 3)).map((m) => m.id));
  expect(claims.map((ids) => ids.length)).toEqual([3, 3, 3]);
  expect(await t.store.outbox.markSending(claims[0]![0]!, `${ended}:1`, now)).toBe(true);

  const sender = new OutboxSender(t.store.outbox, fetchTransport({ token: TOKEN, apiRoot: stub.apiRoot, timeoutMs: 5000 }), {
    ratePerSecond: 100,
    idlePollMs: 20,
    claimLeaseMs: 60_000,
    inDoubtAfterMs: 60_000,
  });
  const running = sender.run();
  const started = performance.now();
  while (stub.callsOf("sendMessage").length < 2 && performance.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
  sender.stop();
  await running;

  expect(stub.callsOf("sendMessage").map((c) => c.payload.chat_id).sort()).toEqual(["101", "102"]);
  const rows = await queryRows<{ id: number; chatId: string; status: string }>(t.url, `SELECT "id", "chatId", "status" FROM "OutboxMessage" ORDER BY "id"`);
  const status = new Map(rows.map((r) => [Number(r.id), r.status]));
  expect(claims.map((ids) => ids.map((id) => status.get(id)))).toEqual([
    ["in_doubt", "sent", "sent"],
    ["claimed", "claimed", "claimed"],
    ["claimed", "claimed", "claimed"],
  ]);
});
