// Public types of the survey engine. The state is plain JSON (stored in the database and resumed
// days later); events are data that channels render in the respondent's language.
import type { AnswerValue } from "../questionnaire/index.js";

/** Version of the state layout, so a host can tell an old stored state from a current one. */
export const ENGINE_STATE_VERSION = 1;

/** An ISO 8601 timestamp passed in by the host (the engine has no clock). */
export type Timestamp = string;

/** One stored answer of one subject unit. */
export interface StoredAnswer {
  readonly value: AnswerValue;
  /** When the current value was given. */
  readonly answeredAt: Timestamp;
  /** How many times the answer was changed to a different value after it was first given. */
  readonly changeCount: number;
  /**
   * Seconds the respondent spent on the question before giving this value: from the question being
   * shown to the answer, summed over every time the value was changed. Absent when unknown (states
   * stored before timing existed, or timestamps the engine cannot read).
   */
  readonly seconds?: number;
}

/** The answers to the questionnaire for one subject unit: one response. */
export interface UnitResponse {
  /** Subject unit id (the unit being assessed). */
  readonly unit: string;
  readonly startedAt: Timestamp;
  /** Set once the unit's response is submitted; it cannot change afterwards. */
  readonly submittedAt?: Timestamp;
  /** Answers by question id; unanswered, skipped and hidden questions are absent. */
  readonly answers: Readonly<Record<string, StoredAnswer>>;
}

/**
 * Where the respondent is.
 * - `attestation`: the attestation must be accepted before the first question.
 * - `question`: `mode: "flow"` walks forward through the questionnaire; `mode: "edit"` was entered
 *   from the review (an edit, or a refused submit) and returns to it after `queue` is answered:
 *   the unanswered questions still to be walked through, in questionnaire order (required ones, and
 *   any the respondent has not yet seen).
 * - `review`: all answers of the current unit are shown; the respondent may edit or submit.
 * - `completed`: every unit submitted. `declined`: the attestation was declined; nothing more happens.
 */
export type Position =
  | { readonly kind: "attestation" }
  | {
      readonly kind: "question";
      readonly questionId: string;
      readonly mode: "flow" | "edit";
      readonly queue?: readonly string[];
      /** Edit mode: the questions of this walk already answered or skipped, most recent last; `back` returns to them before the review. */
      readonly trail?: readonly string[];
      /** Multi questions answered with toggle buttons: the options ticked so far, not yet confirmed. */
      readonly selection?: readonly string[];
    }
  | { readonly kind: "review" }
  | { readonly kind: "completed" }
  | { readonly kind: "declined" };

/** The whole conversation state of one respondent with one questionnaire. Plain JSON. */
export interface SurveyState {
  readonly stateVersion: typeof ENGINE_STATE_VERSION;
  /** The questionnaire this state belongs to; `step` refuses a state of another id or version. */
  readonly questionnaire: { readonly id: string; readonly version: number };
  /** Respondent's language, one of the questionnaire's languages. */
  readonly language: string;
  readonly startedAt: Timestamp;
  /** Subject units to assess, in order (a single own unit is the common case). */
  readonly units: readonly string[];
  /** Index into `units` of the unit being answered (the last one once completed). */
  readonly unitIndex: number;
  /** Present when the questionnaire has an attestation. */
  readonly attestation?: { readonly status: "pending" | "accepted" | "declined"; readonly at?: Timestamp };
  readonly position: Position;
  /** Question ids visited in flow order in the current unit, most recent last; `back` pops it. */
  readonly history: readonly string[];
  /**
   * Question ids of the current unit the respondent has already been shown and moved on from (answered,
   * skipped, or left by back/review). A refused submit walks through every visible question not in it.
   * Absent in states stored before it existed: then the history and the answers stand for it.
   */
  readonly seen?: readonly string[];
  /** One response per unit started so far, in `units` order. */
  readonly responses: readonly UnitResponse[];
  /** When the current question was last put in front of the respondent (timing of answers). */
  readonly shownAt?: { readonly questionId: string; readonly at: Timestamp };
}

/** A structured answer from a button (callback data): checked as strictly as typed text. */
export type Choice =
  | { readonly kind: "option"; readonly optionId: string }
  | { readonly kind: "options"; readonly optionIds: readonly string[] }
  | { readonly kind: "scale"; readonly value: number | "na" };

