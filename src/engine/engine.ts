import { evaluateCondition } from "../conditions/index.js";
import { operandOf, type AnswerValue, type Question, type QuestionInfo, type Questionnaire } from "../questionnaire/index.js";
import { parseAnswerChoice, parseAnswerText, renderHints, selectLimits, type AnswerResult } from "./question-types/index.js";
import {
  ENGINE_STATE_VERSION,
  EngineStateError,
  type EngineEvent,
  type EngineInput,
  type Position,
  type Progress,
  type RejectReason,
  type ReviewItem,
  type StartOptions,
  type StepOptions,
  type StepResult,
  type StoredAnswer,
  type SurveyState,
  type Timestamp,
  type UnitResponse,
} from "./types.js";

type Answers = Readonly<Record<string, StoredAnswer>>;
type QuestionPosition = Extract<Position, { kind: "question" }>;

/** Starts a survey: shows the attestation when the questionnaire has one, else the first question of the first unit. */
export function startSurvey(questionnaire: Questionnaire, options: StartOptions): StepResult {
  return stampShown(undefined, start(questionnaire, options), options.now);
}

/** Applies one respondent input to a state; a rejected input returns the same state and an `input_rejected` event. */
export function step(questionnaire: Questionnaire, state: SurveyState, input: EngineInput, options: StepOptions): StepResult {
  return stampShown(state, applyInput(questionnaire, state, input, options), options.now);
}

/**
 * Records when a question is put in front of the respondent, for the seconds of its answer. A
 * question shown again where the respondent already was (resume, language change) keeps its time.
 */
