// node-cron's run coordinator backed by the database: a lease row per tick key (node-cron's key is
// `<task name>:<scheduled instant>`), so with several instances on one database each tick runs once.
import { randomUUID } from "node:crypto";
import type { RunCoordinator } from "node-cron";
import type { LeaseRepository } from "../outbox/types.js";

/** Options of the database run coordinator. */
export interface DatabaseCoordinatorOptions {
  /** Names this instance in lease rows (default: a random id). */
  readonly holder?: string;
  /** The clock (injected in tests). */
  readonly clock?: () => Date;
  /** Leases that expired longer ago than this are deleted now and then (default one day). */
  readonly keepMs?: number;
}

/**
 * A `RunCoordinator` whose `shouldRun(key, ttlMs)` takes a lease row. The lease is not released on
 * completion: the key names one scheduled instant, and releasing it would let an instance whose
 * clock runs late run the same tick again.
 */
export class DatabaseRunCoordinator implements RunCoordinator {
  readonly holder: string;
  private readonly clock: () => Date;
  private readonly keepMs: number;
  private lastPurge = 0;

  constructor(
    private readonly leases: LeaseRepository,
    options: DatabaseCoordinatorOptions = {},
  ) {
    this.holder = options.holder ?? randomUUID();
    this.clock = options.clock ?? (() => new Date());
    this.keepMs = options.keepMs ?? 86_400_000;
  }

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    if (now.getTime() - this.lastPurge > 3_600_000) {
      this.lastPurge = now.getTime();
      await this.leases.purge(new Date(now.getTime() - this.keepMs));
    }
    return this.leases.tryAcquire(key, this.holder, now, ttlMs);
  }
}
