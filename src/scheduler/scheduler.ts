// The cron jobs of one instance. Every job is `distributed`, coordinated through the database, so a
// tick runs on exactly one instance however many are started.
import cron, { type RunCoordinator, type ScheduledTask } from "node-cron";

/** A job to run on a cron expression. */
export interface CronJob {
  /** Unique name; it is the coordination key shared by instances. */
  readonly name: string;
  /** node-cron expression (6 fields with seconds, or 5). */
  readonly cron: string;
  /** Time zone the expression is read in (default Asia/Ho_Chi_Minh). */
  readonly timeZone?: string;
  /** The work; `scheduledAt` is the tick's instant. */
  run(scheduledAt: Date): Promise<unknown>;
}

/** What happened at a tick, for logs and tests. */
export type TickEvent =
  | { readonly job: string; readonly at: Date; readonly type: "ran" }
  | { readonly job: string; readonly at: Date; readonly type: "skipped"; readonly reason: string }
  | { readonly job: string; readonly at: Date; readonly type: "failed"; readonly error: Error };

/** Running cron jobs; `stop` ends them. */
export interface Scheduler {
  readonly tasks: readonly ScheduledTask[];
  stop(): Promise<void>;
}

/** Starts the jobs with the given run coordinator (lease: node-cron's `distributedLease`, default 50 s). */
export function startScheduler(
  jobs: readonly CronJob[],
  coordinator: RunCoordinator,
  options: { leaseMs?: number; onEvent?: (event: TickEvent) => void } = {},
): Scheduler {
  const tasks = jobs.map((job) => {
    if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: "${job.cron}" is not a cron expression`);
    const task = cron.schedule(
      job.cron,
      async (context) => {
        await job.run(context.date);
        options.onEvent?.({ job: job.name, at: context.date, type: "ran" });
      },
      {
        name: job.name,
        timezone: job.timeZone ?? "Asia/Ho_Chi_Minh",
        distributed: true,
        runCoordinator: coordinator,
        distributedLease: options.leaseMs ?? 50_000,
        noOverlap: true,
      },
    );
    task.on("execution:skipped", (ctx) => options.onEvent?.({ job: job.name, at: ctx.date, type: "skipped", reason: ctx.reason ?? "unknown" }));
    task.on("execution:failed", (ctx) => options.onEvent?.({ job: job.name, at: ctx.date, type: "failed", error: ctx.execution?.error ?? new Error("unknown failure") }));
    return task;
  });
  return {
    tasks,
    async stop() {
      for (const t of tasks) await t.destroy();
    },
  };
}
