// A scripted respondent that takes any questionnaire through a whole conversation, exercising
// invalid answers, skips, back, resume from stored JSON, the review, edits and submit. Its choices
// are deterministic, so the conversation it produces can be kept as a golden transcript.
import { references } from "../../src/conditions/index.js";
import {
  progressOf,
  startSurvey,
  step,
  type EngineEvent,
  type EngineInput,
  type SurveyState,
} from "../../src/engine/index.js";
import { DEFAULT_TEXT_MAX_LENGTH, type Question, type Questionnaire } from "../../src/questionnaire/index.js";
import { minute } from "./support.js";

/** One entry of a transcript: an input with the events it produced, or the state being stored and reloaded. */
export type TranscriptStep =
  | { readonly at: string; readonly input: EngineInput | { readonly type: "start"; readonly units: readonly string[]; readonly language: string }; readonly events: readonly EngineEvent[] }
  | { readonly at: string; readonly stored: "state saved as JSON, reloaded and resumed" };

/** A whole conversation and where it ended. */
export interface Transcript {
  readonly questionnaire: { readonly file: string; readonly id: string; readonly version: number };
  readonly steps: readonly TranscriptStep[];
  readonly final: SurveyState;
}

const MAX_STEPS = 1000;

/** Runs the scripted conversation for `questionnaire` and returns its transcript. */
export function runTranscript(questionnaire: Questionnaire, file: string, units: readonly string[]): Transcript {
  const steps: TranscriptStep[] = [];
  let clock = 0;
  const language = questionnaire.defaultLanguage;
  const started = startSurvey(questionnaire, { units, language, now: minute(clock) });
  let state = started.state;
  steps.push({ at: minute(clock++), input: { type: "start", units, language }, events: started.events });

  const send = (input: EngineInput): readonly EngineEvent[] => {
    if (steps.length > MAX_STEPS) throw new Error(`${file}: the scripted conversation did not finish in ${MAX_STEPS} steps`);
    const at = minute(clock++);
    const result = step(questionnaire, state, input, { now: at });
    state = result.state;
    steps.push({ at, input, events: result.events });
    return result.events;
  };
  const at = (): Question | undefined =>
    state.position.kind === "question" ? questionnaire.byId.get(state.position.questionId)!.question : undefined;

  if (state.position.kind === "attestation") {
    send({ type: "resume" });
    send({ type: "accept_attestation" });
  }

  const invalidShown = new Set<string>();
  let answered = 0;
  let skipped = false;
  let wentBack = false;
  let resumed = false;
  let refused = false;

  for (let unit = 0; unit < units.length; unit++) {
    const first = unit === 0;
    // After the refused submit the engine walks through the questions not yet seen (edit mode), which
    // the respondent answers the same way as in the flow until the review comes back.
    while (state.position.kind === "question" && (state.position.mode === "flow" || (first && refused))) {
      const question = at()!;
      if (first && !invalidShown.has(question.type)) {
        invalidShown.add(question.type);
        send({ type: "answer", text: invalidText(question) });
      }
      if (first && !skipped && !question.required) {
        skipped = true;
        send({ type: "skip" });
        continue;
      }
      send(pick(questionnaire, state, question, answered, "reveal"));
      answered++;
      if (first && !wentBack && answered === 3) {
        wentBack = true;
        send({ type: "back" });
        send({ type: "back" });
        continue;
      }
      if (first && !resumed && answered >= 5) {
        resumed = true;
        state = JSON.parse(JSON.stringify(state)) as SurveyState;
        steps.push({ at: minute(clock), stored: "state saved as JSON, reloaded and resumed" });
        send({ type: "resume" });
      }
      if (first && !refused && answered >= 6 && state.position.kind === "question") {
        refused = true;
        send({ type: "review" });
        send({ type: "submit" });
        // Leaving the walk returns to the review; a second refused submit walks on from where it was.
        send({ type: "back" });
        send({ type: "submit" });
      }
    }
    if (state.position.kind !== "review") throw new Error(`${file}: expected the review, at ${JSON.stringify(state.position)}`);
    if (first) editFromReview(questionnaire, () => state, send, answered);
    answerEditQueue(questionnaire, () => state, send, at, answered);
    send({ type: "submit" });
  }
  send({ type: "resume" });
  return { questionnaire: { file, id: questionnaire.id, version: questionnaire.version }, steps, final: state };
}

