import type { Questionnaire } from "../questionnaire/index.js";
import type { EngineInput, StartOptions, StepOptions, StepResult, SurveyState } from "./types.js";

/** Starts a survey: shows the attestation when the questionnaire has one, else the first question of the first unit. */
export function startSurvey(questionnaire: Questionnaire, options: StartOptions): StepResult {
  void questionnaire;
  void options;
  throw new Error("not implemented yet");
}

/** Applies one respondent input to a state; a rejected input returns the same state and an `input_rejected` event. */
export function step(questionnaire: Questionnaire, state: SurveyState, input: EngineInput, options: StepOptions): StepResult {
  void questionnaire;
  void state;
  void input;
  void options;
  throw new Error("not implemented yet");
}
