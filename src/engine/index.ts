export { startSurvey, step } from "./engine.js";
export * from "./types.js";