/** Edit a question that conditions depend on: first to hide what it can, then to reveal it again. */
function editFromReview(
  questionnaire: Questionnaire,
  current: () => SurveyState,
  send: (input: EngineInput) => readonly EngineEvent[],
  seed: number,
): void {
  const referenced = new Set(questionnaire.questions.flatMap((info) => (info.condition ? references(info.condition).map((r) => r.question) : [])));
  const answers = current().responses[current().unitIndex]!.answers;
  const target =
    questionnaire.questions.find((info) => referenced.has(info.question.id) && answers[info.question.id] !== undefined) ??
    questionnaire.questions.find((info) => answers[info.question.id] !== undefined && info.question.type !== "text")!;
  for (const goal of ["hide", "reveal"] as const) {
    send({ type: "edit", questionId: target.question.id });
    send(pick(questionnaire, current(), target.question, seed + 1, goal));
    answerEditQueue(questionnaire, current, send, () => {
      const p = current().position;
      return p.kind === "question" ? questionnaire.byId.get(p.questionId)!.question : undefined;
    }, seed);
  }
}

function answerEditQueue(
  questionnaire: Questionnaire,
  current: () => SurveyState,
  send: (input: EngineInput) => readonly EngineEvent[],
  at: () => Question | undefined,
  seed: number,
): void {
  for (let question = at(); question !== undefined; question = at()) send(pick(questionnaire, current(), question, seed++, "reveal"));
}

/** An answer the question must refuse, one per type. */
function invalidText(question: Question): string {
  switch (question.type) {
    case "single":
    case "multi":
      return String(question.options.length + 1);
    case "scale":
      return String(question.max + 1);
    case "number":
      return "1.234,5";
    case "text":
      // Blank text to an optional question is a skip, so there the answer is one character too long.
      return question.required ? " " : "x".repeat((question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH) + 1);
  }
}

/**
 * A valid answer, typed or as buttons by turns. Among the candidates (rotated by `seed` for variety)
 * the one that shows the most questions (`reveal`) or the fewest (`hide`) is taken, so that the
 * conversation walks through conditional questions and, on edit, discards answers.
 */
function pick(questionnaire: Questionnaire, state: SurveyState, question: Question, seed: number, goal: "reveal" | "hide"): EngineInput {
  const candidates = rotate(candidatesFor(question, seed % 2 === 0), seed);
  let best: EngineInput | undefined;
  let bestTotal = 0;
  for (const input of candidates) {
    const result = step(questionnaire, state, input, { now: minute(0) });
    if (result.events[0]?.type !== "answer_recorded") continue;
    const total = progressOf(questionnaire, result.state).total;
    if (best === undefined || (goal === "reveal" ? total > bestTotal : total < bestTotal)) {
      best = input;
      bestTotal = total;
    }
  }
  if (best === undefined) throw new Error(`no valid candidate answer for ${question.id}`);
  return best;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return items.map((_, i) => items[(i + by) % n]!);
}

function candidatesFor(question: Question, typed: boolean): EngineInput[] {
  const questionId = question.id;
  switch (question.type) {
    case "single":
      return question.options.map((o, i) =>
        typed ? { type: "answer", text: String(i + 1) } : { type: "choose", questionId, choice: { kind: "option", optionId: o.id } },
      );
    case "multi": {
      const n = question.options.length;
      const size = Math.min(question.minSelect ?? 1, n) + (n > 2 ? 1 : 0);
      return question.options.map((_, i) => {
        const chosen = Array.from({ length: Math.min(size, question.maxSelect ?? n) }, (_, j) => (i + j) % n);
        return typed
          ? { type: "answer", text: chosen.map((c) => c + 1).join(", ") }
          : { type: "choose", questionId, choice: { kind: "options", optionIds: chosen.map((c) => question.options[c]!.id) } };
      });
    }
    case "scale": {
      const values: Array<number | "na"> = [];
      for (let v = question.max; v >= question.min; v--) values.push(v);
      if (question.allowNotApplicable) values.push("na");
      return values.map((value) => (typed ? { type: "answer", text: String(value) } : { type: "choose", questionId, choice: { kind: "scale", value } }));
    }
    case "number": {
      const low = question.min ?? 0;
      const high = question.max ?? low + 10;
      const mid = (low + high) / 2;
      const values = [question.integer ? Math.floor(mid) : mid + 0.5, low, high].filter((v) => v <= high);
      return values.map((v) => ({ type: "answer", text: String(v).replace(".", ",") }));
    }
    case "text": {
      const text = "Đề nghị rút ngắn thời gian giải quyết hồ sơ và niêm yết công khai phí, lệ phí.";
      return [{ type: "answer", text: text.slice(0, question.maxLength ?? text.length) }];
    }
  }
}
