// Where the database is and how to reach it: URL parsing, driver adapters, and the clear errors
// organisers see when a database cannot be opened.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type Sqlite from "better-sqlite3";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { beginImmediate, connectionMutex, retryWhileBusy, SQLITE_BUSY_TIMEOUT_MS } from "./sqlite-lock.js";
import type * as PostgresModule from "./postgres.js";
import { DatabaseError, type DatabaseTarget } from "./target.js";

export { SQLITE_BUSY_TIMEOUT_MS } from "./sqlite-lock.js";

export { DEFAULT_DATABASE_URL, DatabaseError, parseDatabaseUrl, type DatabaseTarget } from "./target.js";

/** The PostgreSQL driver, adapter and client (src/db/postgres.ts). */
export type PostgresSupport = typeof PostgresModule;

let postgres: PostgresSupport | undefined;

/**
 * Loads PostgreSQL support (once). The functions that open a database synchronously
 * (`adapterFactoryFor`, `createPrismaClient`, `postgresChatLocks`) need it loaded first for a
 * PostgreSQL target; `openDatabase` and `migrateDatabase` load it. A SQLite process never does.
 */
export async function loadPostgresSupport(): Promise<PostgresSupport> {
  return (postgres ??= await import("./postgres.js"));
}

/** PostgreSQL support, once `loadPostgresSupport` has loaded it. */
export function postgresSupport(): PostgresSupport {
  if (!postgres) throw new Error("PostgreSQL support is not loaded: await loadPostgresSupport() before opening a PostgreSQL database synchronously");
  return postgres;
}

