import type { AnswerValue, Questionnaire } from "../questionnaire/index.js";

/**
 * One submitted response as scoring sees it, whichever channel collected it (bot, file import).
 * Only submitted responses are passed to scoring.
 */
export interface ScoringResponse {
  readonly id: string;
  /** The subject unit the response assesses. */
  readonly unit: string;
  /** Respondent group id (one of the questionnaire's `groups` when it lists them). */
  readonly group: string;
  /** Epoch milliseconds; absent when unknown. */
  readonly startedAt?: number;
  /** Epoch milliseconds; absent when submitted at an unknown time (paper forms). */
  readonly submittedAt?: number;
  /** Answers by question id; unanswered and skipped questions are absent. */
  readonly answers: Readonly<Record<string, AnswerValue>>;
  /** The named respondent, when known (bot responses); used with `account` for the delegation flag. */
  readonly respondent?: string;
  /** The messaging account that answered, when known; absent in file mode. */
  readonly account?: string;
  /** An organiser's decision on a flagged response: accepted always counts, rejected never does. */
  readonly decision?: "accept" | "reject";
}

/** Everything scoring needs; no I/O happens inside scoring. */
export interface ScoringInput {
  readonly questionnaire: Questionnaire;
  readonly responses: readonly ScoringResponse[];
  /** Appraisal points per unit; `undefined` when no appraisal file was given. */
  readonly appraisal?: ReadonlyMap<string, number>;
  /**
   * Campaign mode: the campaign's units (every one is reported, with or without responses).
   * File mode (undefined): the units named in the responses and in the appraisal.
   */
  readonly units?: readonly string[];
}

/** Why a unit gets no index (SURVEY-FORMAT 3, checked in this order). */
export type ExclusionReason = "insufficient_responses" | "missing_appraisal" | "no_valid_answers";
