// `edit N` (sửa N) typed at a question, for every text channel: the host (Zalo, Telegram's typed
// text, the console demo) and `khaosat preview`, which runs the engine without the host. N is the
// number the questions are shown with ("Câu N"). A question already answered or passed is opened as
// the review's edit opens it (the engine's edit walk, which also asks the questions the new answer
// reveals); afterwards the respondent is back at the question they were on (from an edit walk begun
// at the review: back at the review). Any other N is refused, saying which numbers can be changed.
import { reviewItems, step, type EngineInput, type StepResult, type SurveyState } from "../engine/index.js";
import type { Questionnaire } from "../questionnaire/index.js";
import { numberRanges } from "./views.js";

/** What `edit N` at a question does: a refusal, the current question again, or the edit walk opened. */
export type MidSurveyEdit =
  /** Nothing changes; say `key` (conversation texts) with `params`. */
  | { readonly kind: "refused"; readonly key: string; readonly params: Record<string, unknown> }
  /** N is the current question: say `key`, then show it again (a resume step). */
  | { readonly kind: "current"; readonly key: string; readonly params: Record<string, unknown> }
  /**
   * The edit walk, opened: say `key`, then show `result`. `returnTo` is the flow question to come back
   * to (undefined: the walk ends at the review); keep it while the walk lasts and pass it to `endOfEdit`.
   */
  | { readonly kind: "opened"; readonly result: StepResult; readonly returnTo: string | undefined; readonly key: string; readonly params: Record<string, unknown> };

/**
 * `edit N` at a question. `returnTo`: the question an edit walk in progress returns to (from an
 * earlier `edit N`), undefined otherwise.
 */
export function editMidSurvey(questionnaire: Questionnaire, state: SurveyState, number: number | undefined, returnTo: string | undefined, now: string): MidSurveyEdit {
  const position = state.position;
  if (position.kind !== "question") throw new Error("bug: an edit mid-survey outside a question");
  if (number === undefined) return { kind: "refused", key: "conversation:editUsage", params: {} };
  const items = reviewItems(questionnaire, state);
  const current = items.find((i) => i.questionId === position.questionId)?.number ?? 1;
  if (number === current) return { kind: "current", key: "conversation:editCurrent", params: { number } };
  const answers = state.responses[state.unitIndex]?.answers ?? {};
  const passed = new Set([...(state.seen ?? []), ...state.history, ...Object.keys(answers)]);
  const editable = items.filter((i) => i.questionId !== position.questionId && passed.has(i.questionId));
  const target = editable.find((i) => i.number === number);
  const notReached = (): MidSurveyEdit =>
    editable.length === 0
      ? { kind: "refused", key: "conversation:editNothingYet", params: { current } }
      : { kind: "refused", key: "conversation:editNotReached", params: { number, current, ranges: numberRanges(editable.map((i) => i.number)), example: editable.at(-1)!.number } };
  if (!target) return notReached();
  const review = step(questionnaire, state, { type: "review" }, { now });
  const edit = step(questionnaire, review.state, { type: "edit", questionId: target.questionId }, { now });
  if (edit.state.position.kind !== "question") return notReached();
  // From the flow, back to this question; from an edit walk, where that walk returns (a question, or the review).
  const back = position.mode === "flow" ? position.questionId : returnTo;
  const returnNumber = items.find((i) => i.questionId === back)?.number;
  return {
    kind: "opened",
    result: { state: edit.state, events: edit.events },
    returnTo: back,
    key: returnNumber !== undefined ? "conversation:editReturns" : "conversation:editReturnsReview",
    params: { number, current: returnNumber },
  };
}

/**
 * A step taken during an edit walk begun by `edit N` at a question: when the walk ends at the review,
 * the review's `back` returns to the flow question it was entered from, so the respondent is where
 * they were (unless they asked for the review).
 */
export function endOfEdit(questionnaire: Questionnaire, result: StepResult, input: EngineInput, returnTo: string | undefined, now: string): StepResult {
  if (returnTo === undefined || result.state.position.kind !== "review" || input.type === "review") return result;
  const back = step(questionnaire, result.state, { type: "back" }, { now });
  if (back.state.position.kind !== "question") return result;
  return { state: back.state, events: [...result.events.filter((e) => e.type !== "review_shown"), ...back.events] };
}

/** The question an edit walk returns to, kept after a step while the walk lasts (an edit-mode question). */
export function keptReturnTo(state: SurveyState, returnTo: string | undefined): string | undefined {
  return state.position.kind === "question" && state.position.mode === "edit" ? returnTo : undefined;
}
