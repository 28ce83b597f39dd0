import { describe, expect, test } from "vitest";
import { EngineStateError, startSurvey, step, type EngineInput, type SurveyState } from "../../src/engine/index.js";
import { FIXTURE, Session, loadQuestionnaire, minute, ofType } from "./support.js";

const q = loadQuestionnaire(FIXTURE);

/** A session past the attestation, at q_role. */
function begun(units: string[] = ["U1"]): Session {
  const s = new Session(q, { units });
  s.send({ type: "accept_attestation" });
  return s;
}

describe("start and attestation", () => {
  test("start shows the attestation first and records nothing yet", () => {
    const s = new Session(q, { language: "en" });
    expect(s.events).toEqual([
      { type: "survey_started", at: minute(0), language: "en", units: ["U1"] },
      { type: "attestation_shown" },
    ]);
    expect(s.state.position).toEqual({ kind: "attestation" });
    expect(s.state.responses).toEqual([]);
    expect(s.state.questionnaire).toEqual({ id: "engine-all-types", version: 2 });
  });

  test("an unknown language falls back to the questionnaire's default", () => {
    expect(new Session(q, { language: "fr" }).state.language).toBe("vi");
  });

  test("accepting starts the first unit at the first question with progress over visible questions", () => {
    const s = begun();
    expect(s.events).toEqual([
      { type: "attestation_accepted", at: minute(1) },
      { type: "unit_started", unit: "U1", unitIndex: 0, unitCount: 1, at: minute(1) },
      {
        type: "question_shown",
        questionId: "q_role",
        unit: "U1",
        number: 1,
        progress: { answered: 0, total: 5, unit: "U1", unitIndex: 0, unitCount: 1 },
        mode: "flow",
        required: true,
        canGoBack: false,
        hints: { type: "single", options: [{ id: "lead", number: 1 }, { id: "staff", number: 2 }, { id: "citizen", number: 3 }] },
      },
    ]);
    expect(s.state.attestation).toEqual({ status: "accepted", at: minute(1) });
  });

  test("declining ends the session; every later input is refused", () => {
    const s = new Session(q);
    expect(s.send({ type: "decline_attestation" })).toEqual([{ type: "attestation_declined", at: minute(1) }]);
    const declined = s.state;
    expect(s.send({ type: "resume" })).toEqual([{ type: "input_rejected", input: "resume", reason: "declined" }]);
    expect(s.state).toBe(declined);
  });

  test("answers before the attestation are refused", () => {
    const s = new Session(q);
    const before = s.state;
    expect(s.send({ type: "answer", text: "1" })).toEqual([{ type: "input_rejected", input: "answer", reason: "attestation_required" }]);
    expect(s.state).toBe(before);
  });

  test("a questionnaire without attestation starts at the first question", () => {
    const plain = { ...q, definition: { ...q.definition, attestation: undefined } };
    const r = startSurvey(plain, { units: ["U1"], now: minute(0) });
    expect(r.events.map((e) => e.type)).toEqual(["survey_started", "unit_started", "question_shown"]);
    expect(r.state.attestation).toBeUndefined();
  });

  test.each([[[]], [["U1", "U1"]]])("subject units %j are a host bug", (units) => {
    expect(() => startSurvey(q, { units, now: minute(0) })).toThrow(EngineStateError);
  });

  test("a state of another questionnaire version is a host bug", () => {
    const s = begun();
    const other = { ...q, version: 3 };
    expect(() => step(other, s.state, { type: "resume" }, { now: minute(9) })).toThrow(EngineStateError);
  });
});

