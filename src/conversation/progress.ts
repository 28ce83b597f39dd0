// The question counter a respondent reads ("Câu 2/26"), made honest and stable.
//
// The engine counts a question in the total once its `showIf` condition is true under the answers so
// far; a question whose condition depends on a question not yet answered counts as hidden. So a
// respondent who answered "yes" to a gate saw the total grow mid-survey ("Câu 2/26", later
// "Câu 24/29") and read it as the survey getting longer.
//
// The choice made here: the total counts every question that can still be shown given the answers
// so far — a question whose condition is already true, and one whose condition is still undecided
// because it depends on a question not yet answered. That is an upper bound: while any question is
// undecided the counter reads "Câu 2/tối đa 30" ("Question 2 of at most 30"); once nothing ahead is
// undecided it is exact and reads "Câu 24/29" as before. Walking forward, an answer can only decide
// conditions, so the total never goes up (it goes down when a gate is answered "no", which reads as
// "fewer questions than announced", never as "the survey got longer"); the question number itself
// is the engine's (its place among the questions shown), so it grows by one per question. Only
// changing an earlier answer (back, edit) can raise the total again, and then the respondent caused
// it. The host adds the bound to every `question_shown` and `review_shown` event it renders
// (`withHonestProgress`), so every channel (Telegram's buttons, Zalo and the console's text, the
// preview) shows the same counter through `progressLabel`, and the review the same total through
// `reviewProgressLabel` ("Đã trả lời 2/tối đa 30 câu."); Telegram's /status says it too.
import { evaluateCondition, type Condition, type Operand } from "../conditions/index.js";
import type { EngineEvent, Progress, StepResult, SurveyState } from "../engine/index.js";
import { operandOf, type Questionnaire } from "../questionnaire/index.js";

/** Unknown: the condition depends on an answer not given yet. */
type Truth = boolean | "unknown";

/** What a condition sees of a question: its operand (undefined: unanswered or hidden), or unknown. */
type Lookup = (question: string) => Operand | undefined | "unknown";

/** The honest total of the current unit: questions that can still be shown, and whether none is undecided. */
export function honestTotal(questionnaire: Questionnaire, state: SurveyState): { readonly atMost: number; readonly exact: boolean } {
  const response = state.responses[state.unitIndex];
  const answers = response?.answers ?? {};
  const position = state.position;
  const current = position.kind === "question" ? position.questionId : undefined;
  // At a review (and in an edit walk begun at one) the flow question it was entered from is still the
  // respondent's next question (the review's `back` returns to it; a mid-survey edit ends there), so it
  // counts as the current one: the review says the total its question said. The last of the history;
  // at a review reached by leaving the last question, nothing depends on that one (conditions refer
  // to earlier questions only).
  const returnsTo = position.kind === "review" || (position.kind === "question" && position.mode === "edit") ? state.history.at(-1) : undefined;
  // Passed questions left unanswered were skipped: decided. The current one and those not reached yet are not.
  const passed = new Set([...(state.seen ?? []), ...state.history]);
  const undecided = (id: string) => answers[id] === undefined && (id === current || id === returnsTo || !passed.has(id));
  const visibility = new Map<string, Truth>();
  let atMost = 0;
  let exact = true;
  for (const info of questionnaire.questions) {
    const truth: Truth =
      info.condition === undefined
        ? true
        : evaluate(info.condition, (id) => {
            const shown = visibility.get(id);
            const target = questionnaire.byId.get(id);
            if (shown === undefined || shown === false || !target) return undefined;
            if (shown === "unknown" || undecided(id)) return "unknown";
            return operandOf(target.question, answers[id]?.value);
          });
    visibility.set(info.question.id, truth);
    if (truth !== false) atMost++;
    if (truth === "unknown") exact = false;
  }
  return { atMost, exact };
}

/** Three-valued `evaluateCondition`: a comparison with an undecided question is unknown. */
function evaluate(condition: Condition, lookup: Lookup): Truth {
  switch (condition.kind) {
    case "or": {
      const values = condition.items.map((item) => evaluate(item, lookup));
      return values.includes(true) ? true : values.includes("unknown") ? "unknown" : false;
    }
    case "and": {
      const values = condition.items.map((item) => evaluate(item, lookup));
      return values.includes(false) ? false : values.includes("unknown") ? "unknown" : true;
    }
    case "not": {
      const value = evaluate(condition.operand, lookup);
      return value === "unknown" ? value : !value;
    }
    default: {
      const operand = lookup(condition.question);
      if (operand === "unknown") return "unknown";
      // A decided leaf reads as the engine reads it (conditions/evaluate.ts).
      return evaluateCondition(condition, () => operand);
    }
  }
}

/**
 * The step with the honest total added to each question and review it shows (the events are otherwise
 * unchanged): the review's "answered out of" names the same total as the question counter.
 */
export function withHonestProgress(questionnaire: Questionnaire, result: StepResult): StepResult {
  if (!result.events.some((e) => e.type === "question_shown" || e.type === "review_shown")) return result;
  const total = honestTotal(questionnaire, result.state);
  const events = result.events.map((event): EngineEvent =>
    event.type === "question_shown" || event.type === "review_shown" ? { ...event, progress: { ...event.progress, atMost: total.atMost, exact: total.exact } } : event,
  );
  return { ...result, events };
}

/** The total to show and whether it is exact (a progress without the host's bound: the engine's total, exact). */
export function shownTotal(progress: Progress): { readonly total: number; readonly exact: boolean } {
  if (progress.atMost === undefined || progress.exact !== false) return { total: progress.atMost ?? progress.total, exact: true };
  return { total: progress.atMost, exact: false };
}

/** "Câu 2/tối đa 30", "Câu 24/29", with the unit when several are assessed (texts `survey:progress*`). */
export function progressLabel(t: (key: string, params?: Record<string, unknown>) => string, number: number, progress: Progress, unitName: string): string {
  const { total, exact } = shownTotal(progress);
  const suffix = exact ? "" : "AtMost";
  return progress.unitCount > 1
    ? t(`survey:progressUnit${suffix}`, { number, total, unit: unitName, unitNumber: progress.unitIndex + 1, unitCount: progress.unitCount })
    : t(`survey:progress${suffix}`, { number, total });
}

/** The review's "Đã trả lời 2/tối đa 30 câu." or "Đã trả lời 24/29 câu." (texts `survey:review.progress*`). */
export function reviewProgressLabel(t: (key: string, params?: Record<string, unknown>) => string, progress: Progress): string {
  const { total, exact } = shownTotal(progress);
  return t(exact ? "survey:review.progress" : "survey:review.progressAtMost", { answered: progress.answered, total });
}
