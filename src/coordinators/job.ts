// The digest as a scheduler job: the scheduler (src/scheduler) registers it and runs each tick on one instance.
import type { DigestOutcome, DigestService } from "./service.js";

/** A job the scheduler runs on a cron expression with the tick's time. */
export interface DigestJob {
  readonly name: string;
  /** node-cron expression: every minute, so a changed digest time takes effect within a minute. */
  readonly cron: string;
  run(now: Date): Promise<DigestOutcome[]>;
}

/** The coordinators' daily digest job. */
export function coordinatorDigestJob(service: DigestService): DigestJob {
  return { name: "coordinator-digests", cron: "* * * * *", run: (now) => service.tick(now) };
}
