import fc from "fast-check";
import { expect, test } from "vitest";
import { progressOf, startSurvey, step, validateAnswer, type EngineInput, type SurveyState } from "../../src/engine/index.js";
import { FIXTURE, deepFreeze, loadQuestionnaire, minute } from "./support.js";

const q = loadQuestionnaire(FIXTURE);
const ids = [...q.byId.keys(), "nope"];

const input: fc.Arbitrary<EngineInput> = fc.oneof(
  fc.record({ type: fc.constant("answer" as const), text: fc.constantFrom("1", "2", "3", "4", "1,3", "2 4", "na", "3,5", "12", "", " ", "Ý kiến", "1.234,5", "99") }),
  fc.record({
    type: fc.constant("choose" as const),
    questionId: fc.constantFrom(...ids),
    choice: fc.oneof(
      fc.record({ kind: fc.constant("option" as const), optionId: fc.constantFrom("lead", "staff", "citizen", "a", "zz") }),
      fc.record({ kind: fc.constant("options" as const), optionIds: fc.subarray(["a", "b", "c", "d", "zz"]) }),
      fc.record({ kind: fc.constant("scale" as const), value: fc.constantFrom(1, 2, 3, 5, 6, 2.5, "na" as const) }),
    ),
  }),
  fc.record({ type: fc.constant("toggle" as const), questionId: fc.constantFrom(...ids), optionId: fc.constantFrom("a", "b", "d", "zz") }),
  fc.record({ type: fc.constant("confirm_selection" as const), questionId: fc.constantFrom(...ids) }),
  fc.record({ type: fc.constant("edit" as const), questionId: fc.constantFrom(...ids) }),
  fc.constantFrom<EngineInput>(
    { type: "back" },
    { type: "review" },
    { type: "submit" },
    { type: "skip" },
    { type: "resume" },
    { type: "accept_attestation" },
    { type: "decline_attestation" },
    { type: "set_language", language: "en" },
    { type: "set_language", language: "xx" },
  ),
);

test("any input sequence keeps the state valid, JSON-safe, and unchanged when refused", () => {
  fc.assert(
    fc.property(fc.array(input, { maxLength: 60 }), (inputs) => {
      let state: SurveyState = startSurvey(q, { units: ["A", "B"], now: minute(0) }).state;
      inputs.forEach((inp, i) => {
        deepFreeze(state);
        const result = step(q, state, inp, { now: minute(i + 1) });
        const kinds = result.events.map((e) => e.type);
        if (kinds.includes("input_rejected") || kinds.includes("validation_failed")) {
          expect(result.events).toHaveLength(1);
          expect(result.state).toBe(state);
        }
        state = JSON.parse(JSON.stringify(result.state)) as SurveyState;
        expect(state).toEqual(result.state);
        for (const response of state.responses.slice(0, state.unitIndex + 1)) {
          for (const [id, stored] of Object.entries(response.answers)) {
            expect(validateAnswer(q.byId.get(id)!.question, stored.value)).toEqual({ ok: true, value: stored.value });
          }
        }
        if (state.responses.length > 0) {
          const progress = progressOf(q, state);
          expect(progress.answered).toBeLessThanOrEqual(progress.total);
          expect(progress.answered).toBe(Object.keys(state.responses[state.unitIndex]!.answers).length);
        }
      });
    }),
    { numRuns: 300, seed: 20261201 },
  );
});
