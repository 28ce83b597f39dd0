import { DEFAULT_QUALITY, type Questionnaire } from "../questionnaire/index.js";
import { judgementLookup, qualityFlags, SAME_POSITION_MIN_ANSWERS } from "./quality.js";
import type { FlagEvidence, ResponseFlags, ScoringResponse } from "./types.js";

/** Fewest single and scale answers for a response to count as straight-lined. */
export const STRAIGHTLINE_MIN_ANSWERS = SAME_POSITION_MIN_ANSWERS;
/** Fewest responses with a duration before the speeder rule applies. */
export const SPEEDER_MIN_RESPONSES = 10;

/** Median of numbers (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "9m 30s" or "45s". */
export function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  const m = Math.floor(whole / 60);
  return m > 0 ? `${m}m ${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

/**
 * Data-quality flags of submitted responses (SURVEY-FORMAT 3.3, extended in docs/flags.md), one per
 * response in input order, each with the evidence of every rule that fired. The speeder median and
 * the person-fit pattern are taken over every response given (they share one questionnaire version).
 */
export function computeFlags(questionnaire: Questionnaire, responses: readonly ScoringResponse[]): ResponseFlags[] {
  const durations: number[] = [];
  for (const r of responses) {
    if (r.startedAt !== undefined && r.submittedAt !== undefined) durations.push(r.submittedAt - r.startedAt);
  }
  const medianDuration = median(durations);
  const speedLimit = durations.length >= SPEEDER_MIN_RESPONSES ? medianDuration / 3 : Number.NEGATIVE_INFINITY;

  // An account is a delegate when it answered for more than one named respondent.
  const firstRespondent = new Map<string, string>();
  const sharedAccounts = new Set<string>();
  for (const r of responses) {
    if (r.account === undefined || r.respondent === undefined) continue;
    const seen = firstRespondent.get(r.account);
    if (seen === undefined) firstRespondent.set(r.account, r.respondent);
    else if (seen !== r.respondent) sharedAccounts.add(r.account);
  }

  const quality = questionnaire.definition.quality ?? DEFAULT_QUALITY;
  const { evidence: extra, samePosition } = qualityFlags(questionnaire, quality, judgementLookup(questionnaire, quality), responses);
  return responses.map((r, i) => {
    const evidence: FlagEvidence[] = [];
    const duration = r.startedAt !== undefined && r.submittedAt !== undefined ? r.submittedAt - r.startedAt : undefined;
    if (duration !== undefined && duration < speedLimit) {
      evidence.push({
        flag: "speeder",
        rule: "duration",
        text: `finished in ${formatSeconds(duration / 1000)}, under a third of the median ${formatSeconds(medianDuration / 1000)}`,
      });
    }
    // The extension rules' evidence comes in flag order: speeder, straightliner, then the others.
    const more = extra[i]!;
    let next = 0;
    while (next < more.length && more[next]!.flag === "speeder") evidence.push(more[next++]!);
    if (samePosition[i]! > 0) {
      evidence.push({ flag: "straightliner", rule: "same-position", text: `the same answer position on all ${samePosition[i]} single and scale questions` });
    }
    while (next < more.length && more[next]!.flag === "straightliner") evidence.push(more[next++]!);
    if (r.account !== undefined && sharedAccounts.has(r.account)) {
      evidence.push({ flag: "delegation", rule: "account", text: "the messaging account that answered also answered for another respondent" });
    }
    while (next < more.length) evidence.push(more[next++]!);
    const flags: { -readonly [K in keyof ResponseFlags]: ResponseFlags[K] } = { speeder: false, straightliner: false, delegation: false, attention: false, inconsistent: false, misfit: false, evidence };
    for (let e = 0; e < evidence.length; e++) flags[evidence[e]!.flag] = true;
    return flags;
  });
}
