import { evaluateCondition } from "../../../src/conditions/index.js";
import { NOT_APPLICABLE, operandOf, type AnswerValue, type Questionnaire } from "../../../src/questionnaire/index.js";
import type { ScoringResponse } from "../../../src/scoring/types.js";
import { mulberry32 } from "../../support/random.js";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so generated files never change. */
export const random = mulberry32;

/** Valid responses to any questionnaire: every condition honoured, every required question answered. */
export function generateResponses(questionnaire: Questionnaire, units: readonly string[], perUnit: number, seed = 1): ScoringResponse[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const groups = questionnaire.definition.groups?.map((g) => g.id) ?? [""];
  const responses: ScoringResponse[] = [];
  for (const unit of units) {
    for (let i = 0; i < perUnit; i++) {
      const answers: Record<string, AnswerValue> = {};
      const lookup = (id: string) => {
        const q = questionnaire.byId.get(id);
        return q ? operandOf(q.question, answers[id]) : undefined;
      };
      for (const info of questionnaire.questions) {
        const q = info.question;
        if (info.condition && !evaluateCondition(info.condition, lookup)) continue;
        if (!q.required && next() < 0.2) continue;
        switch (q.type) {
          case "single":
            answers[q.id] = pick(q.options).id;
            break;
          case "multi": {
            const min = q.minSelect ?? 1;
            const max = q.maxSelect ?? q.options.length;
            const count = min + Math.floor(next() * (max - min + 1));
            const shuffled = [...q.options].sort(() => next() - 0.5);
            answers[q.id] = shuffled.slice(0, count).map((o) => o.id);
            break;
          }
          case "scale":
            answers[q.id] = q.allowNotApplicable && next() < 0.1 ? NOT_APPLICABLE : q.min + Math.floor(next() * (q.max - q.min + 1));
            break;
          case "number": {
            const min = q.min ?? 0;
            const max = q.max ?? min + 100;
            answers[q.id] = q.integer ? min + Math.floor(next() * (max - min + 1)) : Math.round((min + next() * (max - min)) * 100) / 100;
            break;
          }
          case "text":
            answers[q.id] = `Ý kiến ${i}, "ghi chú"`;
            break;
        }
      }
      responses.push({ id: `${unit}-${i + 1}`, unit, group: pick(groups), answers });
    }
  }
  return responses;
}