describe("answering and validation", () => {
  test("an answer is recorded and the next visible question shown", () => {
    const s = begun();
    const events = s.type("2");
    expect(events[0]).toEqual({ type: "answer_recorded", questionId: "q_role", unit: "U1", value: "staff", changed: true, changeCount: 0, at: minute(2), seconds: 60 });
    expect(ofType(events, "question_shown")[0]).toMatchObject({ questionId: "q_years", number: 2, progress: { answered: 1, total: 6 }, canGoBack: true });
  });

  test.each([
    ["3,5", "not_integer", { min: 0, max: 60 }],
    ["61", "above_max", { min: 0, max: 60 }],
    ["-1", "below_min", { min: 0, max: 60 }],
    ["mười", "not_a_number", { value: "mười" }],
    ["1.234,5", "ambiguous_number", { value: "1.234,5" }],
    ["  ", "required", {}],
  ])("q_years %j is refused with %s and nothing changes", (text, reason, params) => {
    const s = begun();
    s.type("staff");
    const before = s.state;
    expect(s.type(text)).toEqual([{ type: "validation_failed", questionId: "q_years", reason, params }]);
    expect(s.state).toBe(before);
  });

  test("answering again with another value counts a change; the same value changes nothing", () => {
    const s = begun();
    s.type("lead");
    s.send({ type: "back" });
    expect(ofType(s.events, "question_shown")[0]).toMatchObject({ questionId: "q_role", current: "lead" });
    expect(s.type("lead")[0]).toMatchObject({ type: "answer_recorded", value: "lead", changed: false, changeCount: 0, at: minute(2) });
    s.send({ type: "back" });
    expect(s.type("staff")[0]).toMatchObject({ type: "answer_recorded", value: "staff", previous: "lead", changed: true, changeCount: 1, at: minute(6) });
    // Seconds add up over the viewings that gave a value: 60 s for "lead", then 60 s for "staff".
    expect(s.state.responses[0]!.answers.q_role).toEqual({ value: "staff", answeredAt: minute(6), changeCount: 1, seconds: 120 });
  });

  test("buttons: a choice of the wrong kind is refused", () => {
    const s = begun();
    expect(s.send({ type: "choose", questionId: "q_role", choice: { kind: "scale", value: 3 } })).toEqual([
      { type: "validation_failed", questionId: "q_role", reason: "wrong_kind", params: {} },
    ]);
    expect(s.send({ type: "choose", questionId: "q_role", choice: { kind: "option", optionId: "citizen" } })[0]).toMatchObject({ value: "citizen" });
  });

  test("multi by toggles: ticking beyond maxSelect is refused, confirm stores in option order", () => {
    const s = begun();
    s.type("citizen", "4");
    expect(s.at).toBe("q_improve");
    expect(s.send({ type: "toggle", questionId: "q_improve", optionId: "c" })).toEqual([{ type: "selection_changed", questionId: "q_improve", selected: ["c"] }]);
    s.send({ type: "toggle", questionId: "q_improve", optionId: "a" });
    expect(s.state.position).toMatchObject({ selection: ["a", "c"] });
    expect(s.send({ type: "toggle", questionId: "q_improve", optionId: "b" })).toEqual([
      { type: "validation_failed", questionId: "q_improve", reason: "too_many_selected", params: { minSelect: 1, maxSelect: 2 } },
    ]);
    s.send({ type: "toggle", questionId: "q_improve", optionId: "c" });
    s.send({ type: "toggle", questionId: "q_improve", optionId: "a" });
    expect(s.send({ type: "confirm_selection", questionId: "q_improve" })).toEqual([
      { type: "validation_failed", questionId: "q_improve", reason: "too_few_selected", params: { minSelect: 1, maxSelect: 2 } },
    ]);
    s.send({ type: "toggle", questionId: "q_improve", optionId: "b" });
    expect(s.send({ type: "confirm_selection", questionId: "q_improve" })[0]).toMatchObject({ type: "answer_recorded", value: ["b"] });
    expect(s.at).toBe("q_hours");
  });

  test("a 100,000-character text is refused with the limit and nothing is stored", () => {
    const s = begun();
    s.type("citizen", "4", "a", "");
    expect(s.at).toBe("q_comment");
    expect(s.type("ý".repeat(100_000))).toEqual([
      { type: "validation_failed", questionId: "q_comment", reason: "too_long", params: { maxLength: 4000, length: 100_000 } },
    ]);
    expect(s.answers).not.toHaveProperty("q_comment");
  });

  test("text is stored NFC and trimmed; decomposed input equals composed", () => {
    const s = begun();
    s.type("citizen", "1");
    expect(s.at).toBe("q_why");
    s.type("  Chờ lâu quá\u0301 ".normalize("NFD"));
    expect(s.answers.q_why).toBe("Chờ lâu quá\u0301".normalize("NFC"));
  });
});