/** Makes sure a SQLite file can be created or written: creates its directory, refuses read-only files. */
export function prepareSqliteFile(file: string): void {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DatabaseError(`cannot create the database directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const writable = (p: string): boolean => {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(file) ? !writable(file) : !writable(dir)) {
    throw new DatabaseError(`the database ${existsSync(file) ? "file" : "directory"} ${existsSync(file) ? file : dir} is read-only: give this user write permission or set DATABASE_URL to another file`);
  }
}

/** A driver adapter factory (what Prisma Client and the schema engine take) and how to release it. */
export interface AdapterHandle {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  /** Closes pooled connections the factory opened (the schema engine does not). */
  dispose(): Promise<void>;
}

/** Prepared statements kept per SQLite connection (Prisma's SQL texts are few; IN lists vary). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The SQLite connection settings every client gets:
 * - journal_mode=WAL: readers never wait for the writer (also set when the file is migrated).
 * - synchronous=NORMAL: in WAL mode a commit is appended to the WAL without an fsync; the WAL is
 *   synced at checkpoints. A process crash (kill -9, OOM) loses nothing committed, since the
 *   written pages are in the operating system's cache; only a power cut or kernel crash can lose
 *   the last few commits, and never corrupts the file. FULL would fsync on every commit, i.e. on
 *   every answer, which is the bot's single largest cost on slow disks.
 * - busy_timeout: short (SQLITE_BUSY_TIMEOUT_MS), because SQLite waits for a lock by sleeping on
 *   the event loop's thread; a longer wait for another process's write lock (an import) happens
 *   asynchronously, in `TunedSqliteFactory` and sqlite-lock.ts, so it is waited for, not reported
 *   as SQLITE_BUSY, and the bot goes on answering meanwhile.
 */
export function tuneSqliteConnection(db: Sqlite.Database): void {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  cacheStatements(db, STATEMENT_CACHE_SIZE);
}

/**
 * Makes `db.prepare` reuse statements by SQL text. The Prisma adapter prepares every query anew
 * (a fifth of the bot's time per update) and binds parameters with `bind`, which better-sqlite3
 * makes permanent; so the cached statement is handed out behind a small view that passes the
 * parameters to `run`/`all` instead. Statements run to completion synchronously, so sharing one
 * between interleaved async callers is safe.
 */
function cacheStatements(db: Sqlite.Database, size: number): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Sqlite.Statement>();
  const cached = (sql: string): Sqlite.Statement => {
    let statement = cache.get(sql);
    if (statement) {
      // Most recently used last, so the first key is the one to evict.
      cache.delete(sql);
    } else {
      statement = prepare(sql);
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  };
  (db as { prepare: unknown }).prepare = (sql: string) => new ReusableStatement(cached(sql));
}

/** What the Prisma adapter uses of a statement, over a shared one: `bind` only remembers the parameters. */
class ReusableStatement {
  #args: unknown[] = [];
  constructor(readonly statement: Sqlite.Statement) {}
  get reader(): boolean {
    return this.statement.reader;
  }
  bind(...args: unknown[]): this {
    this.#args = args;
    return this;
  }
  run(...args: unknown[]): Sqlite.RunResult {
    return this.statement.run(...(args.length > 0 ? args : this.#args));
  }
  get(...args: unknown[]): unknown {
    return this.statement.raw(false).get(...(args.length > 0 ? args : this.#args));
  }
  all(...args: unknown[]): unknown[] {
    return this.statement.raw(false).all(...(args.length > 0 ? args : this.#args));
  }
  columns(): Sqlite.ColumnDefinition[] {
    return this.statement.columns();
  }
  raw(toggle = true): { all(...args: unknown[]): unknown[] } {
    return { all: (...args: unknown[]) => this.statement.raw(toggle).all(...(args.length > 0 ? args : this.#args)) };
  }
}

type SqliteAdapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type SqliteTransaction = Awaited<ReturnType<SqliteAdapter["startTransaction"]>>;

/**
 * Prisma's better-sqlite3 adapter factory with `tuneSqliteConnection` applied to each connection it
 * opens, and its writes made to wait for the lock without blocking the event loop:
 * - an interactive transaction starts with BEGIN IMMEDIATE (the adapter's deferred BEGIN read first
 *   and then failed to upgrade to a write: "Operation has timed out" for a second import), retried
 *   asynchronously while another process holds the lock, one transaction per connection at a time;
 * - a statement outside a transaction that finds the lock taken is retried the same way (a failed
 *   autocommit statement changed nothing).
 */
export class TunedSqliteFactory extends PrismaBetterSqlite3 {
  /** The connection Prisma Client runs on, once it connected (for synchronous transactions, see sessions.ts). */
  connection: Sqlite.Database | undefined;
  override async connect(): ReturnType<PrismaBetterSqlite3["connect"]> {
    const adapter = await super.connect();
    const connection = (adapter as unknown as { client: Sqlite.Database }).client;
    tuneSqliteConnection(connection);
    this.connection = connection;
    waitForLocksAsynchronously(adapter, connection);
    return adapter;
  }
}

function waitForLocksAsynchronously(adapter: SqliteAdapter, connection: Sqlite.Database): void {
  const mutex = connectionMutex(connection);
  // The adapter's own startTransaction runs a deferred "BEGIN"; once BEGIN IMMEDIATE has been run
  // here, that statement is skipped.
  let begun = false;
  const prepare = connection.prepare.bind(connection);
  (connection as { prepare: unknown }).prepare = (sql: string) => {
    if (sql === "BEGIN" && begun) {
      begun = false;
      return { run: () => ({ changes: 0, lastInsertRowid: 0 }) };
    }
    return prepare(sql);
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await mutex.acquire();
    let tx: SqliteTransaction;
    try {
      await beginImmediate(connection);
      begun = true;
      tx = await startTransaction(isolationLevel);
    } catch (error) {
      begun = false;
      if (connection.inTransaction) connection.prepare("ROLLBACK").run();
      release();
      throw error;
    }
    // Prisma runs COMMIT or ROLLBACK through the transaction, then calls one of these.
    const commit = tx.commit.bind(tx);
    const rollback = tx.rollback.bind(tx);
    tx.commit = () => commit().finally(release);
    tx.rollback = () => rollback().finally(release);
    return tx;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.queryRaw = (query) => (connection.inTransaction ? queryRaw(query) : retryWhileBusy(() => queryRaw(query)));
  adapter.executeRaw = (query) => (connection.inTransaction ? executeRaw(query) : retryWhileBusy(() => executeRaw(query)));
}

/** A driver adapter factory for the target. */
export function adapterFactoryFor(target: DatabaseTarget): AdapterHandle {
  if (target.provider === "sqlite") {
    prepareSqliteFile(target.file);
    return { factory: new TunedSqliteFactory({ url: target.file, timeout: SQLITE_BUSY_TIMEOUT_MS }), dispose: async () => {} };
  }
  const { pg, PrismaPg } = postgresSupport();
  const url = new URL(target.url);
  url.searchParams.delete("schema");
  const pool = new pg.Pool({
    connectionString: url.toString(),
    options: `-c search_path=${target.schema}`,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return { factory: new PrismaPg(pool, { schema: target.schema }), dispose: () => pool.end() };
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|timeout|Connection terminated|connect/i;

/** Turns a driver failure into a DatabaseError naming the database, or returns the error unchanged. */
export function explainDatabaseError(target: DatabaseTarget, error: unknown): unknown {
  if (error instanceof DatabaseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  if (target.provider === "postgres") {
    if (UNREACHABLE.test(`${String(code)} ${message}`)) {
      return new DatabaseError(`cannot reach the PostgreSQL server at ${target.host} (${message || String(code)}): check DATABASE_URL and that the server is running`, { cause: error });
    }
    if (/password authentication|authentication failed|does not exist/i.test(message)) {
      return new DatabaseError(`PostgreSQL at ${target.host} refused the connection: ${message}`, { cause: error });
    }
  } else if (/readonly|read-only|SQLITE_READONLY|SQLITE_CANTOPEN|unable to open/i.test(`${String(code)} ${message}`)) {
    return new DatabaseError(`cannot write the SQLite database ${target.file}: ${message}; check the file's permissions or set DATABASE_URL`, { cause: error });
  }
  return error;
}
