// Per-chat locks across bot instances on one PostgreSQL database. Each instance orders a chat's
// updates in memory (grammY's sequentialize), but behind a load balancer two updates of one chat can
// reach two instances at once; both would read the same session and the later commit would overwrite
// the earlier one's state (an answer lost). The session store takes this lock before it reads the
// session (`begin`) and releases it once the update is committed or marked processed, so the second
// update reads what the first stored.
//
// A session-level advisory lock, on connections of a pool of its own: the server does the waiting
// (no polling), and a crashed instance's locks go with its connections. Its own pool because a lock
// holder's queries go through Prisma's pool: sharing one pool, N held locks could starve their own
// commits of connections.
import { createHash } from "node:crypto";
import type pg from "pg";
import { postgresSupport } from "./connection.js";
import type { DatabaseTarget } from "./target.js";

/** Locks by key (`<channel>:<account>`); `acquire` waits for the lock and returns its release. */
export interface ChatLocks {
  acquire(key: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Options of `postgresChatLocks`. */
export interface ChatLockOptions {
  /** Locks held at once by this instance (each holds a connection; default 16). */
  readonly maxConnections?: number;
  /** How long `acquire` waits before failing (default 30 s): the update fails and is apologised for, not lost. */
  readonly waitMs?: number;
  /** A lock not released after this long is released anyway (a handler that hung; default 60 s). */
  readonly holdMs?: number;
  /** Told when a lock was released by `holdMs` rather than by its holder. */
  readonly onForcedRelease?: (key: string) => void;
}

/** The 64-bit advisory lock key of a lock key in a schema (schemas of one database lock apart). */
export function advisoryKey(schema: string, key: string): bigint {
  return createHash("sha256").update(schema).update("\u0000").update(key).digest().readBigInt64BE(0);
}

/** Per-chat locks for the PostgreSQL database `target`. */
export function postgresChatLocks(target: Extract<DatabaseTarget, { provider: "postgres" }>, options: ChatLockOptions = {}): ChatLocks {
  const url = new URL(target.url);
  url.searchParams.delete("schema");
  const waitMs = options.waitMs ?? 30_000;
  const holdMs = options.holdMs ?? 60_000;
  const pool = new (postgresSupport().pg.Pool)({
    connectionString: url.toString(),
    max: options.maxConnections ?? 16,
    // lock_timeout bounds the wait inside pg_advisory_lock; the pool's own wait is bounded too.
    options: `-c lock_timeout=${waitMs}`,
    connectionTimeoutMillis: waitMs,
    idleTimeoutMillis: 30_000,
  });
  pool.on("error", () => {});
  // Locks still held at close (an update begun and never finished): dropped with their connections.
  const open = new Set<pg.PoolClient>();
  return {
    async acquire(key) {
      const id = advisoryKey(target.schema, key).toString();
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock($1::bigint)", [id]);
      } catch (error) {
        client.release(true);
        throw error;
      }
      open.add(client);
      let released = false;
      const release = async (forced: boolean) => {
        if (released || !open.delete(client)) return;
        released = true;
        clearTimeout(timer);
        if (forced) options.onForcedRelease?.(key);
        try {
          await client.query("SELECT pg_advisory_unlock($1::bigint)", [id]);
          client.release();
        } catch {
          // Dropping the connection releases its locks on the server.
          client.release(true);
        }
      };
      const timer = setTimeout(() => void release(true), holdMs);
      timer.unref();
      return () => release(false);
    },
    async close() {
      for (const client of open) client.release(true);
      open.clear();
      await pool.end();
    },
  };
}