describe("skip logic", () => {
  test("a hidden question's answer is discarded when an earlier answer changes", () => {
    const s = begun();
    s.type("staff", "5", "2", "Chậm");
    expect(s.answers).toMatchObject({ q_rate: 2, q_why: "Chậm" });
    s.send({ type: "back" });
    s.send({ type: "back" });
    expect(s.at).toBe("q_rate");
    const events = s.type("4");
    expect(events.map((e) => e.type)).toEqual(["answer_recorded", "answer_discarded", "question_shown"]);
    expect(events[1]).toEqual({ type: "answer_discarded", questionId: "q_why", unit: "U1", previous: "Chậm", reason: "hidden" });
    expect(s.at).toBe("q_improve");
    expect(s.answers).not.toHaveProperty("q_why");
  });

  test("back goes across questions hidden by their condition", () => {
    const s = begun();
    s.type("citizen");
    expect(s.at).toBe("q_rate");
    s.send({ type: "back" });
    expect(s.at).toBe("q_role");
    expect(s.send({ type: "back" })).toEqual([{ type: "input_rejected", input: "back", reason: "nothing_before" }]);
  });

  test("back skips a visited question that a changed answer has hidden since", () => {
    const s = begun();
    s.type("staff", "5", "3");
    // Change q_role to citizen from the review: q_years becomes hidden although it is in the history.
    s.send({ type: "review" });
    s.send({ type: "edit", questionId: "q_role" });
    s.type("citizen");
    expect(s.at).toBe("review");
    s.send({ type: "back" });
    expect(s.at).toBe("q_improve");
    s.send({ type: "back" });
    s.send({ type: "back" });
    expect(s.at).toBe("q_role");
  });

  test("a non-required question can be skipped; skipping an answered one clears it; required cannot", () => {
    const s = begun();
    s.type("citizen", "4", "a");
    expect(s.at).toBe("q_hours");
    expect(s.send({ type: "skip" })).toMatchObject([{ type: "question_skipped", questionId: "q_hours" }, { type: "question_shown", questionId: "q_comment" }]);
    expect(s.type("")[0]).toEqual({ type: "question_skipped", questionId: "q_comment", unit: "U1" });
    s.send({ type: "back" });
    s.send({ type: "back" });
    s.type("1,5");
    expect(s.answers.q_hours).toBe(1.5);
    s.send({ type: "back" });
    s.send({ type: "back" });
    expect(s.send({ type: "skip" })).toEqual([{ type: "input_rejected", input: "skip", reason: "required", questionId: "q_improve" }]);
    s.type("a");
    expect(s.send({ type: "skip", questionId: "q_hours" })[0]).toEqual({ type: "answer_discarded", questionId: "q_hours", unit: "U1", previous: 1.5, reason: "skipped" });
  });
});

describe("resume", () => {
  test("a state that went through JSON resumes identically", () => {
    const s = begun();
    s.type("staff", "12", "na");
    const stored: SurveyState = JSON.parse(JSON.stringify(s.state));
    expect(stored).toEqual(s.state);
    const live = step(q, s.state, { type: "resume" }, { now: minute(50) });
    const revived = step(q, stored, { type: "resume" }, { now: minute(50) });
    expect(revived).toEqual(live);
    expect(revived.events).toEqual([
      expect.objectContaining({ type: "question_shown", questionId: "q_improve", progress: { answered: 3, total: 6, unit: "U1", unitIndex: 0, unitCount: 1 } }),
    ]);
    const next = step(q, stored, { type: "answer", text: "1 3" }, { now: minute(51) });
    expect(next).toEqual(step(q, s.state, { type: "answer", text: "1 3" }, { now: minute(51) }));
    expect(next.state.responses[0]!.answers).toMatchObject({ q_role: { value: "staff" }, q_years: { value: 12 }, q_rate: { value: "na" }, q_improve: { value: ["a", "c"] } });
  });

  test("resume at the attestation and the review shows them again", () => {
    const s = new Session(q);
    expect(s.send({ type: "resume" })).toEqual([{ type: "attestation_shown" }]);
    s.send({ type: "accept_attestation" });
    s.send({ type: "review" });
    expect(s.send({ type: "resume" }).map((e) => e.type)).toEqual(["review_shown"]);
  });

  test("set_language changes the language and shows the same place again", () => {
    const s = begun();
    expect(s.send({ type: "set_language", language: "en" })).toMatchObject([{ type: "language_changed", language: "en" }, { type: "question_shown", questionId: "q_role" }]);
    expect(s.state.language).toBe("en");
  });
});

