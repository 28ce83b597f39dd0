// Cron ticks coordinated through the database so one instance runs each tick.
export { DatabaseRunCoordinator, type DatabaseCoordinatorOptions } from "./coordinator.js";
export { startScheduler, type CronJob, type Scheduler, type TickEvent } from "./scheduler.js";
export { reminderJob } from "./jobs.js";
