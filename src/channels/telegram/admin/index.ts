// Organisers' commands in Telegram (/stats, /remind, /broadcast, /cancel, /export) for ADMIN_TELEGRAM_IDS.
export { adminComposer, adminCallback, stopCallback, progressText, ADMIN_COMMANDS, ADMIN_CALLBACK } from "./composer.js";
export { BroadcastProgress, type ProgressOutcome } from "./progress.js";
export { outboxBroadcasts } from "./broadcasts.js";
export { databaseParticipation } from "./participation.js";
export { auditStateStore, decodeState, IDLE, STATE_EVENT, TRACK_EVENT, FINISH_EVENT, type AdminState } from "./state.js";
export { formatAudience, parseAudience, inAudience, type Audience, type AudienceMember } from "./audience.js";
export { unitsWorstFirst, formatRate, statsText, type UnitParticipation } from "./stats.js";
export type * from "./ports.js";
export { databaseResponses } from "./responses.js";
