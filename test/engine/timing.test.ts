import { describe, expect, test } from "vitest";
import { step, timestampMs, type EngineEvent, type SurveyState } from "../../src/engine/index.js";
import { FIXTURE, Session, loadQuestionnaire } from "./support.js";

const q = loadQuestionnaire(FIXTURE);
const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 1, 0, 0) + seconds * 1000).toISOString();

/** A session past the attestation, on the first question, whose next steps happen at chosen times. */
function atFirstQuestion(): { state: SurveyState; send: (input: Parameters<typeof step>[2], seconds: number) => EngineEvent[] } {
  const s = new Session(q);
  s.send({ type: "accept_attestation" });
  let state = s.state;
  return {
    get state() {
      return state;
    },
    send(input, seconds) {
      const result = step(q, state, input, { now: at(seconds) });
      state = result.state;
      return [...result.events];
    },
  } as { state: SurveyState; send: (input: Parameters<typeof step>[2], seconds: number) => EngineEvent[] };
}

const recorded = (events: EngineEvent[]) => events.find((e): e is Extract<EngineEvent, { type: "answer_recorded" }> => e.type === "answer_recorded");

describe("per-question timing (issue 16)", () => {
  test("the seconds from a question being shown to its answer are reported and kept with the answer", () => {
    const s = atFirstQuestion();
    // The attestation was accepted at minute 1 (the Session clock); the first question was shown then.
    s.send({ type: "resume" }, 0);
    const first = s.state.shownAt!;
    expect(first.questionId).toBe("q_role");
    const events = s.send({ type: "answer", text: "staff" }, timestampMs(first.at)! / 1000 - Date.UTC(2026, 11, 1, 1, 0, 0) / 1000 + 4.25);
    expect(recorded(events)!.seconds).toBe(4.3);
    expect(s.state.responses[0]!.answers.q_role!.seconds).toBe(4.3);
    expect(s.state.shownAt!.questionId).toBe("q_years");
  });

  test("a refused answer keeps the clock running; a resume or a language change on the same question does not restart it", () => {
    const s = atFirstQuestion();
    const base = (timestampMs(s.state.shownAt!.at)! - Date.UTC(2026, 11, 1, 1, 0, 0)) / 1000;
    s.send({ type: "answer", text: "staff" }, base + 2);
    const shown = s.state.shownAt!;
    expect(s.send({ type: "answer", text: "mười" }, base + 5)[0]!.type).toBe("validation_failed");
    s.send({ type: "resume" }, base + 6);
    s.send({ type: "set_language", language: "en" }, base + 7);
    expect(s.state.shownAt).toEqual(shown);
    expect(recorded(s.send({ type: "answer", text: "12" }, base + 11))!.seconds).toBe(9);
  });

  test("an unreadable timestamp leaves the seconds unknown instead of guessing", () => {
    const s = atFirstQuestion();
    const result = step(q, s.state, { type: "answer", text: "staff" }, { now: "yesterday" });
    const event = recorded([...result.events])!;
    expect(event).toBeDefined();
    expect("seconds" in event).toBe(false);
    expect("seconds" in result.state.responses[0]!.answers.q_role!).toBe(false);
  });

  test.each([
    ["2026-12-01T01:00:00Z", Date.UTC(2026, 11, 1, 1)],
    ["2026-12-01T08:00:00.5+07:00", Date.UTC(2026, 11, 1, 1, 0, 0, 500)],
    ["2024-02-29T23:59:59.999-05:30", Date.UTC(2024, 2, 1, 5, 29, 59, 999)],
    ["1969-12-31T23:59:59Z", -1000],
    ["2026-12-01 01:00", undefined],
  ])("timestampMs(%s)", (text, expected) => expect(timestampMs(text)).toBe(expected));
});
