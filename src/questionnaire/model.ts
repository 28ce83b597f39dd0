import { parseCondition, type Condition } from "../conditions/index.js";
import type { Question, QuestionnaireFile, Section } from "./schema.js";

/** One question in questionnaire order, with where it sits and its compiled condition. */
export interface QuestionInfo {
  readonly question: Question;
  /** 0-based position in the whole questionnaire. */
  readonly index: number;
  readonly section: Section;
  /** Scoring component: the section's `component`, or its id. */
  readonly component: string;
  readonly condition?: Condition;
}

/** A validated questionnaire, ready for the engine, channels and scoring. */
export interface Questionnaire {
  /** The file as loaded, defaults applied. */
  readonly definition: QuestionnaireFile;
  readonly id: string;
  readonly version: number;
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  readonly questions: readonly QuestionInfo[];
  readonly byId: ReadonlyMap<string, QuestionInfo>;
  /** Component ids in order of first appearance. */
  readonly components: readonly string[];
}

/** Builds the model of a questionnaire that has passed validation (conditions must parse). */
export function buildQuestionnaire(definition: QuestionnaireFile): Questionnaire {
  const questions: QuestionInfo[] = [];
  const components: string[] = [];
  for (const section of definition.sections) {
    const component = section.component ?? section.id;
    if (!components.includes(component)) components.push(component);
    for (const question of section.questions) {
      let condition: Condition | undefined;
      if (question.showIf !== undefined) {
        const parsed = parseCondition(question.showIf);
        if (!parsed.ok) throw new Error(`bug: unvalidated condition on ${question.id}: ${parsed.error.message}`);
        condition = parsed.condition;
      }
      questions.push({ question, index: questions.length, section, component, ...(condition ? { condition } : {}) });
    }
  }
  return {
    definition,
    id: definition.id,
    version: definition.version,
    languages: definition.languages,
    defaultLanguage: definition.languages[0]!,
    questions,
    byId: new Map(questions.map((q) => [q.question.id, q])),
    components,
  };
}
