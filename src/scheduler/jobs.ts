// The jobs the bot schedules.
import type { ReminderService } from "../reminders/index.js";
import type { CronJob } from "./scheduler.js";

/** Every minute: queue the reminders that are due (the clock is injectable for tests). */
export function reminderJob(reminders: ReminderService, clock: () => Date = () => new Date()): CronJob {
  return { name: "reminders", cron: "* * * * *", run: () => reminders.tick(clock()) };
}
