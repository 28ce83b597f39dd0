// Group commit on SQLite (src/db/group-commit.ts): the writes of different callers arriving
// together go into one transaction, each caller answered only once it has committed; a failing
// write fails only its own caller; a crash in the middle of a group loses nothing acknowledged.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { GroupCommit } from "../../src/db/group-commit.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;
let db: Sqlite.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "khaosat-group-commit-"));
  db = new Sqlite(path.join(dir, "g.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.exec(`CREATE TABLE "Parent" ("id" TEXT PRIMARY KEY);
           CREATE TABLE "Answer" ("chat" TEXT PRIMARY KEY, "value" TEXT NOT NULL,
             "parent" TEXT REFERENCES "Parent"("id") DEFERRABLE INITIALLY DEFERRED);
           INSERT INTO "Parent" VALUES ('p');`);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const stored = (other = db) => (other.prepare(`SELECT "chat", "value" FROM "Answer" ORDER BY "chat"`).all() as { chat: string; value: string }[]).map((r) => `${r.chat}=${r.value}`);
const insert = (chat: string, value: string, parent: string | null = null) => () => db.prepare(`INSERT INTO "Answer" VALUES (?, ?, ?)`).run(chat, value, parent).changes;

describe("GroupCommit", () => {
  test("two chats' writes arriving together are one transaction, and neither caller hears back before it committed", async () => {
    const group = new GroupCommit(db);
    // Another connection (another process) sees nothing until the group's COMMIT.
    const other = new Sqlite(path.join(dir, "g.db"));
    const seenByCallers: string[][] = [];
    const a = group.run(insert("a", "1")).then((n) => (seenByCallers.push(stored(other)), n));
    const b = group.run(insert("b", "2")).then((n) => (seenByCallers.push(stored(other)), n));
    expect(stored(other)).toEqual([]);
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    expect(group.stats).toEqual({ groups: 1, works: 2, fallbacks: 0 });
    // When each caller was answered, both answers were already visible to another connection.
    expect(seenByCallers).toEqual([
      ["a=1", "b=2"],
      ["a=1", "b=2"],
    ]);
    other.close();
  });

  test("while commits keep coming, one arriving shortly after another waits for it: both in one group; an idle connection commits at once", async () => {
    const group = new GroupCommit(db, { delayMs: 20, busyWindowMs: 1_000 });
    const started = performance.now();
    await group.run(insert("a", "1"));
    // Idle: not delayed by the wait.
    expect(performance.now() - started).toBeLessThan(15);
    expect(group.stats).toEqual({ groups: 1, works: 1, fallbacks: 0 });
    // Busy now: "b" waits, and "c", which comes 5 ms later, joins it.
    const b = group.run(insert("b", "2"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const c = group.run(insert("c", "3"));
    expect(await Promise.all([b, c])).toEqual([1, 1]);
    expect(group.stats).toEqual({ groups: 2, works: 3, fallbacks: 0 });
    expect(stored()).toEqual(["a=1", "b=2", "c=3"]);
  });

  test("a write that throws is rolled back alone: the others in its group are stored", async () => {
    const group = new GroupCommit(db);
    const failing = group.run(() => {
      insert("bad", "x")();
      throw new Error("refused after writing");
    });
    const results = await Promise.allSettled([group.run(insert("a", "1")), failing, group.run(insert("a", "again")), group.run(insert("c", "3"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error("refused after writing"));
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(stored()).toEqual(["a=1", "c=3"]);
    expect(group.stats).toEqual({ groups: 1, works: 4, fallbacks: 0 });
  });

  test("a COMMIT that fails (a deferred constraint) is redone one by one: only the guilty caller fails", async () => {
    const group = new GroupCommit(db);
    const results = await Promise.allSettled([group.run(insert("a", "1", "p")), group.run(insert("b", "2", "missing parent")), group.run(insert("c", "3", "p"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    expect(stored()).toEqual(["a=1", "c=3"]);
    expect(group.stats.fallbacks).toBe(1);
  });

  test("a group never runs inside another transaction open on the connection: it waits for the connection's mutex", async () => {
    const { connectionMutex } = await import("../../src/db/sqlite-lock.js");
    const release = await connectionMutex(db).acquire();
    db.prepare("BEGIN IMMEDIATE").run();
    insert("held", "0")();
    const a = group().run(insert("a", "1"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Rolled back by its owner: the group's write must not have joined it.
    db.prepare("ROLLBACK").run();
    release();
    expect(await a).toBe(1);
    expect(stored()).toEqual(["a=1"]);
    function group() {
      return new GroupCommit(db);
    }
  });

  test("a crash in the middle of a group loses nothing that was acknowledged, and stores none of the group", () => {
    db.close();
    const script = path.join(dir, "crash.mts");
    writeFileSync(
      script,
      `import Sqlite from ${JSON.stringify(path.join(ROOT, "node_modules/better-sqlite3/lib/index.js"))};
       import { GroupCommit } from ${JSON.stringify(path.join(ROOT, "src/db/group-commit.ts"))};
       const db = new Sqlite(${JSON.stringify(path.join(dir, "g.db"))});
       db.pragma("journal_mode = WAL");
       db.pragma("synchronous = NORMAL");
       const group = new GroupCommit(db);
       const insert = (chat: string) => () => db.prepare('INSERT INTO "Answer" VALUES (?, ?, NULL)').run(chat, "v");
       // First group: acknowledged.
       await Promise.all(["a", "b"].map((chat) => group.run(insert(chat)).then(() => console.log("acknowledged " + chat))));
       // Second group: the process dies between two writes of the group, before its COMMIT.
       await Promise.all([
         group.run(insert("c")).then(() => console.log("acknowledged c")),
         group.run(() => process.kill(process.pid, "SIGKILL")),
         group.run(insert("d")).then(() => console.log("acknowledged d")),
       ]);
      `,
    );
    const child = spawnSync(process.execPath, [path.join(ROOT, "bin/run-ts.js"), script], { cwd: ROOT, encoding: "utf8" });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    const acknowledged = child.stdout.trim().split("\n").sort();
    expect(acknowledged).toEqual(["acknowledged a", "acknowledged b"]);
    const reopened = new Sqlite(path.join(dir, "g.db"));
    expect(stored(reopened)).toEqual(["a=v", "b=v"]);
    reopened.close();
  });
});