/** Something the respondent did. Inputs naming a question must name the current one (edit: a visible one). */
export type EngineInput =
  /** Re-show where the respondent is (after `/start`, a restart or days later). */
  | { readonly type: "resume" }
  | { readonly type: "accept_attestation" }
  | { readonly type: "decline_attestation" }
  /** Typed text for any question type, e.g. "3,5", "1 3", "na"; `questionId` optional (defaults to the current one). */
  | { readonly type: "answer"; readonly questionId?: string; readonly text: string }
  /** A button press carrying an option id, option ids, or a scale value. */
  | { readonly type: "choose"; readonly questionId: string; readonly choice: Choice }
  /** Tick or untick one option of the current multi question (kept in the state until confirmed). */
  | { readonly type: "toggle"; readonly questionId: string; readonly optionId: string }
  /** Confirm the ticked options of the current multi question. */
  | { readonly type: "confirm_selection"; readonly questionId: string }
  /** Leave the current non-required question unanswered (clears an earlier answer to it). */
  | { readonly type: "skip"; readonly questionId?: string }
  | { readonly type: "back" }
  | { readonly type: "review" }
  /** From the review: change the answer to a visible question of the current unit. */
  | { readonly type: "edit"; readonly questionId: string }
  | { readonly type: "submit" }
  | { readonly type: "set_language"; readonly language: string };

/** Progress within the current unit: answered visible questions out of visible questions. */
export interface Progress {
  readonly answered: number;
  readonly total: number;
  readonly unit: string;
  /** 0-based. */
  readonly unitIndex: number;
  readonly unitCount: number;
  /**
   * Added by the conversation host, never by the engine (src/conversation/progress.ts): how many
   * questions the unit can still have given the answers so far (an upper bound while a condition
   * ahead is undecided), and whether that count is exact. Channels show it instead of `total`.
   */
  readonly atMost?: number;
  readonly exact?: boolean;
}

/** What a channel needs to draw a question's answer controls, per type. Labels come from the questionnaire. */
export type RenderHints =
  | { readonly type: "single"; readonly options: readonly HintOption[] }
  | {
      readonly type: "multi";
      readonly options: readonly HintOption[];
      readonly minSelect: number;
      readonly maxSelect: number;
      /** Ticked options (toggle buttons) or the current answer. */
      readonly selected: readonly string[];
    }
  | {
      readonly type: "scale";
      readonly min: number;
      readonly max: number;
      readonly values: readonly number[];
      /** Scale values that have a label in the questionnaire (e.g. the two ends). */
      readonly labelled: readonly number[];
      readonly allowNotApplicable: boolean;
    }
  | { readonly type: "number"; readonly min?: number; readonly max?: number; readonly integer: boolean }
  | { readonly type: "text"; readonly maxLength: number };

/** An option as offered: its id and 1-based number (respondents may type either). */
export interface HintOption {
  readonly id: string;
  readonly number: number;
}

/** Why an answer was not accepted; channels translate the code, filling in `params`. */
export type ValidationReason =
  /** Empty answer to a required question. */
  | "required"
  /** Text made only of spaces to a required text question. */
  | "empty_text"
  | "unknown_option"
  /** Several options typed ("2,3") to a single-choice question. */
  | "one_option_only"
  | "too_few_selected"
  | "too_many_selected"
  | "not_a_number"
  /** Both `.` and `,` or repeated separators, e.g. `1.234,5`: write the number without thousands separators. */
  | "ambiguous_number"
  | "not_integer"
  | "below_min"
  | "above_max"
  /** A scale answer that is not one of the scale's values. */
  | "out_of_range"
  /** "cannot judge" to a scale question without `allowNotApplicable`. */
  | "not_applicable_not_allowed"
  | "too_long"
  /** A button value of the wrong kind for the question's type (e.g. a scale value for a single question). */
  | "wrong_kind";

/** Values a channel may put into a validation message. */
export interface ValidationParams {
  readonly min?: number;
  readonly max?: number;
  readonly minSelect?: number;
  readonly maxSelect?: number;
  readonly maxLength?: number;
  readonly length?: number;
  /** The offending piece of input, e.g. an unknown option. */
  readonly value?: string;
  /** Number of options (for "type a number from 1 to N"). */
  readonly optionCount?: number;
}

