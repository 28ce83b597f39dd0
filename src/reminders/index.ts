// Reminder schedules per campaign and the service that queues due reminders in the outbox.
export { parseReminderSchedule, formatReminderSchedule, reminderSlots, dueSlot, type ReminderSchedule, type ReminderOffset, type ReminderSlot, type ParseScheduleResult } from "./schedule.js";
export { isValidTimeZone, zonedParts, zonedTimeToInstant, formatZoned, type ZonedParts } from "./time-zone.js";
export { reminderMessage, timeLeft, resumeCallbackData, parseResumeCallback, RESUME_CALLBACK } from "./message.js";
export { ReminderService, needsReminder, type TickOutcome } from "./service.js";
