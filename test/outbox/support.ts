// Fresh databases for the outbox, reminder and scheduler tests: a SQLite file in a temp folder, or a
// new schema on TEST_DATABASE_URL (PostgreSQL) dropped afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, openOutboxStore, type Database, type OutboxStore } from "../../src/db/index.js";

/** The PostgreSQL server of the integration tests, if configured. */
export const PG_URL = process.env.TEST_DATABASE_URL;

/** A migrated database with both the storage repositories and the outbox store open on it. */
export interface TestDb {
  readonly url: string;
  readonly db: Database;
  readonly store: OutboxStore;
  /** Opens another outbox store on the same database (a second instance). */
  another(): Promise<OutboxStore>;
  dispose(): Promise<void>;
}

/** Creates a fresh database of the given kind. */
export async function testDb(kind: "sqlite" | "postgres" = "sqlite"): Promise<TestDb> {
  let url: string;
  let drop: () => Promise<void>;
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-outbox-"));
    url = `file:${path.join(dir, "test.db")}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    if (!PG_URL) throw new Error("TEST_DATABASE_URL is not set");
    const schema = `outbox_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.end();
    const u = new URL(PG_URL);
    u.searchParams.set("schema", schema);
    url = u.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA "${schema}" CASCADE`);
      await c.end();
    };
  }
  const db = await openDatabase(url);
  const store = await openOutboxStore(url, { migrate: false });
  const extra: OutboxStore[] = [];
  return {
    url,
    db,
    store,
    async another() {
      const s = await openOutboxStore(url, { migrate: false });
      extra.push(s);
      return s;
    },
    async dispose() {
      for (const s of extra) await s.close();
      await store.close();
      await db.close();
      await drop();
    },
  };
}

/** Runs a read-only SQL query on the test database (SQLite file or PostgreSQL schema) and returns its rows. */
export async function queryRows<T>(url: string, sql: string): Promise<T[]> {
  if (url.startsWith("file:")) {
    const { default: Sqlite } = await import("better-sqlite3");
    const db = new Sqlite(url.slice("file:".length), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? "public";
  u.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