describe("review, edit and submit", () => {
  function toReview(): Session {
    const s = begun();
    s.type("staff", "10", "4", "1", "", "");
    expect(s.at).toBe("review");
    return s;
  }

  test("the review lists every visible question with its answer", () => {
    const s = toReview();
    expect(ofType(s.events, "review_shown")).toEqual([
      {
        type: "review_shown",
        unit: "U1",
        progress: { answered: 4, total: 6, unit: "U1", unitIndex: 0, unitCount: 1 },
        items: [
          { questionId: "q_role", number: 1, value: "staff", required: true, missing: false },
          { questionId: "q_years", number: 2, value: 10, required: true, missing: false },
          { questionId: "q_rate", number: 3, value: 4, required: true, missing: false },
          { questionId: "q_improve", number: 4, value: ["a"], required: true, missing: false },
          { questionId: "q_hours", number: 5, required: false, missing: false },
          { questionId: "q_comment", number: 6, required: false, missing: false },
        ],
      },
    ]);
  });

  test("edit returns to the review; an edit that reveals required questions asks them first", () => {
    const s = toReview();
    s.send({ type: "edit", questionId: "q_rate" });
    expect(ofType(s.events, "question_shown")[0]).toMatchObject({ questionId: "q_rate", mode: "edit", current: 4, canGoBack: true });
    s.type("5");
    expect(s.at).toBe("review");
    // Revealing q_why (rate <= 2, required): asked in edit mode, then the review again.
    s.send({ type: "edit", questionId: "q_rate" });
    s.type("1");
    expect(s.state.position).toEqual({ kind: "question", questionId: "q_why", mode: "edit", trail: ["q_rate"] });
    s.type("Chậm");
    expect(s.at).toBe("review");
    expect(ofType(s.events, "review_shown")[0]!.items.map((i) => i.questionId)).toContain("q_why");
  });

  test("an edit that reveals a required question goes there, then back to the review", () => {
    const s = toReview();
    s.send({ type: "edit", questionId: "q_improve" });
    s.type("a d");
    expect(s.state.position).toEqual({ kind: "question", questionId: "q_other", mode: "edit", trail: ["q_improve"] });
    s.type("Nhanh hơn");
    expect(s.at).toBe("review");
    // Editing again so that q_other is hidden discards its answer: later conditions are re-evaluated.
    s.send({ type: "edit", questionId: "q_improve" });
    const events = s.type("b");
    expect(events.map((e) => e.type)).toEqual(["answer_recorded", "answer_discarded", "review_shown"]);
    expect(events[1]).toMatchObject({ questionId: "q_other", previous: "Nhanh hơn", reason: "hidden" });
  });

  test("back from an edit returns to the review without a change", () => {
    const s = toReview();
    s.send({ type: "edit", questionId: "q_years" });
    s.send({ type: "back" });
    expect(s.at).toBe("review");
    expect(s.answers.q_years).toBe(10);
  });

  test("edit refuses hidden, unknown questions and edits outside the review", () => {
    const s = toReview();
    const before = s.state;
    expect(s.send({ type: "edit", questionId: "q_other" })).toEqual([{ type: "input_rejected", input: "edit", reason: "question_hidden", questionId: "q_other" }]);
    expect(s.send({ type: "edit", questionId: "nope" })).toEqual([{ type: "input_rejected", input: "edit", reason: "unknown_question", questionId: "nope" }]);
    expect(s.state).toBe(before);
  });

  test("submit is refused while a required visible question is unanswered, naming it, and asks it", () => {
    const s = begun();
    s.type("lead");
    s.send({ type: "review" });
    expect(s.send({ type: "submit" })).toMatchObject([
      { type: "submit_refused", unit: "U1", missing: ["q_years", "q_rate", "q_improve"] },
      { type: "question_shown", questionId: "q_years", mode: "edit" },
    ]);
    // The walk covers the required questions and the optional ones never seen (issue 11 item 1).
    expect(s.state.position).toEqual({ kind: "question", questionId: "q_years", mode: "edit", queue: ["q_rate", "q_improve", "q_hours", "q_comment"] });
    s.type("3", "3", "2");
    expect(s.at).toBe("q_hours");
    expect(s.events).toMatchObject([{ type: "answer_recorded", questionId: "q_improve" }, { type: "question_shown", questionId: "q_hours", mode: "edit", required: false }]);
    s.type("", "");
    expect(s.at).toBe("review");
    const done = s.send({ type: "submit" });
    expect(done).toEqual([
      { type: "unit_submitted", unit: "U1", unitIndex: 0, startedAt: minute(1), at: minute(10), answers: { q_role: "lead", q_years: 3, q_rate: 3, q_improve: ["b"] } },
      { type: "completed", at: minute(10), units: ["U1"] },
    ]);
    expect(s.state.responses[0]!.submittedAt).toBe(minute(10));
    expect(s.send({ type: "resume" })).toEqual([{ type: "input_rejected", input: "resume", reason: "completed" }]);
  });

  test("after a refused submit, questions already seen and skipped stay skipped; only unseen ones are walked", () => {
    const s = begun();
    s.type("lead", "10", "4", "1", "", "");
    expect(s.at).toBe("review");
    // An edit reveals the required q_why; the respondent leaves it with back, then submits.
    s.send({ type: "edit", questionId: "q_rate" });
    s.type("1");
    expect(s.at).toBe("q_why");
    // Back goes to the question edited, then to the review.
    s.send({ type: "back" });
    expect(s.state.position).toEqual({ kind: "question", questionId: "q_rate", mode: "edit", queue: ["q_why"] });
    s.send({ type: "back" });
    expect(s.at).toBe("review");
    expect(s.send({ type: "submit" })).toMatchObject([{ type: "submit_refused", missing: ["q_why"] }, { type: "question_shown", questionId: "q_why" }]);
    expect(s.state.position).toEqual({ kind: "question", questionId: "q_why", mode: "edit" });
    s.type("Chậm");
    expect(s.at).toBe("review");
    expect(s.answers).toEqual({ q_role: "lead", q_years: 10, q_rate: 1, q_why: "Chậm", q_improve: ["a"] });
  });

  test("an optional follow-up revealed during the walk after a refused submit is asked too, in order", () => {
    const s = begun();
    s.type("lead");
    s.send({ type: "review" });
    s.send({ type: "submit" });
    s.type("3", "1", "Chậm");
    expect(s.at).toBe("q_improve");
    // q_other (shown when "d" is chosen) is required; its answer then moves on to the unseen optional q_hours.
    s.type("4");
    expect(s.at).toBe("q_other");
    s.type("Khác");
    expect(s.at).toBe("q_hours");
    s.type("2");
    expect(s.at).toBe("q_comment");
    // Back walks to the previous question of the walk, every time (it went to the review before).
    s.send({ type: "back" });
    expect(s.at).toBe("q_hours");
    s.send({ type: "back" });
    expect(s.at).toBe("q_other");
    // Answered again, the walk goes on to what is still unanswered: q_comment, kept queued.
    s.type("Khác nữa");
    expect(s.at).toBe("q_comment");
    for (const at of ["q_other", "q_improve", "q_why", "q_rate", "q_years", "review"]) {
      s.send({ type: "back" });
      expect(s.at).toBe(at);
    }
    // q_comment was seen and left: a submit now goes through.
    expect(s.send({ type: "submit" }).map((e) => e.type)).toEqual(["unit_submitted", "completed"]);
  });

  test("several units: each is answered, reviewed and submitted; progress names the unit", () => {
    const s = begun(["SO_TP", "SO_TC"]);
    s.type("staff", "10", "4", "1", "", "");
    const events = s.send({ type: "submit" });
    expect(events.map((e) => e.type)).toEqual(["unit_submitted", "unit_started", "question_shown"]);
    expect(events[0]).toMatchObject({ unit: "SO_TP", unitIndex: 0 });
    expect(events[2]).toMatchObject({ questionId: "q_role", unit: "SO_TC", progress: { answered: 0, total: 5, unit: "SO_TC", unitIndex: 1, unitCount: 2 }, canGoBack: false });
    expect(s.send({ type: "back" })).toEqual([{ type: "input_rejected", input: "back", reason: "nothing_before" }]);
    s.type("citizen", "na", "c", "", "");
    expect(s.send({ type: "submit" }).map((e) => e.type)).toEqual(["unit_submitted", "completed"]);
    expect(s.state.responses.map((r) => [r.unit, Object.keys(r.answers)])).toEqual([
      ["SO_TP", ["q_role", "q_years", "q_rate", "q_improve"]],
      ["SO_TC", ["q_role", "q_rate", "q_improve"]],
    ]);
  });
});

