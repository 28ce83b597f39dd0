// Unit coordinators: the daily participation digest of their own unit (counts and rates; names only
// when the campaign sets coordinatorsSeeNames; never answers), queued through the outbox.
export { DigestService, localDateTime, digestKey, type DigestDeps, type DigestOutcome } from "./service.js";
export { digestText, MAX_DIGEST_CHARS, MAX_ZALO_DIGEST_CHARS, type DigestInput } from "./digest.js";
export { coordinatorSettings, parseDigestTime, DEFAULT_DIGEST_AT, type CoordinatorSettings } from "./settings.js";
export { coordinatorDigestJob, type DigestJob } from "./job.js";
