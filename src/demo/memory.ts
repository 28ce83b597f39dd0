import type { StepResult, SurveyState, UnitResponse } from "../engine/index.js";
import type { CodeChecker, CodeCheckResult, Respondent, SurveySessionStore } from "./ports.js";

/** Failed attempts an account may make before it is refused for a while. */
export const MEMORY_MAX_FAILURES = 5;
const LOCK_SECONDS = 15 * 60;

// Codes are typed by people: any case, spaces or dashes between groups.
function normalize(input: string): string {
  return input.normalize("NFKC").toUpperCase().replace(/[\s\-_.]/g, "");
}

/** Codes held in memory (the demo): each works once, for the first account that presents it. */
export class MemoryCodeChecker implements CodeChecker {
  readonly #codes = new Map<string, { respondent: Respondent; account?: string }>();
  readonly #failures = new Map<string, number>();

  constructor(codes: ReadonlyMap<string, Respondent>) {
    for (const [code, respondent] of codes) this.#codes.set(normalize(code), { respondent });
  }

  async redeem(input: string, account: string, _now: Date): Promise<CodeCheckResult> {
    const failures = this.#failures.get(account) ?? 0;
    if (failures >= MEMORY_MAX_FAILURES) return { kind: "too_many_attempts", retryAfterSeconds: LOCK_SECONDS };
    const entry = this.#codes.get(normalize(input));
    if (entry === undefined || (entry.account !== undefined && entry.account !== account)) {
      this.#failures.set(account, failures + 1);
      return entry === undefined ? { kind: "invalid" } : { kind: "already_used" };
    }
    entry.account = account;
    return { kind: "ok", respondent: entry.respondent };
  }
}

/** Survey states kept in memory (the demo, tests); copies in and out, like a database would. */
export class MemorySessionStore implements SurveySessionStore {
  readonly #states = new Map<string, SurveyState>();
  /** Every step saved, in order (what a database implementation would apply). */
  readonly log: { readonly respondentId: string; readonly result: StepResult }[] = [];

  async load(respondentId: string, questionnaire: { readonly id: string; readonly version: number }): Promise<SurveyState | undefined> {
    const state = this.#states.get(respondentId);
    if (state === undefined || state.questionnaire.id !== questionnaire.id || state.questionnaire.version !== questionnaire.version) return undefined;
    return structuredClone(state);
  }

  async save(respondentId: string, result: StepResult): Promise<void> {
    this.#states.set(respondentId, structuredClone(result.state));
    this.log.push({ respondentId, result: structuredClone(result) });
  }

  async responses(respondentId: string): Promise<readonly UnitResponse[]> {
    return structuredClone(this.#states.get(respondentId)?.responses ?? []);
  }
}