describe("inputs that do not fit change nothing", () => {
  const atRole = begun();
  test.each<[string, EngineInput, object]>([
    ["an answer naming another question", { type: "answer", questionId: "q_rate", text: "3" }, { reason: "not_current_question", questionId: "q_rate" }],
    ["a button of another question", { type: "choose", questionId: "q_improve", choice: { kind: "options", optionIds: ["a"] } }, { reason: "not_current_question", questionId: "q_improve" }],
    ["a button of an unknown question", { type: "choose", questionId: "x'; drop", choice: { kind: "option", optionId: "1" } }, { reason: "unknown_question", questionId: "x'; drop" }],
    ["edit outside the review", { type: "edit", questionId: "q_role" }, { reason: "not_allowed_here", questionId: "q_role" }],
    ["submit outside the review", { type: "submit" }, { reason: "not_allowed_here" }],
    ["a toggle on a single question", { type: "toggle", questionId: "q_role", optionId: "lead" }, { reason: "not_multi", questionId: "q_role" }],
    ["a confirm on a single question", { type: "confirm_selection", questionId: "q_role" }, { reason: "not_multi", questionId: "q_role" }],
    ["skip of a required question", { type: "skip" }, { reason: "required", questionId: "q_role" }],
    ["back at the first question", { type: "back" }, { reason: "nothing_before" }],
    ["an unknown language", { type: "set_language", language: "fr" }, { reason: "unknown_language" }],
    ["attestation again", { type: "accept_attestation" }, { reason: "not_allowed_here" }],
  ])("%s", (_name, input, rejection) => {
    const r = step(q, atRole.state, input, { now: minute(99) });
    expect(r.state).toBe(atRole.state);
    expect(r.events).toEqual([{ type: "input_rejected", input: input.type, ...rejection }]);
  });

  test("a toggle of an unknown option is refused", () => {
    const s = begun();
    s.type("citizen", "4");
    const before = s.state;
    expect(s.send({ type: "toggle", questionId: "q_improve", optionId: "zz" })).toEqual([
      { type: "input_rejected", input: "toggle", reason: "unknown_option", questionId: "q_improve" },
    ]);
    expect(s.state).toBe(before);
  });

  test("a stale question button while in the review is refused", () => {
    const s = begun();
    s.send({ type: "review" });
    const before = s.state;
    expect(s.send({ type: "choose", questionId: "q_role", choice: { kind: "option", optionId: "lead" } })).toEqual([
      { type: "input_rejected", input: "choose", reason: "not_current_question", questionId: "q_role" },
    ]);
    expect(s.state).toBe(before);
  });
});
