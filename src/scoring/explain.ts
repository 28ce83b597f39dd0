import { scoreWithDetail } from "./score.js";
import type { ExcludedUnit, ExclusionReason, PointsUnitResult, SatisfactionUnitResult, ScoringError, ScoringInput, ScoringWarning } from "./types.js";

// Every number in an explanation is in full precision (not rounded), so a renderer can show the
// arithmetic; `result` carries the rounded line of the report for the same unit.

/** Valid answers of one respondent group to one question (only with `groupWeights`). */
export interface GroupExplanation {
  readonly group: string;
  /** The group's weight; 0 when `groupWeights` has none for it. */
  readonly weight: number;
  /** Weight after renormalising over the groups with a valid answer (0 when the group has none). */
  readonly normalisedWeight: number;
  readonly valid: number;
  /** Points: mean of the valid answers' values; satisfaction: percent of valid answers in `positive`. */
  readonly mean: number | null;
  /** Satisfaction only: valid answers whose value is in `positive`. */
  readonly positive?: number;
}

/** How one scored question of a points questionnaire contributed. */
export interface PointsQuestionExplanation {
  readonly question: string;
  readonly maxPoints: number;
  /** Valid answers among the counted responses. */
  readonly valid: number;
  /** Answers that chose only null-score options ("cannot judge"). */
  readonly notJudged: number;
  /** Counted responses without an answer to the question. */
  readonly unanswered: number;
  /** Sum of the valid answers' values (without group weights). */
  readonly sum: number;
  readonly groups?: readonly GroupExplanation[];
  /** m(q,u); null when unrated. */
  readonly mean: number | null;
  /** maxPoints × mean, before the component's rescaling; null when unrated. */
  readonly points: number | null;
  readonly rated: boolean;
}

/** How one component of a points questionnaire was formed. */
export interface PointsComponentExplanation {
  readonly component: string;
  /** Σ maxPoints of all its scored questions. */
  readonly max: number;
  /** Σ maxPoints of its rated questions. */
  readonly ratedMax: number;
  /** Σ maxPoints × mean over rated questions, before rescaling. */
  readonly rawPoints: number;
  /** max / ratedMax (1 when every question is rated); null when unrated. */
  readonly factor: number | null;
  /** P(c,u) = rawPoints × factor; null when unrated. */
  readonly points: number | null;
  readonly index: number | null;
  readonly questions: readonly PointsQuestionExplanation[];
}

/** How a unit's index was reached on a points questionnaire. */
export interface PointsUnitExplanation {
  readonly kind: "points";
  readonly unit: string;
  readonly responses: number;
  readonly counted: number;
  /** Submitted responses not counted: flagged (with `excludeFlagged`) and rejected by an organiser. */
  readonly notCounted: { readonly flagged: number; readonly rejected: number };
  readonly minResponses: number;
  readonly groupWeights?: Readonly<Record<string, number>>;
  readonly components: readonly PointsComponentExplanation[];
  readonly survey: {
    /** Σ of the rated components' points, before rescaling. */
    readonly rawPoints: number;
    readonly max: number;
    readonly ratedMax: number;
    /** max / ratedMax; null when nothing is rated. */
    readonly factor: number | null;
    /** S(u); null when nothing is rated. */
    readonly points: number | null;
  };
  /** Only with `appraisalMax`; points null when the unit has no appraisal row. */
  readonly appraisal?: { readonly points: number | null; readonly max: number };
  /** Full-precision index; null when excluded. */
  readonly index: number | null;
  readonly exclusion?: ExclusionReason;
  /** The unit's rounded line in the report (ranked or excluded). */
  readonly result: PointsUnitResult | ExcludedUnit;
}

/** How one scale criterion of a satisfaction questionnaire was rated. */
export interface CriterionExplanation {
  readonly question: string;
  readonly valid: number;
  /** Valid answers whose value is in `positive`. */
  readonly positive: number;
  /** Counted responses that answered "cannot judge". */
  readonly notApplicable: number;
  readonly unanswered: number;
  readonly groups?: readonly GroupExplanation[];
  readonly index: number | null;
}

/** How one factor of a satisfaction questionnaire was formed (overall question left out). */
export interface SatisfactionComponentExplanation {
  readonly component: string;
  readonly criteria: readonly CriterionExplanation[];
  /** Mean of the rated criteria's indices; null when none is rated. */
  readonly index: number | null;
}

/** Choice counts of one multi question (no group weighting). */
export interface ChoiceExplanation {
  readonly question: string;
  /** Denominator: the unit's counted responses, skippers included. */
  readonly counted: number;
  readonly options: readonly { readonly option: string; readonly chosen: number; readonly share: number }[];
}

/** How a unit's index was reached on a satisfaction questionnaire. */
export interface SatisfactionUnitExplanation {
  readonly kind: "satisfaction";
  readonly unit: string;
  readonly responses: number;
  readonly counted: number;
  readonly notCounted: { readonly flagged: number; readonly rejected: number };
  readonly minResponses: number;
  readonly positive: readonly number[];
  readonly groupWeights?: Readonly<Record<string, number>>;
  readonly components: readonly SatisfactionComponentExplanation[];
  /** Every scale question in questionnaire order, the overall one included. */
  readonly criteria: readonly CriterionExplanation[];
  /** The overall question's criterion, when `overallQuestion` is set (then it is the unit index). */
  readonly overall?: CriterionExplanation;
  readonly choices: readonly ChoiceExplanation[];
  readonly index: number | null;
  readonly exclusion?: ExclusionReason;
  readonly result: SatisfactionUnitResult | ExcludedUnit;
}

/** Everything needed to check one unit's index by hand (`khaosat score --explain UNIT`). */
export type UnitExplanation = PointsUnitExplanation | SatisfactionUnitExplanation;

/** What `explainUnit` returns: the explanation, or why the unit cannot be explained. */
export type ExplainOutcome =
  | { readonly ok: true; readonly explanation: UnitExplanation; readonly warnings: readonly ScoringWarning[] }
  | { readonly ok: false; readonly errors: readonly ScoringError[] };

/** How one unit's index was reached, in full precision, with its rounded report line (`--explain UNIT`). */
export function explainUnit(input: ScoringInput, unitId: string): ExplainOutcome {
  const scored = scoreWithDetail(input);
  if (!scored.ok) return scored;
  const analysis = scored.analyses.find((a) => a.unit === unitId);
  const line = scored.lines.get(unitId);
  if (!analysis || !line) {
    return { ok: false, errors: [{ code: "unknown_unit", unit: unitId, message: `unit "${unitId}" has no responses${input.units ? " and is not in the campaign" : " and no appraisal row"}` }] };
  }
  const explanation =
    analysis.kind === "points"
      ? { ...analysis, result: line as PointsUnitResult | ExcludedUnit }
      : { ...analysis, result: line as SatisfactionUnitResult | ExcludedUnit };
  return { ok: true, explanation, warnings: scored.warnings };
}
