// Group commit on one SQLite connection. A commit's cost is mostly COMMIT itself (writing the
// transaction's pages to the WAL, now and then a checkpoint), not its few statements: one answer
// alone took ~0.2 ms of COMMIT against ~0.1 ms of statements. So the synchronous writes of different
// callers that arrive together (in the same turn of the event loop; while commits keep coming,
// within a wait of 2 ms) are run in ONE transaction, each inside its own savepoint, and every caller
// is answered only once that transaction has committed:
// - nothing is acknowledged before it is durable (a crash before COMMIT loses the whole group, none
//   of which was acknowledged; after COMMIT, all of it is stored);
// - a caller whose work throws is rolled back to its savepoint and gets its error; the others'
//   writes are kept and committed;
// - if COMMIT itself fails, nothing of the group is stored, and each caller's work is run again
//   alone in a transaction of its own, so a failure stays with the caller it belongs to.
// The group takes the connection's mutex (the one Prisma's interactive transactions and
// `withImmediateTransaction` take), so it never runs inside someone else's open transaction, and
// waits for another process's write lock asynchronously (retryWhileBusy), as single commits did.
import type Sqlite from "better-sqlite3";
import { connectionMutex, retryWhileBusy } from "./sqlite-lock.js";

/** The work of one caller: synchronous statements on the connection, inside a transaction the group opened. */
export type GroupWork<T> = () => T;

/** Returned instead of running the work when a transaction not taken through the mutex is open on the connection. */
export const IN_FOREIGN_TRANSACTION: unique symbol = Symbol("in a transaction opened elsewhere");

interface Pending {
  readonly work: GroupWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Options of `GroupCommit` (tests use them). */
export interface GroupCommitOptions {
  /** Most callers in one transaction (default 64): a group runs synchronously, so its size bounds the event loop's stall. */
  readonly maxGroup?: number;
  /**
   * While commits keep coming (the last group committed less than `busyWindowMs` ago, default 5),
   * a group waits `delayMs` for more before it commits; an idle connection commits at once.
   * Updates that arrive one by one (Zalo's getUpdates hands out one per call) rarely meet in one
   * turn of the event loop: at a flood they made groups of ~1, with a 2 ms wait ~4. Default 0 (no
   * wait): with it, answers stored while a long import holds the file's write lock waited far
   * longer (bench:contention p99 ~190 ms against ~30 ms without; the target is < 100 ms).
   */
  readonly delayMs?: number;
  readonly busyWindowMs?: number;
  /** Longest asynchronous wait for another process's write lock (default: retryWhileBusy's). */
  readonly maxWaitMs?: number;
}

/** Counters for tests and benchmarks. */
export interface GroupCommitStats {
  /** Transactions committed (groups). */
  groups: number;
  /** Works committed in them. */
  works: number;
  /** Groups whose COMMIT failed and whose works were run again one by one. */
  fallbacks: number;
}

/** The group commit of one connection. */
export class GroupCommit {
  readonly stats: GroupCommitStats = { groups: 0, works: 0, fallbacks: 0 };
  #queue: Pending[] = [];
  #flushing = false;
  /** The wait for more commits, while one is set. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() when the last group ended. */
  #lastGroupAt = Number.NEGATIVE_INFINITY;
  readonly #maxGroup: number;
  readonly #delayMs: number;
  readonly #busyWindowMs: number;
  readonly #maxWaitMs: number | undefined;
  /** One caller's work in a savepoint of the group's transaction (better-sqlite3 nests a transaction as a savepoint). */
  readonly #savepoint: (work: GroupWork<unknown>) => unknown;
  /** The group: BEGIN IMMEDIATE, each work in its savepoint (outcomes collected), COMMIT. */
  readonly #group: Sqlite.Transaction<(batch: readonly Pending[], outcomes: Outcome[]) => void>;

  constructor(
    readonly db: Sqlite.Database,
    options: GroupCommitOptions = {},
  ) {
    this.#maxGroup = options.maxGroup ?? 64;
    this.#delayMs = options.delayMs ?? 0;
    this.#busyWindowMs = options.busyWindowMs ?? 5;
    this.#maxWaitMs = options.maxWaitMs;
    this.#savepoint = db.transaction((work: GroupWork<unknown>) => work());
    this.#group = db.transaction((batch: readonly Pending[], outcomes: Outcome[]) => {
      outcomes.length = 0;
      for (const pending of batch) {
        try {
          outcomes.push({ ok: true, value: this.#savepoint(pending.work) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  /**
   * Runs `work` in the next group and resolves with what it returned once the group's transaction
   * has committed; rejects with what it threw (its writes rolled back, the others' kept). Resolves
   * with IN_FOREIGN_TRANSACTION, without running it, if a transaction opened outside the
   * connection's mutex is open when the group starts (the caller then takes its general path).
   */
  run<T>(work: GroupWork<T>): Promise<T | typeof IN_FOREIGN_TRANSACTION> {
    return new Promise<T | typeof IN_FOREIGN_TRANSACTION>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushing) this.#schedule();
      else if (this.#timer !== undefined && this.#queue.length >= this.#maxGroup) {
        // A full group does not wait.
        clearTimeout(this.#timer);
        this.#timer = undefined;
        setImmediate(() => void this.#flush());
      }
    });
  }

  #schedule(): void {
    this.#flushing = true;
    if (this.#delayMs > 0 && this.#queue.length < this.#maxGroup && performance.now() - this.#lastGroupAt < this.#busyWindowMs) {
      // Busy: wait a little for the commits of the updates being handled now.
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#flush();
      }, this.#delayMs);
    } else {
      // After the callbacks of this turn of the event loop: the commits they make join this group.
      setImmediate(() => void this.#flush());
    }
  }

  /** Commits one group (those queued when the connection's mutex is had, up to `maxGroup`), then schedules the next. */
  async #flush(): Promise<void> {
    try {
      const release = await connectionMutex(this.db).acquire();
      try {
        // Those that arrived while the mutex or the lock was waited for join the group.
        await this.#commit(this.#queue.splice(0, this.#maxGroup));
      } finally {
        release();
      }
    } finally {
      this.#lastGroupAt = performance.now();
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  async #commit(batch: readonly Pending[]): Promise<void> {
    if (this.db.inTransaction) {
      for (const pending of batch) pending.resolve(IN_FOREIGN_TRANSACTION);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      // BEGIN IMMEDIATE that finds another process's write lock fails before anything ran: retried.
      await retryWhileBusy(() => this.#group.immediate(batch, outcomes), this.#maxWaitMs === undefined ? {} : { maxWaitMs: this.#maxWaitMs });
    } catch (error) {
      if (outcomes.length !== batch.length || batch.length === 1) {
        // The transaction never ran its works (the lock was not had): every caller gets the error.
        for (const pending of batch) pending.reject(error);
        return;
      }
      // COMMIT failed: nothing of the group is stored. Each work alone, so a failure stays its own.
      this.stats.fallbacks++;
      for (const pending of batch) await this.#commit([pending]);
      return;
    }
    this.stats.groups++;
    this.stats.works += batch.length;
    // Before the callers hear back: a commit one of them makes right away finds the connection busy.
    this.#lastGroupAt = performance.now();
    for (const [i, pending] of batch.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    }
  }
}

const groups = new WeakMap<Sqlite.Database, GroupCommit>();

/** The group commit of a connection (one per connection, shared by every store on it). */
export function groupCommitOf(db: Sqlite.Database): GroupCommit {
  let group = groups.get(db);
  if (!group) groups.set(db, (group = new GroupCommit(db)));
  return group;
}