function stampShown(before: SurveyState | undefined, result: StepResult, now: Timestamp): StepResult {
  const position = result.state.position;
  if (position.kind !== "question" || result.state === before) return result;
  if (!result.events.some((e) => e.type === "question_shown" && e.questionId === position.questionId)) return result;
  const stayed = before?.position.kind === "question" && before.position.questionId === position.questionId && before.shownAt?.questionId === position.questionId;
  if (stayed) return result;
  return { ...result, state: { ...result.state, shownAt: { questionId: position.questionId, at: now } } };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of an ISO 8601 timestamp with a zone (the engine has no Date); undefined when unreadable. */
export function timestampMs(timestamp: Timestamp): number | undefined {
  const m = ISO.exec(timestamp);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const zone = m[8]!;
  const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + fraction - offset;
}

/** Seconds from the current question being shown to `now`, to a tenth; undefined when unknown. */
function secondsOnQuestion(state: SurveyState, questionId: string, now: Timestamp): number | undefined {
  if (state.shownAt?.questionId !== questionId) return undefined;
  const from = timestampMs(state.shownAt.at);
  const to = timestampMs(now);
  if (from === undefined || to === undefined || to < from) return undefined;
  return Math.round((to - from) / 100) / 10;
}

function start(questionnaire: Questionnaire, options: StartOptions): StepResult {
  if (options.units.length === 0) throw new EngineStateError("startSurvey needs at least one subject unit");
  if (new Set(options.units).size !== options.units.length) throw new EngineStateError(`subject units repeat: ${options.units.join(", ")}`);
  const language = questionnaire.languages.includes(options.language ?? "") ? options.language! : questionnaire.defaultLanguage;
  const base: SurveyState = {
    stateVersion: ENGINE_STATE_VERSION,
    questionnaire: { id: questionnaire.id, version: questionnaire.version },
    language,
    startedAt: options.now,
    units: [...options.units],
    unitIndex: 0,
    position: { kind: "attestation" },
    history: [],
    responses: [],
  };
  const started: EngineEvent = { type: "survey_started", at: options.now, language, units: base.units };
  if (questionnaire.definition.attestation !== undefined) {
    return { state: { ...base, attestation: { status: "pending" } }, events: [started, { type: "attestation_shown" }] };
  }
  const unit = beginUnit(questionnaire, base, 0, options.now);
  return { state: unit.state, events: [started, ...unit.events] };
}

function applyInput(questionnaire: Questionnaire, state: SurveyState, input: EngineInput, options: StepOptions): StepResult {
  checkState(questionnaire, state);
  const now = options.now;
  const reject = (reason: RejectReason, questionId?: string): StepResult => ({
    state,
    events: [{ type: "input_rejected", input: input.type, reason, ...(questionId !== undefined ? { questionId } : {}) }],
  });

  if (input.type === "set_language") {
    if (!questionnaire.languages.includes(input.language)) return reject("unknown_language");
    const next = { ...state, language: input.language };
    const changed: EngineEvent = { type: "language_changed", language: input.language };
    const terminal = state.position.kind === "completed" || state.position.kind === "declined";
    return { state: next, events: terminal ? [changed] : [changed, ...show(questionnaire, next)] };
  }

  const position = state.position;
  if (position.kind === "completed") return reject("completed");
  if (position.kind === "declined") return reject("declined");
  if (input.type === "resume") return { state, events: show(questionnaire, state) };

  if (position.kind === "attestation") {
    if (input.type === "accept_attestation") {
      const accepted: SurveyState = { ...state, attestation: { status: "accepted", at: now } };
      const unit = beginUnit(questionnaire, accepted, 0, now);
      return { state: unit.state, events: [{ type: "attestation_accepted", at: now }, ...unit.events] };
    }
    if (input.type === "decline_attestation") {
      return {
        state: { ...state, attestation: { status: "declined", at: now }, position: { kind: "declined" } },
        events: [{ type: "attestation_declined", at: now }],
      };
    }
    return reject("attestation_required");
  }
  if (input.type === "accept_attestation" || input.type === "decline_attestation") return reject("not_allowed_here");

  switch (input.type) {
    case "back":
      return back(questionnaire, state) ?? reject("nothing_before");
    case "review":
      return toReview(questionnaire, state);
    case "edit": {
      if (position.kind !== "review") return reject("not_allowed_here", input.questionId);
      const info = questionnaire.byId.get(input.questionId);
      if (!info) return reject("unknown_question", input.questionId);
      if (!visibleIds(questionnaire, currentAnswers(state)).has(input.questionId)) return reject("question_hidden", input.questionId);
      return goTo(questionnaire, state, { kind: "question", questionId: input.questionId, mode: "edit" });
    }
    case "submit":
      if (position.kind !== "review") return reject("not_allowed_here");
      return submit(questionnaire, state, now);
    default:
      break;
  }

  // What remains names (or implies) the current question.
  const named = input.questionId;
  if (position.kind !== "question") {
    if (named === undefined) return reject("not_allowed_here");
    return reject(questionnaire.byId.has(named) ? "not_current_question" : "unknown_question", named);
  }
  if (named !== undefined && named !== position.questionId) {
    return reject(questionnaire.byId.has(named) ? "not_current_question" : "unknown_question", named);
  }
  const question = questionnaire.byId.get(position.questionId)!.question;

  switch (input.type) {
    case "answer": {
      if (input.text.trim() === "") {
        if (!question.required) return skip(questionnaire, state, position, now);
        return refused(question, { ok: false, reason: question.type === "text" ? "empty_text" : "required", params: {} }, state);
      }
      return answer(questionnaire, state, position, parseAnswerText(question, input.text), now);
    }
    case "choose":
      return answer(questionnaire, state, position, parseAnswerChoice(question, input.choice), now);
    case "skip":
      if (question.required) return reject("required", question.id);
      return skip(questionnaire, state, position, now);
    case "toggle": {
      if (question.type !== "multi") return reject("not_multi", question.id);
      if (!question.options.some((o) => o.id === input.optionId)) return reject("unknown_option", question.id);
      const selected = selectionOf(state, position);
      const ticked = new Set(selected.includes(input.optionId) ? selected.filter((id) => id !== input.optionId) : [...selected, input.optionId]);
      const ordered = question.options.filter((o) => ticked.has(o.id)).map((o) => o.id);
      const limits = selectLimits(question);
      if (ordered.length > limits.maxSelect) {
        return { state, events: [{ type: "validation_failed", questionId: question.id, reason: "too_many_selected", params: limits }] };
      }
      return {
        state: { ...state, position: { ...position, selection: ordered } },
        events: [{ type: "selection_changed", questionId: question.id, selected: ordered }],
      };
    }
    case "confirm_selection": {
      if (question.type !== "multi") return reject("not_multi", question.id);
      return answer(questionnaire, state, position, parseAnswerChoice(question, { kind: "options", optionIds: selectionOf(state, position) }), now);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Answers and visibility

function checkState(questionnaire: Questionnaire, state: SurveyState): void {
  if (state.stateVersion !== ENGINE_STATE_VERSION) {
    throw new EngineStateError(`state version ${String(state.stateVersion)} is not ${ENGINE_STATE_VERSION}`, state.questionnaire);
  }
  if (state.questionnaire.id !== questionnaire.id || state.questionnaire.version !== questionnaire.version) {
    throw new EngineStateError(
      `state belongs to questionnaire ${state.questionnaire.id} v${state.questionnaire.version}, not ${questionnaire.id} v${questionnaire.version}`,
      state.questionnaire,
    );
  }
}

function currentResponse(state: SurveyState): UnitResponse | undefined {
  return state.responses[state.unitIndex];
}

function currentAnswers(state: SurveyState): Answers {
  return currentResponse(state)?.answers ?? {};
}

function currentUnit(state: SurveyState): string {
  return state.units[state.unitIndex]!;
}

/**
 * The visible questions of an answers object, remembered per object: a step asks several times
 * (hidden answers, the next question, progress) about the same answers, which the engine never
 * changes once made (each change makes a new object).
 */
const VISIBLE = new WeakMap<Answers, { readonly questionnaire: Questionnaire; readonly questions: readonly QuestionInfo[]; ids?: ReadonlySet<string> }>();

function visibleQuestions(questionnaire: Questionnaire, answers: Answers): readonly QuestionInfo[] {
  return visibility(questionnaire, answers).questions;
}

function visibility(questionnaire: Questionnaire, answers: Answers): { readonly questionnaire: Questionnaire; readonly questions: readonly QuestionInfo[]; ids?: ReadonlySet<string> } {
  const known = VISIBLE.get(answers);
  if (known?.questionnaire === questionnaire) return known;
  const found = { questionnaire, questions: computeVisible(questionnaire, answers) };
  VISIBLE.set(answers, found);
  return found;
}

/** Questions shown under these answers, in order. Conditions only look back, so one pass decides. */
function computeVisible(questionnaire: Questionnaire, answers: Answers): QuestionInfo[] {
  const visible: QuestionInfo[] = [];
  const shown = new Set<string>();
  for (const info of questionnaire.questions) {
    const ok =
      info.condition === undefined ||
      evaluateCondition(info.condition, (id) => {
        const target = questionnaire.byId.get(id);
        return target && shown.has(id) ? operandOf(target.question, answers[id]?.value) : undefined;
      });
    if (ok) {
      visible.push(info);
      shown.add(info.question.id);
    }
  }
  return visible;
}

function visibleIds(questionnaire: Questionnaire, answers: Answers): ReadonlySet<string> {
  const found = visibility(questionnaire, answers);
  return (found.ids ??= new Set(found.questions.map((q) => q.question.id)));
}

/** Drops the answers of questions that are no longer shown (SURVEY-FORMAT 2: the answer is discarded). */
function discardHidden(questionnaire: Questionnaire, answers: Answers, unit: string): { answers: Answers; events: EngineEvent[] } {
  const visible = visibleIds(questionnaire, answers);
  const kept: Record<string, StoredAnswer> = {};
  const events: EngineEvent[] = [];
  for (const info of questionnaire.questions) {
    const id = info.question.id;
    const stored = answers[id];
    if (stored === undefined) continue;
    if (visible.has(id)) kept[id] = stored;
    else events.push({ type: "answer_discarded", questionId: id, unit, previous: stored.value, reason: "hidden" });
  }
  // Nothing hidden and nothing else dropped: the same answers, so the same visibility (known already).
  if (events.length === 0 && Object.keys(kept).length === Object.keys(answers).length) VISIBLE.set(kept, visibility(questionnaire, answers));
  return { answers: kept, events };
}

function sameValue(a: AnswerValue, b: AnswerValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Questions of the current unit the respondent has been shown and moved on from. */
function seenIds(state: SurveyState): Set<string> {
  return new Set([...(state.seen ?? []), ...state.history, ...Object.keys(currentAnswers(state))]);
}

/** The state with the current question (if any) recorded as seen. */
function leaving(state: SurveyState): SurveyState {
  const position = state.position;
  if (position.kind !== "question" || state.seen?.includes(position.questionId)) return state;
  return { ...state, seen: [...(state.seen ?? []), position.questionId] };
}

function withAnswers(state: SurveyState, answers: Answers): SurveyState {
  const responses = state.responses.map((r, i) => (i === state.unitIndex ? { ...r, answers } : r));
  return { ...state, responses };
}

function refused(question: Question, result: AnswerResult & { ok: false }, state: SurveyState): StepResult {
  return { state, events: [{ type: "validation_failed", questionId: question.id, reason: result.reason, params: result.params }] };
}

function answer(questionnaire: Questionnaire, state: SurveyState, position: QuestionPosition, result: AnswerResult, now: Timestamp): StepResult {
  const questionId = position.questionId;
  const question = questionnaire.byId.get(questionId)!.question;
  if (!result.ok) return refused(question, result, state);
  const unit = currentUnit(state);
  const before = currentAnswers(state);
  const previous = before[questionId];
  const changed = previous === undefined || !sameValue(previous.value, result.value);
  const spent = secondsOnQuestion(state, questionId, now);
  const seconds = spent === undefined ? undefined : Math.round(((previous?.seconds ?? 0) + spent) * 10) / 10;
  const stored: StoredAnswer = changed
    ? { value: result.value, answeredAt: now, changeCount: previous === undefined ? 0 : previous.changeCount + 1, ...(seconds !== undefined ? { seconds } : {}) }
    : previous;
  const recorded: EngineEvent = {
    type: "answer_recorded",
    questionId,
    unit,
    value: stored.value,
    ...(previous !== undefined ? { previous: previous.value } : {}),
    changed,
    changeCount: stored.changeCount,
    at: stored.answeredAt,
    ...(stored.seconds !== undefined ? { seconds: stored.seconds } : {}),
  };
  return moveOn(questionnaire, state, position, { ...before, [questionId]: stored }, [recorded]);
}

function skip(questionnaire: Questionnaire, state: SurveyState, position: QuestionPosition, _now: Timestamp): StepResult {
  const questionId = position.questionId;
  const unit = currentUnit(state);
  const before = currentAnswers(state);
  const previous = before[questionId];
  const rest: Record<string, StoredAnswer> = { ...before };
  delete rest[questionId];
  const event: EngineEvent =
    previous === undefined
      ? { type: "question_skipped", questionId, unit }
      : { type: "answer_discarded", questionId, unit, previous: previous.value, reason: "skipped" };
  return moveOn(questionnaire, state, position, rest, [event]);
}

/**
 * After the current question was answered or skipped: discard answers that became hidden, then go
 * on. In flow, to the next visible question or the review; in edit mode (after an edit or a refused
 * submit), to the next question of the queue or newly visible, unanswered and either required or not
 * yet seen, else back to the review.
 */
function moveOn(questionnaire: Questionnaire, state: SurveyState, position: QuestionPosition, answers: Answers, events: EngineEvent[]): StepResult {
  const unit = currentUnit(state);
  const cleaned = discardHidden(questionnaire, answers, unit);
  const updated = withAnswers(leaving(state), cleaned.answers);
  const allEvents = [...events, ...cleaned.events];
  const visible = visibleQuestions(questionnaire, cleaned.answers);
  const current = questionnaire.byId.get(position.questionId)!;

  if (position.mode === "edit") {
    const visibleBefore = visibleIds(questionnaire, currentAnswers(state));
    const queued = new Set(position.queue ?? []);
    const pending = new Set(queued);
    for (const info of visible) if (!visibleBefore.has(info.question.id)) pending.add(info.question.id);
    const seen = seenIds(updated);
    // A question still queued stays queued while unanswered (the respondent may have gone back past it).
    const queue = visible
      .filter((info) => pending.has(info.question.id) && info.question.id !== current.question.id)
      .filter((info) => cleaned.answers[info.question.id] === undefined && (queued.has(info.question.id) || info.question.required || !seen.has(info.question.id)))
      .map((info) => info.question.id);
    const trail = [...(position.trail ?? []).filter((id) => id !== current.question.id), current.question.id];
    const [first, ...rest] = queue;
    if (first === undefined) {
      const next: SurveyState = { ...updated, position: { kind: "review" } };
      return { state: next, events: [...allEvents, ...show(questionnaire, next)] };
    }
    const next: SurveyState = { ...updated, position: { kind: "question", questionId: first, mode: "edit", ...(rest.length ? { queue: rest } : {}), trail } };
    return { state: next, events: [...allEvents, ...show(questionnaire, next)] };
  }

  const history = [...updated.history, current.question.id];
  const following = visible.find((info) => info.index > current.index);
  const next: SurveyState = following
    ? { ...updated, history, position: { kind: "question", questionId: following.question.id, mode: "flow" } }
    : { ...updated, history, position: { kind: "review" } };
  return { state: next, events: [...allEvents, ...show(questionnaire, next)] };
}

function selectionOf(state: SurveyState, position: QuestionPosition): readonly string[] {
  if (position.selection !== undefined) return position.selection;
  const value = currentAnswers(state)[position.questionId]?.value;
  return Array.isArray(value) ? value : [];
}

// ---------------------------------------------------------------------------------------------
// Navigation

function beginUnit(questionnaire: Questionnaire, state: SurveyState, unitIndex: number, now: Timestamp): StepResult {
  const unit = state.units[unitIndex]!;
  const first = visibleQuestions(questionnaire, {})[0]!;
  const next: SurveyState = {
    ...state,
    unitIndex,
    history: [],
    seen: [],
    responses: [...state.responses, { unit, startedAt: now, answers: {} }],
    position: { kind: "question", questionId: first.question.id, mode: "flow" },
  };
  return {
    state: next,
    events: [{ type: "unit_started", unit, unitIndex, unitCount: state.units.length, at: now }, ...show(questionnaire, next)],
  };
}

function goTo(questionnaire: Questionnaire, state: SurveyState, position: Position): StepResult {
  const next = { ...state, position };
  return { state: next, events: show(questionnaire, next) };
}

/**
 * Back: in an edit walk (after a refused submit, or questions an edit made visible), to the walk's
 * previous question still shown, keeping the current one queued; from its first question (or a
 * single edit) to the review; in flow, to the most recent visited question that is still shown.
 */
function back(questionnaire: Questionnaire, state: SurveyState): StepResult | undefined {
  const visible = visibleIds(questionnaire, currentAnswers(state));
  if (state.position.kind === "question" && state.position.mode === "edit") {
    const position = state.position;
    const trail = (position.trail ?? []).filter((id) => visible.has(id) && id !== position.questionId);
    const previous = trail.pop();
    if (previous === undefined) return goTo(questionnaire, leaving(state), { kind: "review" });
    const queue = [position.questionId, ...(position.queue ?? [])];
    return goTo(questionnaire, leaving(state), { kind: "question", questionId: previous, mode: "edit", queue, ...(trail.length ? { trail } : {}) });
  }
  const history = [...state.history];
  const current = state.position.kind === "question" ? state.position.questionId : undefined;
  while (history.length > 0) {
    const id = history.pop()!;
    if (visible.has(id) && id !== current) {
      return goTo(questionnaire, { ...leaving(state), history }, { kind: "question", questionId: id, mode: "flow" });
    }
  }
  return undefined;
}

function toReview(questionnaire: Questionnaire, state: SurveyState): StepResult {
  const position = state.position;
  // Coming from the flow, remember the question so that `back` returns to it.
  const history = position.kind === "question" && position.mode === "flow" ? [...state.history, position.questionId] : state.history;
  return goTo(questionnaire, { ...leaving(state), history }, { kind: "review" });
}

function missingRequired(questionnaire: Questionnaire, answers: Answers): string[] {
  return visibleQuestions(questionnaire, answers)
    .filter((info) => info.question.required && answers[info.question.id] === undefined)
    .map((info) => info.question.id);
}

function submit(questionnaire: Questionnaire, state: SurveyState, now: Timestamp): StepResult {
  const unit = currentUnit(state);
  const response = currentResponse(state)!;
  const missing = missingRequired(questionnaire, response.answers);
  if (missing.length > 0) {
    // Walk through every visible question still unanswered that is required or was never seen, in
    // order, before the review comes back: refusing a submit must not pass over unseen optional questions.
    const seen = seenIds(state);
    const walk = visibleQuestions(questionnaire, response.answers)
      .filter((info) => response.answers[info.question.id] === undefined && (info.question.required || !seen.has(info.question.id)))
      .map((info) => info.question.id);
    const [first, ...rest] = walk;
    const next: SurveyState = { ...state, position: { kind: "question", questionId: first!, mode: "edit", ...(rest.length ? { queue: rest } : {}) } };
    return { state: next, events: [{ type: "submit_refused", unit, missing }, ...show(questionnaire, next)] };
  }
  const answers: Record<string, AnswerValue> = {};
  for (const [id, stored] of Object.entries(response.answers)) answers[id] = stored.value;
  const submitted: SurveyState = {
    ...state,
    responses: state.responses.map((r, i) => (i === state.unitIndex ? { ...r, submittedAt: now } : r)),
  };
  const done: EngineEvent = { type: "unit_submitted", unit, unitIndex: state.unitIndex, startedAt: response.startedAt, at: now, answers };
  if (state.unitIndex + 1 < state.units.length) {
    const nextUnit = beginUnit(questionnaire, submitted, state.unitIndex + 1, now);
    return { state: nextUnit.state, events: [done, ...nextUnit.events] };
  }
  return {
    state: { ...submitted, history: [], seen: [], position: { kind: "completed" } },
    events: [done, { type: "completed", at: now, units: state.units }],
  };
}

// ---------------------------------------------------------------------------------------------
// What the respondent sees

/** Progress of the current unit under its current answers. */
export function progressOf(questionnaire: Questionnaire, state: SurveyState): Progress {
  const answers = currentAnswers(state);
  const visible = visibleQuestions(questionnaire, answers);
  return {
    answered: visible.filter((info) => answers[info.question.id] !== undefined).length,
    total: visible.length,
    unit: currentUnit(state),
    unitIndex: state.unitIndex,
    unitCount: state.units.length,
  };
}

/** The review of the current unit: every visible question with its answer. */
export function reviewItems(questionnaire: Questionnaire, state: SurveyState): ReviewItem[] {
  const answers = currentAnswers(state);
  return visibleQuestions(questionnaire, answers).map((info, i) => {
    const stored = answers[info.question.id];
    return {
      questionId: info.question.id,
      number: i + 1,
      ...(stored !== undefined ? { value: stored.value } : {}),
      required: info.question.required,
      missing: info.question.required && stored === undefined,
    };
  });
}

/** Events that show the current position again (resume, language change, after a move). */
function show(questionnaire: Questionnaire, state: SurveyState): EngineEvent[] {
  const position = state.position;
  switch (position.kind) {
    case "attestation":
      return [{ type: "attestation_shown" }];
    case "review":
      return [{ type: "review_shown", unit: currentUnit(state), progress: progressOf(questionnaire, state), items: reviewItems(questionnaire, state) }];
    case "completed":
    case "declined":
      return [];
    case "question": {
      const answers = currentAnswers(state);
      const visible = visibleQuestions(questionnaire, answers);
      const info = questionnaire.byId.get(position.questionId)!;
      const current = answers[position.questionId]?.value;
      const canGoBack = position.mode === "edit" || state.history.some((id) => id !== position.questionId && visible.some((v) => v.question.id === id));
      return [
        {
          type: "question_shown",
          questionId: position.questionId,
          unit: currentUnit(state),
          number: visible.findIndex((v) => v.question.id === position.questionId) + 1,
          progress: progressOf(questionnaire, state),
          mode: position.mode,
          required: info.question.required,
          canGoBack,
          ...(current !== undefined ? { current } : {}),
          hints: renderHints(info.question, selectionOf(state, position)),
        },
      ];
    }
  }
}
