// SQLite's write lock, waited for without blocking the event loop.
//
// better-sqlite3 is synchronous: with a long busy_timeout, a statement that finds another process
// holding the write lock sleeps inside SQLite, on the event loop's thread, and the whole bot stops
// (a respondent waited 13 s and got "database is locked" while an import ran). So connections get a
// short busy_timeout (SQLITE_BUSY_TIMEOUT_MS: the longest the thread may sleep at once), every write
// transaction takes the lock up front (BEGIN IMMEDIATE: no read-then-upgrade failure), and a busy
// lock is retried after an asynchronous pause with backoff, up to SQLITE_LOCK_WAIT_MS in all.
import { setTimeout as sleep } from "node:timers/promises";
import type Sqlite from "better-sqlite3";

/** The longest one statement may wait synchronously for the write lock (busy_timeout). */
export const SQLITE_BUSY_TIMEOUT_MS = 15;

/** How long a writer waits, asynchronously, for another process's write lock before giving up. */
export const SQLITE_LOCK_WAIT_MS = 120_000;

/** The write lock stayed taken for longer than `SQLITE_LOCK_WAIT_MS`. */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number, options?: { cause?: unknown }) {
    super(
      `the SQLite database stayed locked by another process for ${Math.round(waitedMs / 1000)} s (a long import or a stuck process); try again when it has finished, or stop the process holding it`,
      options,
    );
    this.name = "DatabaseBusyError";
  }
}

/** Whether an error is SQLite's "database is locked" (SQLITE_BUSY and its extended codes), raw or through Prisma. */
export function isBusy(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const { code, kind, message } = e as { code?: unknown; kind?: unknown; message?: unknown };
    if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) return true;
    // Prisma's better-sqlite3 adapter reports SQLITE_BUSY as a "SocketTimeout".
    if (kind === "SocketTimeout") return true;
    if (typeof message === "string" && /database is locked|SQLITE_BUSY/.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Options of `retryWhileBusy` (tests shorten them). */
export interface BusyWait {
  readonly maxWaitMs?: number;
}

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY, pausing asynchronously between attempts
 * (2 ms doubling to 50 ms, with jitter so two waiting processes do not retry in step). `attempt`
 * must leave nothing behind when it fails busy (a statement in autocommit mode, a BEGIN).
 */
export async function retryWhileBusy<T>(attempt: () => T | Promise<T>, options: BusyWait = {}): Promise<T> {
  const maxWait = options.maxWaitMs ?? SQLITE_LOCK_WAIT_MS;
  const started = Date.now();
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const waited = Date.now() - started;
      if (waited >= maxWait) throw new DatabaseBusyError(waited, { cause: error });
      await sleep(pause / 2 + Math.random() * pause);
    }
  }
}

/** A first-in first-out asynchronous mutex. */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the function that releases the mutex, once every earlier holder released it. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    let released = false;
    return previous.then(() => () => {
      if (released) return;
      released = true;
      release();
    });
  }
}

const mutexes = new WeakMap<Sqlite.Database, AsyncMutex>();

/**
 * The mutex of the write transactions this process runs on one connection: a connection holds one
 * transaction at a time, so a second BEGIN must wait for the first COMMIT (Prisma's interactive
 * transactions and `withImmediateTransaction` share it).
 */
export function connectionMutex(db: Sqlite.Database): AsyncMutex {
  let mutex = mutexes.get(db);
  if (!mutex) mutexes.set(db, (mutex = new AsyncMutex()));
  return mutex;
}

/** Takes the write lock of `db` (BEGIN IMMEDIATE), waiting asynchronously while another process holds it. */
export async function beginImmediate(db: Sqlite.Database, options: BusyWait = {}): Promise<void> {
  await retryWhileBusy(() => void db.prepare("BEGIN IMMEDIATE").run(), options);
}

/**
 * Runs `work` inside a write transaction on `db`, taken up front (BEGIN IMMEDIATE) and waited for
 * asynchronously; commits when `work` resolves, rolls back when it throws. Keep `work` short: the
 * whole database is locked for every other writer until it ends.
 */
export async function withImmediateTransaction<T>(db: Sqlite.Database, work: () => T | Promise<T>, options: BusyWait = {}): Promise<T> {
  const release = await connectionMutex(db).acquire();
  try {
    await beginImmediate(db, options);
    try {
      const result = await work();
      db.prepare("COMMIT").run();
      return result;
    } catch (error) {
      if (db.inTransaction) db.prepare("ROLLBACK").run();
      throw error;
    }
  } finally {
    release();
  }
}
