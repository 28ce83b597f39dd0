import { DEFAULT_QUALITY, type Questionnaire } from "../questionnaire/index.js";
import { medianInPlace } from "../flags/normal.js";
import { flagEvidence } from "./evidence.js";
import { FLAG_BIT, judgementLookup, qualityFlags, SAME_POSITION_MIN_ANSWERS, type QualityFindings } from "./quality.js";
import { ResponseTable, tableQuestions } from "./table.js";
import type { FlagEvidence, ResponseFlags, ScoringResponse } from "./types.js";

export { FLAG_BIT } from "./quality.js";
export { formatSeconds } from "./evidence.js";

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

/** What every response's flags are read from: the campaign-wide figures and the extension rules' findings. */
interface FlagBasis {
  readonly responses: ResponseTable;
  readonly medianDuration: number;
  readonly speedLimit: number;
  readonly sharedAccounts: ReadonlySet<string>;
  readonly findings: QualityFindings;
}

function flagBasis(questionnaire: Questionnaire, responses: ResponseTable): FlagBasis {
  const { startedAt, submittedAt, accounts, respondents } = responses;
  // The median by selection (no sort): the same middle values, so the same median.
  const durations = new Float64Array(responses.length);
  let timed = 0;
  for (let i = 0; i < responses.length; i++) {
    const duration = submittedAt[i]! - startedAt[i]!;
    // NaN when either time is unknown.
    if (duration === duration) durations[timed++] = duration;
  }
  const medianDuration = medianInPlace(durations, timed);
  const speedLimit = timed >= SPEEDER_MIN_RESPONSES ? medianDuration / 3 : Number.NEGATIVE_INFINITY;

  // An account is a delegate when it answered for more than one named respondent.
  const firstRespondent = new Map<string, string>();
  const sharedAccounts = new Set<string>();
  if (accounts && respondents) {
    for (let i = 0; i < responses.length; i++) {
      const account = accounts[i];
      const respondent = respondents[i];
      if (account === undefined || respondent === undefined) continue;
      const seen = firstRespondent.get(account);
      if (seen === undefined) firstRespondent.set(account, respondent);
      else if (seen !== respondent) sharedAccounts.add(account);
    }
  }

  const quality = questionnaire.definition.quality ?? DEFAULT_QUALITY;
  const findings = qualityFlags(questionnaire, quality, judgementLookup(questionnaire, quality), responses);
  return { responses, medianDuration, speedLimit, sharedAccounts, findings };
}

function isDelegate(basis: FlagBasis, i: number): boolean {
  const account = basis.responses.accounts?.[i];
  return account !== undefined && basis.sharedAccounts.has(account);
}

/**
 * The flags of every response as bits ({@link FLAG_BIT}), in input order: the same flags as
 * {@link computeFlags}, without building the evidence (what scoring needs to count and exclude).
 */
export function flagBits(questionnaire: Questionnaire, responses: ResponseTable): Uint8Array {
  const basis = flagBasis(questionnaire, responses);
  const { startedAt, submittedAt } = responses;
  const { bits: extra, samePosition } = basis.findings;
  const bits = new Uint8Array(responses.length);
  const delegates = basis.sharedAccounts.size > 0;
  for (let i = 0; i < responses.length; i++) {
    let f = extra[i]!;
    if (submittedAt[i]! - startedAt[i]! < basis.speedLimit) f |= FLAG_BIT.speeder;
    if (samePosition[i]! > 0) f |= FLAG_BIT.straightliner;
    if (delegates && isDelegate(basis, i)) f |= FLAG_BIT.delegation;
    bits[i] = f;
  }
  return bits;
}

/**
 * Data-quality flags of submitted responses (SURVEY-FORMAT 3.3, extended in docs/flags.md), one per
 * response in input order, each with the evidence of every rule that fired. The speeder median and
 * the person-fit pattern are taken over every response given (they share one questionnaire version).
 */
export function computeFlags(questionnaire: Questionnaire, given: readonly ScoringResponse[] | ResponseTable): ResponseFlags[] {
  const responses = ResponseTable.of(given, tableQuestions(questionnaire));
  const basis = flagBasis(questionnaire, responses);
  const { medianDuration, speedLimit } = basis;
  const { evidence: extension, samePosition } = basis.findings;
  const out: ResponseFlags[] = new Array(responses.length);
  for (let i = 0; i < responses.length; i++) {
    const evidence: FlagEvidence[] = [];
    const duration = responses.submittedAt[i]! - responses.startedAt[i]!;
    if (duration < speedLimit) {
      // Whole seconds, as they are said ("finished in 2m 00s").
      evidence.push(flagEvidence("speeder", "duration", [{ key: "duration", params: { took: Math.round(duration / 1000), median: Math.round(medianDuration / 1000) } }]));
    }
    // The extension rules' evidence comes in flag order: speeder, straightliner, then the others.
    const more = extension(i);
    let next = 0;
    while (next < more.length && more[next]!.flag === "speeder") evidence.push(more[next++]!);
    if (samePosition[i]! > 0) {
      evidence.push(flagEvidence("straightliner", "same-position", [{ key: "samePosition", params: { count: samePosition[i]! } }]));
    }
    while (next < more.length && more[next]!.flag === "straightliner") evidence.push(more[next++]!);
    if (isDelegate(basis, i)) {
      evidence.push(flagEvidence("delegation", "account", [{ key: "account", params: {} }]));
    }
    while (next < more.length) evidence.push(more[next++]!);
    const flags: { -readonly [K in keyof ResponseFlags]: ResponseFlags[K] } = { speeder: false, straightliner: false, delegation: false, attention: false, inconsistent: false, misfit: false, evidence };
    for (let e = 0; e < evidence.length; e++) flags[evidence[e]!.flag] = true;
    out[i] = flags;
  }
  return out;
}
