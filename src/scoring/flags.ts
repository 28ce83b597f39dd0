import { NOT_APPLICABLE, type Questionnaire } from "../questionnaire/index.js";
import type { ResponseFlags, ScoringResponse } from "./types.js";

/** Fewest single and scale answers for a response to count as straight-lined. */
export const STRAIGHTLINE_MIN_ANSWERS = 8;
/** Fewest responses with a duration before the speeder rule applies. */
export const SPEEDER_MIN_RESPONSES = 10;

/** Compiled position lookup of the questions the straight-liner rule looks at. */
export interface PositionLookup {
  readonly ids: readonly string[];
  /** Per question: option id → 1-based position (single), or null (scale: the value is the position). */
  readonly positions: readonly (ReadonlyMap<string, number> | null)[];
}

/** The single and scale questions of a questionnaire, in order, ready for `straightLined`. */
export function positionLookup(questionnaire: Questionnaire): PositionLookup {
  const ids: string[] = [];
  const positions: (Map<string, number> | null)[] = [];
  for (const { question } of questionnaire.questions) {
    if (question.type === "single") {
      ids.push(question.id);
      positions.push(new Map(question.options.map((o, i) => [o.id, i + 1])));
    } else if (question.type === "scale") {
      ids.push(question.id);
      positions.push(null);
    }
  }
  return { ids, positions };
}

// "na" must equal only itself; no scale value or option position is ever -Infinity.
const NA_POSITION = Number.NEGATIVE_INFINITY;

/** Whether a response answered 8 or more single and scale questions, all at the same position. */
export function straightLined(lookup: PositionLookup, answers: ScoringResponse["answers"]): boolean {
  let answered = 0;
  let first = 0;
  for (let i = 0; i < lookup.ids.length; i++) {
    const value = answers[lookup.ids[i]!];
    if (value === undefined) continue;
    const options = lookup.positions[i];
    let position: number;
    if (options) position = options.get(String(value)) ?? Number.NaN;
    else position = value === NOT_APPLICABLE ? NA_POSITION : typeof value === "number" ? value : Number(value);
    if (answered === 0) first = position;
    // NaN (an unknown option) never equals anything, so it breaks the line as it should.
    else if (position !== first) return false;
    answered++;
  }
  return answered >= STRAIGHTLINE_MIN_ANSWERS;
}

/** Median of numbers (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Data-quality flags of submitted responses (SURVEY-FORMAT 3.3), one per response in input order.
 * The speeder median is taken over every response given (they share one questionnaire version).
 */
export function computeFlags(questionnaire: Questionnaire, responses: readonly ScoringResponse[]): ResponseFlags[] {
  const durations: number[] = [];
  for (const r of responses) {
    if (r.startedAt !== undefined && r.submittedAt !== undefined) durations.push(r.submittedAt - r.startedAt);
  }
  const speedLimit = durations.length >= SPEEDER_MIN_RESPONSES ? median(durations) / 3 : Number.NEGATIVE_INFINITY;

  // An account is a delegate when it answered for more than one named respondent.
  const firstRespondent = new Map<string, string>();
  const sharedAccounts = new Set<string>();
  for (const r of responses) {
    if (r.account === undefined || r.respondent === undefined) continue;
    const seen = firstRespondent.get(r.account);
    if (seen === undefined) firstRespondent.set(r.account, r.respondent);
    else if (seen !== r.respondent) sharedAccounts.add(r.account);
  }

  const lookup = positionLookup(questionnaire);
  return responses.map((r) => ({
    speeder: r.startedAt !== undefined && r.submittedAt !== undefined && r.submittedAt - r.startedAt < speedLimit,
    straightliner: straightLined(lookup, r.answers),
    delegation: r.account !== undefined && sharedAccounts.has(r.account),
  }));
}