/** Why an input was ignored (nothing changed). */
export type RejectReason =
  /** The input names a question other than the current one (stale button, modified client). */
  | "not_current_question"
  | "unknown_question"
  /** `edit` of a question hidden by its condition. */
  | "question_hidden"
  /** The input does not fit where the respondent is, e.g. `submit` before the attestation. */
  | "not_allowed_here"
  | "attestation_required"
  /** `back` at the first question of a unit. */
  | "nothing_before"
  /** `skip` of a required question. */
  | "required"
  /** `toggle`/`confirm_selection` on a question that is not multi, or a toggle of an unknown option. */
  | "not_multi"
  | "unknown_option"
  | "unknown_language"
  | "completed"
  | "declined";

/** One line of the review. */
export interface ReviewItem {
  readonly questionId: string;
  /** 1-based number among the unit's visible questions. */
  readonly number: number;
  readonly value?: AnswerValue;
  readonly required: boolean;
  /** Required and unanswered. */
  readonly missing: boolean;
}

/** What happened, in order. The host stores what must be stored, then renders the rest. */
export type EngineEvent =
  | { readonly type: "survey_started"; readonly at: Timestamp; readonly language: string; readonly units: readonly string[] }
  | { readonly type: "attestation_shown" }
  | { readonly type: "attestation_accepted"; readonly at: Timestamp }
  | { readonly type: "attestation_declined"; readonly at: Timestamp }
  | { readonly type: "unit_started"; readonly unit: string; readonly unitIndex: number; readonly unitCount: number; readonly at: Timestamp }
  | {
      readonly type: "question_shown";
      readonly questionId: string;
      readonly unit: string;
      /** 1-based number among the unit's visible questions. */
      readonly number: number;
      readonly progress: Progress;
      readonly mode: "flow" | "edit";
      readonly required: boolean;
      readonly canGoBack: boolean;
      /** The current answer, when the question was answered before (after back or edit). */
      readonly current?: AnswerValue;
      readonly hints: RenderHints;
    }
  | {
      readonly type: "answer_recorded";
      readonly questionId: string;
      readonly unit: string;
      readonly value: AnswerValue;
      readonly previous?: AnswerValue;
      /** False when the same value was given again (nothing to store). */
      readonly changed: boolean;
      readonly changeCount: number;
      readonly at: Timestamp;
      /** Seconds spent on the question (see `StoredAnswer.seconds`); absent when unknown. */
      readonly seconds?: number;
    }
  | {
      readonly type: "answer_discarded";
      readonly questionId: string;
      readonly unit: string;
      readonly previous: AnswerValue;
      /** `hidden`: its condition became false; `skipped`: the respondent skipped it. */
      readonly reason: "hidden" | "skipped";
    }
  | { readonly type: "question_skipped"; readonly questionId: string; readonly unit: string }
  | { readonly type: "selection_changed"; readonly questionId: string; readonly selected: readonly string[] }
  | {
      readonly type: "validation_failed";
      readonly questionId: string;
      readonly reason: ValidationReason;
      readonly params: ValidationParams;
    }
  | { readonly type: "review_shown"; readonly unit: string; readonly progress: Progress; readonly items: readonly ReviewItem[] }
  | { readonly type: "submit_refused"; readonly unit: string; readonly missing: readonly string[] }
  | {
      readonly type: "unit_submitted";
      readonly unit: string;
      readonly unitIndex: number;
      readonly startedAt: Timestamp;
      readonly at: Timestamp;
      readonly answers: Readonly<Record<string, AnswerValue>>;
    }
  | { readonly type: "completed"; readonly at: Timestamp; readonly units: readonly string[] }
  | { readonly type: "language_changed"; readonly language: string }
  | {
      readonly type: "input_rejected";
      readonly input: EngineInput["type"];
      readonly reason: RejectReason;
      readonly questionId?: string;
    };

/** The result of `startSurvey` and `step`: the new state (unchanged when rejected) and what happened. */
export interface StepResult {
  readonly state: SurveyState;
  readonly events: readonly EngineEvent[];
}

/** Options of `startSurvey`. */
export interface StartOptions {
  /** Preferred language; falls back to the questionnaire's default when it offers no such language. */
  readonly language?: string;
  /** Subject units to assess, in order; at least one. */
  readonly units: readonly string[];
  readonly now: Timestamp;
}

/** Options of `step`. */
export interface StepOptions {
  readonly now: Timestamp;
}

/** Thrown for bugs in the host, e.g. a state given with another questionnaire (never for respondent input). */
export class EngineStateError extends Error {
  override readonly name = "EngineStateError";
  constructor(
    message: string,
    readonly questionnaire?: { readonly id: string; readonly version: number },
  ) {
    super(message);
  }
}
