import { englishText, type Problem, type ProblemParam } from "../i18n/problem.js";
import { computeFlags, SPEEDER_MIN_RESPONSES, type FlagEvidence, type ResponseFlags, type ScoringResponse } from "../scoring/index.js";
import type { Questionnaire } from "../questionnaire/index.js";
import type { FlagDecision, FlagName, FlagSubject, FlagsRepository } from "./repository.js";
import { parseReference, responseReference } from "./reference.js";

const FLAG_NAMES: readonly FlagName[] = ["speeder", "straightliner", "delegation", "attention", "inconsistent", "misfit"];

/** A submitted response with its current flags and why it carries them. */
export type EvidencedSubject = FlagSubject & { readonly evidence: readonly FlagEvidence[] };

/** The stored flag names of one `computeFlags` result, in a fixed order. */
export function flagNames(flags: ResponseFlags): FlagName[] {
  return FLAG_NAMES.filter((name) => flags[name]);
}

/** The scoring decision of a stored one: accepted always counts, rejected never does, none follows `excludeFlagged`. */
export function scoringDecision(decision: string | null | undefined): ScoringResponse["decision"] {
  if (decision === "accepted") return "accept";
  if (decision === "rejected") return "reject";
  return undefined;
}

function toScoring(subject: FlagSubject): ScoringResponse {
  return {
    id: subject.id,
    unit: subject.unit,
    group: subject.group,
    ...(subject.startedAt ? { startedAt: subject.startedAt.getTime() } : {}),
    ...(subject.submittedAt ? { submittedAt: subject.submittedAt.getTime() } : {}),
    answers: subject.answers ?? {},
    ...(subject.respondentId !== null ? { respondent: subject.respondentId } : {}),
    ...(subject.account !== null ? { account: subject.account } : {}),
    ...(subject.seconds ? { seconds: subject.seconds } : {}),
    ...(subject.language ? { language: subject.language } : {}),
  };
}

function sameFlags(a: readonly FlagName[], b: readonly FlagName[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Computes and stores the flags of one just-submitted response with the scoring module's rules, in
 * work bounded whatever the campaign's size. Of the other submitted responses the rules need only
 * two facts, both asked of the database: the median duration (speeder, from the 10th timed
 * response on) and whether the response's account answered for two named respondents (delegation).
 * Every other rule reads the response's own answers: the others carry none here, as before, so
 * the campaign-wide comparisons (long-string, person-fit, overall mark) see only this response
 * either way. The stored flags are those `computeFlags` gives over all submitted responses with
 * only this one's answers loaded (test/flags/submit-bounded.test.ts checks it). Returns its flags.
 */
export async function flagSubmittedResponse(repository: FlagsRepository, questionnaire: Questionnaire, campaignId: string, responseId: string): Promise<FlagName[]> {
  const subject = await repository.submittedOne(campaignId, responseId);
  if (!subject) throw new Error(`bug: flagging response ${responseId}, which is not a submitted response of campaign ${campaignId}`);
  const own = computeFlags(questionnaire, [toScoring(subject)])[0]!;
  const flags: Record<FlagName, boolean> = { ...own };
  if (subject.startedAt && subject.submittedAt) {
    // computeFlags' speeder rule, with the campaign's median taken in the database.
    const milliseconds = subject.submittedAt.getTime() - subject.startedAt.getTime();
    const { count, median } = await repository.durationMedian(campaignId, { id: subject.id, milliseconds });
    if (count >= SPEEDER_MIN_RESPONSES && milliseconds < median / 3) flags.speeder = true;
  }
  if (subject.account !== null && (await repository.accountShared(campaignId, subject.account))) flags.delegation = true;
  const names = FLAG_NAMES.filter((name) => flags[name]);
  await repository.setFlags([{ responseId, flags: names }]);
  return names;
}

/**
 * Recomputes the flags of every submitted response of a campaign (the speeder median moves as
 * responses arrive) and stores those that changed; returns the responses with their current flags.
 */
export async function refreshCampaignFlags(repository: FlagsRepository, questionnaire: Questionnaire, campaignId: string): Promise<EvidencedSubject[]> {
  const subjects = await repository.submitted(campaignId, { withAnswers: true });
  const results = computeFlags(questionnaire, subjects.map(toScoring));
  const computed = results.map(flagNames);
  const changed = subjects.flatMap((s, i) => (sameFlags(s.flags, computed[i]!) ? [] : [{ responseId: s.id, flags: computed[i]! }]));
  if (changed.length > 0) await repository.setFlags(changed);
  return subjects.map((s, i) => ({ ...s, flags: computed[i]!, evidence: results[i]!.evidence }));
}

/** Why a decision cannot be recorded. */
export class FlagDecisionError extends Error {
  /** `problems:flagDecision.<key>`; the message is its English text. */
  readonly problem: Problem;

  constructor(key: string, params: Readonly<Record<string, ProblemParam>> = {}) {
    const problem = { key: `flagDecision.${key}`, params };
    super(englishText(problem));
    this.problem = problem;
    this.name = "FlagDecisionError";
  }
}

/** Records an organiser's decision on a flagged, submitted response (audited); the reason is required. */
export async function decideFlaggedResponse(
  repository: FlagsRepository,
  request: { readonly responseId: string; readonly campaignId?: string; readonly decision: FlagDecision; readonly reason: string; readonly at: Date; readonly actor: string },
): Promise<{ readonly previous: FlagDecision | null; readonly flags: readonly FlagName[] }> {
  const reason = request.reason.normalize("NFC").trim();
  if (reason === "") throw new FlagDecisionError("reasonEmpty");
  if ([...reason].length > 500) throw new FlagDecisionError("reasonTooLong", { max: 500 });
  // With a campaign, the id may be the responses file's response_id of an imported response.
  const imported = request.campaignId === undefined ? null : await repository.findImported(request.campaignId, request.responseId);
  let response = await repository.find(imported ?? request.responseId);
  // With a campaign, the id may also be the reference the console and `khaosat flags` show ("#K7M2QX").
  const reference = request.campaignId !== undefined && !response ? parseReference(request.responseId) : null;
  if (reference !== null) {
    const matches = (await repository.submitted(request.campaignId!, { withAnswers: false })).filter((s) => s.flags.length > 0 && responseReference(s.id) === reference);
    if (matches.length > 1) throw new FlagDecisionError("referenceAmbiguous", { reference, count: matches.length, campaign: request.campaignId! });
    if (matches.length === 1) response = await repository.find(matches[0]!.id);
  }
  if (!response || (request.campaignId !== undefined && response.campaignId !== request.campaignId)) {
    throw new FlagDecisionError("noResponse", { id: request.responseId, inCampaign: request.campaignId === undefined ? "" : { key: "flagDecision.inCampaign", params: { campaign: request.campaignId } } });
  }
  if (response.status !== "submitted") throw new FlagDecisionError("notSubmitted", { id: request.responseId, status: response.status.replace("_", " ") });
  if (response.flags.length === 0) throw new FlagDecisionError("noFlag", { id: request.responseId });
  await repository.decide(response.id, request.decision, reason, request.at, request.actor);
  return { previous: response.decision, flags: response.flags };
}
