import { buildQuestionnaire, questionnaireSchema, type AnswerValue, type Questionnaire } from "../../../src/questionnaire/index.js";
import type { ScoringResponse } from "../../../src/scoring/index.js";

const text = { vi: "x" };

/** Options "1".."n" with the given scores (null = cannot judge). */
export function options(...scores: (number | null)[]): { id: string; label: { vi: string }; score: number | null }[] {
  return scores.map((score, i) => ({ id: String(i + 1), label: text, score }));
}

/** A questionnaire from a compact description: sections of raw question objects plus scoring. */
export function questionnaire(scoring: Record<string, unknown>, sections: Record<string, Record<string, unknown>[]>, extra: Record<string, unknown> = {}): Questionnaire {
  return buildQuestionnaire(
    questionnaireSchema.parse({
      schemaVersion: 1,
      id: "test",
      version: 1,
      languages: ["vi"],
      title: text,
      scoring,
      sections: Object.entries(sections).map(([id, questions]) => ({
        id,
        title: text,
        questions: questions.map((q) => ({ text, required: false, ...q })),
      })),
      ...extra,
    }),
  );
}

/** A single question with maxPoints 1 and options scored 1, 0.5, 0, null. */
export function single(id: string, maxPoints = 1): Record<string, unknown> {
  return { id, type: "single", maxPoints, options: options(1, 0.5, 0, null) };
}

/** A scale 1..5 question with "cannot judge". */
export function scale(id: string): Record<string, unknown> {
  return { id, type: "scale", min: 1, max: 5, allowNotApplicable: true };
}

let counter = 0;
/** A submitted response; `answers` by question id. */
export function response(unit: string, answers: Record<string, AnswerValue>, extra: Partial<ScoringResponse> = {}): ScoringResponse {
  counter++;
  return { id: `r${counter}`, unit, group: "g", answers, ...extra };
}
