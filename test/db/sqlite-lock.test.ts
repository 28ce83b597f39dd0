// SQLite writers wait for another process's write lock asynchronously: the event loop keeps turning
// (here it is what releases the lock), and nothing is reported as SQLITE_BUSY.
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPrismaClient, sqliteConnectionOf, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { openDatabase } from "../../src/db/index.js";
import { DatabaseBusyError, retryWhileBusy, withImmediateTransaction } from "../../src/db/sqlite-lock.js";
import { createEmptyDatabase, type EmptyDatabase } from "../support/db.js";

let empty: EmptyDatabase;
let client: { prisma: Prisma; close(): Promise<void> };
let file: string;

beforeAll(async () => {
  empty = await createEmptyDatabase("sqlite");
  await (await openDatabase(empty.url)).close();
  const target = parseDatabaseUrl(empty.url);
  if (target.provider !== "sqlite") throw new Error("bug");
  file = target.file;
  client = createPrismaClient(target);
  // Warm Prisma's query compiler (its first plans take a while), so that only lock waits are measured.
  await client.prisma.$transaction(async (tx) => {
    await tx.auditEvent.count();
    await tx.auditEvent.create({ data: { at: new Date(), kind: "test.warm", data: "{}" } });
  });
  await client.prisma.auditEvent.create({ data: { at: new Date(), kind: "test.warm" } });
});
afterAll(async () => {
  await client?.close();
  await empty?.drop();
});

/** Another process's writer: a second connection holding the write lock until the returned function runs. */
function holdWriteLock(): { release(): void; connection: Sqlite.Database } {
  const connection = new Sqlite(file);
  connection.prepare("BEGIN IMMEDIATE").run();
  connection.prepare(`INSERT INTO "AuditEvent" ("at", "kind", "data") VALUES ('2026-01-01T00:00:00.000+00:00', 'other.process', '{}')`).run();
  return {
    connection,
    release() {
      connection.prepare("COMMIT").run();
      connection.close();
    },
  };
}

/** The longest the event loop went without a turn (a 10 ms interval) while `work` ran. */
async function stallDuring<T>(work: () => Promise<T>): Promise<{ result: T; longestStallMs: number; ms: number }> {
  let last = Date.now();
  let longestStallMs = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    longestStallMs = Math.max(longestStallMs, now - last);
    last = now;
  }, 10);
  const started = Date.now();
  try {
    const result = await work();
    return { result, longestStallMs: Math.max(longestStallMs, Date.now() - last), ms: Date.now() - started };
  } finally {
    clearInterval(timer);
  }
}

describe("SQLite write lock held by another connection", () => {
  test("an interactive transaction and a plain write wait for it without blocking the event loop", async () => {
    const lock = holdWriteLock();
    // Released by a timer: if the writers below slept on the thread, it could never fire.
    setTimeout(() => lock.release(), 1_200);
    const { result, longestStallMs, ms } = await stallDuring(() =>
      Promise.all([
        client.prisma.$transaction(async (tx) => {
          // Reads first, then writes: with a deferred BEGIN this failed to upgrade ("Operation has timed out").
          const before = await tx.auditEvent.count();
          await tx.auditEvent.create({ data: { at: new Date(), kind: "test.transaction", data: JSON.stringify({ before }) } });
          return before;
        }),
        client.prisma.auditEvent.create({ data: { at: new Date(), kind: "test.plain" } }),
      ]),
    );
    expect(ms).toBeGreaterThanOrEqual(1_100);
    // A loose bound for a loaded machine: a synchronous wait stalled it for the whole busy_timeout (10 s).
    expect(longestStallMs).toBeLessThan(600);
    expect(result[0]).toBeGreaterThanOrEqual(1);
    const kinds = (await client.prisma.auditEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["other.process", "test.transaction", "test.plain"]));
  });

  test("transactions of one connection queue behind each other; each takes the lock up front", async () => {
    const writes = Array.from({ length: 8 }, (_, i) =>
      client.prisma.$transaction(async (tx) => {
        const n = await tx.auditEvent.count({ where: { kind: "test.queued" } });
        await new Promise((resolve) => setTimeout(resolve, 5));
        await tx.auditEvent.create({ data: { at: new Date(), kind: "test.queued", data: JSON.stringify({ i, n }) } });
      }),
    );
    await Promise.all(writes);
    const seen = (await client.prisma.auditEvent.findMany({ where: { kind: "test.queued" } })).map((e) => (JSON.parse(e.data) as { n: number }).n).sort((a, b) => a - b);
    // Serialised: each transaction saw every earlier one.
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test("withImmediateTransaction waits, commits, and gives up with a clear error after its limit", async () => {
    const db = sqliteConnectionOf(client.prisma)!;
    const lock = holdWriteLock();
    setTimeout(() => lock.release(), 300);
    const count = await withImmediateTransaction(db, () => {
      db.prepare(`INSERT INTO "AuditEvent" ("at", "kind", "data") VALUES ('2026-01-01T00:00:00.000+00:00', 'test.immediate', '{}')`).run();
      return (db.prepare(`SELECT count(*) AS n FROM "AuditEvent" WHERE "kind" = 'test.immediate'`).get() as { n: number | bigint }).n;
    });
    expect(Number(count)).toBe(1);

    const stuck = holdWriteLock();
    try {
      await expect(withImmediateTransaction(db, () => 1, { maxWaitMs: 200 })).rejects.toThrow(DatabaseBusyError);
      await expect(retryWhileBusy(() => db.prepare(`DELETE FROM "AuditEvent" WHERE "kind" = 'test.immediate'`).run(), { maxWaitMs: 100 })).rejects.toThrow(
        /^the SQLite database stayed locked by another process for 0 s \(a long import or a stuck process\); try again when it has finished, or stop the process holding it$/,
      );
    } finally {
      stuck.release();
    }
    expect(db.inTransaction).toBe(false);
  });
});
