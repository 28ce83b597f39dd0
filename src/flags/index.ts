// Data-quality flags in the database: computed on submit with the scoring rules, listed anonymously,
// decided by organisers (audited), and handed to scoring as `ScoringResponse.decision`.
export type * from "./repository.js";
export { MemoryFlagsRepository } from "./memory-repository.js";
export { DurationMedians, type DurationMediansOptions, type TimedResponse, type DurationMedian } from "./duration-medians.js";
export { flagSubmittedResponse, refreshCampaignFlags, decideFlaggedResponse, scoringDecision, flagNames, FlagDecisionError, type EvidencedSubject } from "./flags.js";
export type { EvidencePart, EvidenceKey, EvidenceParam } from "../scoring/index.js";
export { ENGLISH_FLAG_TABLE, flagListRows, formatFlagList, formatDuration, FLAG_LIST_FORMATS, type FlagListFormat, type FlagListRow, type FlagTableWords } from "./format.js";
export { responseReference, parseReference, REFERENCE_LENGTH } from "./reference.js";
