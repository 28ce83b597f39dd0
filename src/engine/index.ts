export { startSurvey, step, progressOf, reviewItems } from "./engine.js";
export { parseAnswerText, parseAnswerChoice, validateAnswer, renderHints, readNumber, type AnswerResult } from "./question-types/index.js";
export * from "./types.js";
