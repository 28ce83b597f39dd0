// The survey engine: pure functions from (questionnaire, state, input, now) to (state, events).
// A host calls `startSurvey` once, then `step` for every respondent input; it stores the new state
// and what the events record (answers, submissions) in one transaction, then renders the events.
export { startSurvey, step, progressOf, reviewItems, timestampMs } from "./engine.js";
export { parseAnswerText, parseAnswerChoice, validateAnswer, renderHints, readNumber, type AnswerResult } from "./question-types/index.js";
export * from "./types.js";
