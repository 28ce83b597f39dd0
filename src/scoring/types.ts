import type { AnswerValue, Questionnaire } from "../questionnaire/index.js";
import type { ResponseTable } from "./table.js";

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
  /** Seconds spent on each question, when known (bot channels, or `<id>__seconds` columns of a file). */
  readonly seconds?: Readonly<Record<string, number>>;
  /** The language the questions were shown in, when known (reading-speed floor); else the default one. */
  readonly language?: string;
}

/** Everything scoring needs; no I/O happens inside scoring. */
export interface ScoringInput {
  readonly questionnaire: Questionnaire;
  /** Response objects, or the same by column as the responses reader gives them. */
  readonly responses: readonly ScoringResponse[] | ResponseTable;
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

/** Flag counts of a unit, over all its submitted responses (counted or not). */
export interface FlagCounts {
  readonly speeder: number;
  readonly straightliner: number;
  readonly delegation: number;
  /** Only when the questionnaire declares attention checks (extension). */
  readonly attention?: number;
  /** Only when the questionnaire declares consistency pairs (extension). */
  readonly inconsistent?: number;
}

/** Names of the data-quality flags: the three of SURVEY-FORMAT 3.3, then the extensions of docs/flags.md. */
export type FlagKind = "speeder" | "straightliner" | "delegation" | "attention" | "inconsistent" | "misfit";

/**
 * The keys of evidence parts, each a text `flags:evidence.<key>` of the locales. `attention`,
 * `pairs` and `overallOrdinary` quote answers in their `<key>Quoted` form only (exports, the CLI);
 * `attentionCheck` and `pair` are the quoted details inside them.
 */
export type EvidenceKey =
  | "duration"
  | "reading"
  | "samePosition"
  | "sameShare"
  | "run"
  | "tooFewToCompare"
  | "rarity"
  | "rarityNone"
  | "overallOrdinary"
  | "account"
  | "attention"
  | "attentionCheck"
  | "pairs"
  | "pair"
  | "personFit"
  | "weak";

/** A parameter of an evidence part: a figure, an answer or id as written, a list of them, or nested parts (details). */
export type EvidenceParam = number | string | readonly string[] | readonly EvidencePart[];

/** One part of a rule's evidence: a key and its parameters, said in any language by `evidenceText`. */
export interface EvidencePart {
  readonly key: EvidenceKey;
  readonly params: Readonly<Record<string, EvidenceParam>>;
}

/** Why a response carries a flag: the rule that fired and its evidence, as keyed parts and in English. */
export interface FlagEvidence {
  readonly flag: FlagKind;
  /** duration | reading (speeder); same-position | long-string (straightliner); account; attention-check; pairs; person-fit. */
  readonly rule: "duration" | "reading" | "same-position" | "long-string" | "account" | "attention-check" | "pairs" | "person-fit";
  /** The evidence as keyed parts (joined by "; " when said), for saying it in the reader's language. */
  readonly parts: readonly EvidencePart[];
  /**
   * The parts in English, answers quoted, as `khaosat flags` prints them, e.g. "12 of 25 timed
   * questions answered faster than their text can be read (…)" (made from the keys when first read).
   */
  readonly text: string;
}

/**
 * Data-quality flags of one submitted response (SURVEY-FORMAT 3.3, extended): `speeder` also covers
 * answering faster than the questions can be read, `straightliner` also the long-string index on
 * judgement questions; `attention` and `inconsistent` come from the questionnaire's checks; `misfit`
 * (person-fit) is for review only and never excludes a response by itself.
 */
export interface ResponseFlags {
  readonly speeder: boolean;
  readonly straightliner: boolean;
  readonly delegation: boolean;
  readonly attention: boolean;
  readonly inconsistent: boolean;
  readonly misfit: boolean;
  /** One line per rule that fired, in flag order. */
  readonly evidence: readonly FlagEvidence[];
}

/** A points component in the output: `points` and `index` are null when the component is unrated. */
export interface PointsComponentResult {
  readonly points: number | null;
  readonly max: number;
  readonly index: number | null;
}

/** One ranked unit of a `kind: points` score (SURVEY-FORMAT 6); values rounded to 2 decimals. */
export interface PointsUnitResult {
  readonly unit: string;
  readonly responses: number;
  readonly counted: number;
  readonly surveyPoints: number;
  /** Only with `appraisalMax`. */
  readonly appraisalPoints?: number;
  readonly index: number;
  readonly rank: number;
  /** With appraisalMax only. */
  readonly surveyRank?: number;
  /** Only with `appraisalMax`. */
  readonly appraisalRank?: number;
  /** Only with `classes`; null when no class matches. */
  readonly class?: string | null;
  readonly components: Readonly<Record<string, PointsComponentResult>>;
  readonly flags: FlagCounts;
}

/** One ranked unit of a `kind: satisfaction` score (SURVEY-FORMAT 6); values rounded to 2 decimals. */
export interface SatisfactionUnitResult {
  readonly unit: string;
  readonly responses: number;
  readonly counted: number;
  readonly index: number;
  readonly rank: number;
  /** Only with `classes`; null when no class matches. */
  readonly class?: string | null;
  readonly components: Readonly<Record<string, { readonly index: number | null }>>;
  /** Every scale question, the overall one included; null when unrated. */
  readonly criteria: Readonly<Record<string, number | null>>;
  /** Per multi question, per option: percent of counted responses that chose it. Absent without multi questions. */
  readonly choices?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly flags: FlagCounts;
}

/** A unit that gets no index and no rank, with the first reason that applies. */
export interface ExcludedUnit {
  readonly unit: string;
  readonly reason: ExclusionReason;
  readonly responses: number;
  readonly counted: number;
}

/** The score output of a points questionnaire. */
export interface PointsScoreReport {
  readonly questionnaire: { readonly id: string; readonly version: number };
  readonly kind: "points";
  /** Sorted by rank, then unit id in code-point order. */
  readonly units: readonly PointsUnitResult[];
  /** Sorted by unit id in code-point order. */
  readonly excluded: readonly ExcludedUnit[];
}

/** The score output of a satisfaction questionnaire. */
export interface SatisfactionScoreReport {
  readonly questionnaire: { readonly id: string; readonly version: number };
  readonly kind: "satisfaction";
  readonly units: readonly SatisfactionUnitResult[];
  readonly excluded: readonly ExcludedUnit[];
}

/** Exactly the `--format json` document of SURVEY-FORMAT section 6. */
export type ScoreReport = PointsScoreReport | SatisfactionScoreReport;

/** Something the organiser should know that does not stop scoring (printed on standard error). */
export interface ScoringWarning {
  readonly code: "unweighted_group" | "appraisal_ignored";
  readonly message: string;
  /** For `unweighted_group`: the group without a weight and how many responses carry it. */
  readonly group?: string;
  readonly responses?: number;
}

/** Input that cannot be scored (e.g. an appraisal row for a unit outside the campaign). */
export interface ScoringError {
  readonly code: "unknown_appraisal_unit" | "unknown_response_unit" | "not_scored" | "bad_overall_question" | "unknown_unit";
  readonly message: string;
  readonly unit?: string;
}

/** What `scoreUnits` returns: the report and warnings, or the errors that prevent scoring. */
export type ScoringOutcome =
  | { readonly ok: true; readonly report: ScoreReport; readonly warnings: readonly ScoringWarning[] }
  | { readonly ok: false; readonly errors: readonly ScoringError[] };
