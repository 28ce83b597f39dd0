export type * from "./types.js";
export type * from "./explain.js";
export { scoreUnits } from "./score.js";
export { explainUnit } from "./explain.js";
export { computeFlags, median, formatSeconds, STRAIGHTLINE_MIN_ANSWERS, SPEEDER_MIN_RESPONSES } from "./flags.js";
export { judgementLookup, qualityFlags, DEFAULT_CHARACTERS_PER_SECOND, type JudgementLookup } from "./quality.js";
export { roundHalfAway, compareCodePoints } from "./round.js";
export { competitionRanks, classFor, type ScoreClass } from "./rank.js";
export { scoreReportSchema } from "./output-schema.js";
