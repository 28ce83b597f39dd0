import type { StepResult, SurveyState, UnitResponse } from "../engine/index.js";

/** A subject unit: the id the engine and storage use, the name the respondent reads. */
export interface UnitRef {
  readonly id: string;
  readonly name: string;
}

/** The person a code was issued to, as the sample of respondents records them. */
export interface Respondent {
  readonly id: string;
  readonly name: string;
  /** Where the respondent works (shown when confirming identity). */
  readonly unit: UnitRef;
  /** Units the respondent assesses, in order (often just their own). */
  readonly subjectUnits: readonly UnitRef[];
  readonly language?: string;
}

/** Outcome of presenting a code; each refusal has its own respondent-facing message. */
export type CodeCheckResult =
  | { readonly kind: "ok"; readonly respondent: Respondent }
  | { readonly kind: "invalid" }
  | { readonly kind: "already_used" }
  | { readonly kind: "too_many_attempts"; readonly retryAfterSeconds: number }
  | { readonly kind: "campaign_not_open"; readonly opensAt: Date }
  | { readonly kind: "campaign_closed"; readonly closedAt: Date };

/**
 * Checks one-time codes and binds them to a messaging account. The demo uses an in-memory one; the
 * bot plugs in the access module's redemption service over the database.
 */
export interface CodeChecker {
  redeem(input: string, account: string, now: Date): Promise<CodeCheckResult>;
}

/**
 * Keeps each respondent's survey state and answers. `save` is called with every engine step before
 * anything is shown, so an implementation over a database stores the state and applies the answer
 * events in one transaction.
 */
export interface SurveySessionStore {
  /** The stored state of this respondent for this questionnaire version, if any. */
  load(respondentId: string, questionnaire: { readonly id: string; readonly version: number }): Promise<SurveyState | undefined>;
  save(respondentId: string, result: StepResult): Promise<void>;
  /** The respondent's stored responses (answers per subject unit, submission times). */
  responses(respondentId: string): Promise<readonly UnitResponse[]>;
}
