import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, expect, test } from "vitest";
import { startCheckpointer, WAL_SAFETY_PAGES } from "../../src/db/checkpointer.js";
import { openDatabase } from "../../src/db/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A WAL database with a table of 4 KB rows, and the writer's connection. */
function database(): { file: string; writer: Sqlite.Database } {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-checkpoint-"));
  dirs.push(dir);
  const file = path.join(dir, "db.sqlite");
  const writer = new Sqlite(file);
  writer.pragma("journal_mode = WAL");
  writer.pragma("synchronous = NORMAL");
  writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)");
  return { file, writer };
}

/** Writes `rows` rows of 4 KB, 100 per transaction (each row about a page). */
function write(writer: Sqlite.Database, rows: number): void {
  const insert = writer.prepare("INSERT INTO t (body) VALUES (?)");
  const batch = writer.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(Buffer.alloc(4000, i % 251));
  });
  for (let done = 0; done < rows; done += 100) batch(Math.min(100, rows - done));
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("the checkpointer's thread copies the WAL into the database file while the writer's commits leave it be", async () => {
  const { file, writer } = database();
  const checkpointer = startCheckpointer(file, writer, { everyMs: 20 });
  expect(checkpointer, "the compiled checkpoint worker (dist/db/checkpoint-worker.js) is built at install").toBeDefined();
  // The writer checkpoints by itself only past the safety limit.
  expect(writer.pragma("wal_autocheckpoint", { simple: true })).toBe(WAL_SAFETY_PAGES);
  const before = statSync(file).size;
  write(writer, 3_000);
  // 3,000 pages is past SQLite's default of 1,000, below the limit: only the checkpointer copies them.
  await until(() => statSync(file).size >= before + 3_000 * 4096 * 0.9);
  expect(writer.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 3_000 });
  await checkpointer!.stop();
  expect(writer.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  writer.close();
  // Everything is in the file: opened afresh, every row is there.
  const reader = new Sqlite(file, { readonly: true });
  expect(reader.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 3_000 });
  reader.close();
});

test("without the checkpointer the same writes stay in the WAL (what the test above would see if it did nothing)", () => {
  const { file, writer } = database();
  writer.pragma(`wal_autocheckpoint = ${WAL_SAFETY_PAGES}`);
  const before = statSync(file).size;
  write(writer, 3_000);
  expect(statSync(file).size).toBe(before);
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(3_000 * 4096);
  writer.close();
});

test("openDatabase with checkpoints on their own thread stores as before, and close ends the thread", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-checkpoint-db-"));
  dirs.push(dir);
  const url = `file:${path.join(dir, "k.db")}`;
  const db = await openDatabase(url, { checkpointsOnOwnThread: true });
  await db.channel.sessions.markProcessed(7);
  await db.close();
  const again = await openDatabase(url, { migrate: false });
  expect(await again.channel.sessions.isProcessed(7)).toBe(true);
  await again.close();
});
