import { afterEach, describe, expect, test } from "vitest";
import { DatabaseRunCoordinator, startScheduler, type Scheduler, type TickEvent } from "../../src/scheduler/index.js";
import { PG_URL, testDb, type TestDb } from "../outbox/support.js";

let t: TestDb | undefined;
const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  await t?.dispose();
  t = undefined;
});

describe("DatabaseRunCoordinator with an injected clock", () => {
  test("the first instance takes a tick; others are refused until the lease expires; old leases are purged", async () => {
    t = await testDb();
    let now = new Date("2026-12-13T16:59:00Z");
    const clock = () => now;
    const a = new DatabaseRunCoordinator(t.store.leases, { holder: "a", clock });
    const b = new DatabaseRunCoordinator((await t.another()).leases, { holder: "b", clock });
    const key = "reminders:2026-12-13T17:00:00.000Z";
    expect(await a.shouldRun(key, 30_000)).toBe(true);
    expect(await b.shouldRun(key, 30_000)).toBe(false);
    expect(await a.shouldRun(key, 30_000)).toBe(false);
    expect(await b.shouldRun("reminders:2026-12-13T17:01:00.000Z", 30_000)).toBe(true);
    now = new Date("2026-12-13T16:59:30Z");
    expect(await b.shouldRun(key, 30_000)).toBe(true);
    expect(await t.store.leases.purge(new Date("2026-12-13T17:00:00Z"))).toBe(1);
  });
});

async function twoSchedulers(kind: "sqlite" | "postgres"): Promise<Map<string, TickEvent[]>> {
  t = await testDb(kind);
  const events = new Map<string, TickEvent[]>();
  const runs: string[] = [];
  for (const store of [t.store, await t.another()]) {
    const coordinator = new DatabaseRunCoordinator(store.leases);
    schedulers.push(
      startScheduler(
        [{ name: "tick", cron: "* * * * * *", run: async (at) => void runs.push(at.toISOString()) }],
        coordinator,
        { leaseMs: 5000, onEvent: (e) => events.set(e.at.toISOString(), [...(events.get(e.at.toISOString()) ?? []), e]) },
      ),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 3600));
  for (const s of schedulers.splice(0)) await s.stop();
  // Let decisions already under way finish.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(new Set(runs).size).toBe(runs.length);
  return events;
}

function checkOnePerTick(events: Map<string, TickEvent[]>): void {
  const complete = [...events.values()].filter((list) => list.length === 2);
  expect(complete.length).toBeGreaterThanOrEqual(2);
  for (const list of events.values()) {
    expect(list.filter((e) => e.type === "ran")).toHaveLength(1);
    for (const e of list.filter((x) => x.type === "skipped")) expect(e).toMatchObject({ reason: "not-elected" });
  }
}

describe("two schedulers on one database run each tick once", () => {
  test("SQLite", async () => {
    checkOnePerTick(await twoSchedulers("sqlite"));
  }, 20_000);

  test.skipIf(!PG_URL)("PostgreSQL (needs TEST_DATABASE_URL)", async () => {
    checkOnePerTick(await twoSchedulers("postgres"));
  }, 20_000);
});
