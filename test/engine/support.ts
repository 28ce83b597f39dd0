import { readFileSync } from "node:fs";
import { parseQuestionnaire, type Questionnaire } from "../../src/questionnaire/index.js";
import { startSurvey, step, type EngineEvent, type EngineInput, type StartOptions, type SurveyState } from "../../src/engine/index.js";

/** Loads a questionnaire file and fails the test with the loader's messages when it is invalid. */
export function loadQuestionnaire(path: string): Questionnaire {
  const result = parseQuestionnaire(readFileSync(path), path);
  if (!result.ok) throw new Error(`${path} is invalid:\n${result.issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
  return result.questionnaire;
}

/** The engine fixture with every question type. */
export const FIXTURE = new URL("../fixtures/transcripts/questionnaires/all-types.yaml", import.meta.url).pathname;

/** The i-th minute of a fixed test morning, as the host would pass `now`. */
export function minute(i: number): string {
  return new Date(Date.UTC(2026, 11, 1, 1, 0, 0) + i * 60_000).toISOString();
}

/** A scripted respondent: applies inputs one by one, collecting the events of each. */
export class Session {
  state: SurveyState;
  events: EngineEvent[];
  private clock = 0;

  constructor(
    readonly questionnaire: Questionnaire,
    options: Partial<StartOptions> = {},
  ) {
    const started = startSurvey(questionnaire, { units: ["U1"], now: minute(this.clock++), ...options });
    this.state = started.state;
    this.events = [...started.events];
  }

  /** Applies one input and returns its events. */
  send(input: EngineInput): EngineEvent[] {
    deepFreeze(this.state); // the engine must never change the state it is given
    const result = step(this.questionnaire, this.state, input, { now: minute(this.clock++) });
    this.state = result.state;
    this.events = [...result.events];
    return this.events;
  }

  /** Types answers to the current questions in turn. */
  type(...texts: string[]): EngineEvent[] {
    for (const text of texts) this.send({ type: "answer", text });
    return this.events;
  }

  /** The question being asked, if any. */
  get at(): string | undefined {
    return this.state.position.kind === "question" ? this.state.position.questionId : this.state.position.kind;
  }

  /** Stored values of the current unit, by question id. */
  get answers(): Record<string, unknown> {
    const response = this.state.responses[this.state.unitIndex];
    return Object.fromEntries(Object.entries(response?.answers ?? {}).map(([id, a]) => [id, a.value]));
  }
}

/** The events of a given type. */
export function ofType<T extends EngineEvent["type"]>(events: readonly EngineEvent[], type: T): Array<Extract<EngineEvent, { type: T }>> {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

/** Freezes a value and everything in it, so that any mutation throws (modules run in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
