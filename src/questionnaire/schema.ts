import { z } from "zod";
import { localizedText } from "./types/common.js";
import { multiQuestion } from "./types/multi.js";
import { numberQuestion } from "./types/number.js";
import { scaleQuestion } from "./types/scale.js";
import { singleQuestion } from "./types/single.js";
import { textQuestion } from "./types/text.js";
import { qualitySchema } from "./quality.js";

/** The questionnaire format version this code reads natively; older files are migrated, newer refused. */
export const CURRENT_SCHEMA_VERSION = 1;

/** Every question type, told apart by `type`. */
export const question = z.discriminatedUnion("type", [singleQuestion, multiQuestion, scaleQuestion, numberQuestion, textQuestion]);
export type Question = z.infer<typeof question>;
export type QuestionType = Question["type"];

const languageCode = z.string().regex(/^[a-z]{2,3}$/, 'a language is a two- or three-letter code such as "vi" or "en"');

const group = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, "a group id uses only letters, digits, _ and -"),
  label: localizedText,
});

const scoringClass = z.strictObject({ label: z.string().min(1), min: z.number() });

const scoringCommon = {
  minResponses: z.number().int("minResponses must be a whole number").min(1, "minResponses must be at least 1").default(1),
  groupWeights: z.record(z.string(), z.number().min(0, "a group weight cannot be negative")).optional(),
  excludeFlagged: z.boolean().default(false),
  classes: z.array(scoringClass).min(1).optional(),
};

/** PAR-style scoring: points per question, summed to survey points, optionally combined with appraisal points. */
export const pointsScoring = z.strictObject({
  kind: z.literal("points"),
  surveyMax: z.number().positive("surveyMax must be greater than 0"),
  appraisalMax: z.number().positive("appraisalMax must be greater than 0").optional(),
  ...scoringCommon,
});
export type PointsScoring = z.infer<typeof pointsScoring>;

/** SIPAS-style scoring: share of satisfied answers per criterion, factor and unit. */
export const satisfactionScoring = z.strictObject({
  kind: z.literal("satisfaction"),
  positive: z.array(z.number().int("positive lists whole scale values")).min(1, "positive needs at least one scale value"),
  overallQuestion: z.string().optional(),
  ...scoringCommon,
});
export type SatisfactionScoring = z.infer<typeof satisfactionScoring>;

export const scoring = z.discriminatedUnion("kind", [pointsScoring, satisfactionScoring]);
export type Scoring = z.infer<typeof scoring>;

export const section = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, "a section id uses only letters, digits, _ and -"),
  title: localizedText,
  /** Scoring component of this section's questions; defaults to the section id. */
  component: z.string().regex(/^[A-Za-z0-9_-]+$/, "a component id uses only letters, digits, _ and -").optional(),
  questions: z.array(question).min(1, "a section needs at least one question"),
});
export type Section = z.infer<typeof section>;

/**
 * The questionnaire file (SURVEY-FORMAT section 1): the single source of truth for its types.
 * Rules that span fields (unique ids, translations, conditions, sums) live in `rules.ts`.
 */
export const questionnaireSchema = z.strictObject({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id: z.string().regex(/^[a-z0-9-]+$/, "the questionnaire id uses only a-z, 0-9 and -"),
  version: z.number().int("version must be a whole number").min(1, "version must be at least 1"),
  languages: z.array(languageCode).min(1, "list at least one language, the default first"),
  title: localizedText,
  intro: localizedText.optional(),
  attestation: localizedText.optional(),
  groups: z.array(group).min(1).optional(),
  scoring: scoring.optional(),
  /** Careless-answer thresholds, attention checks and consistency pairs (extension; docs/flags.md). */
  quality: qualitySchema.optional(),
  sections: z.array(section).min(1, "a questionnaire needs at least one section with questions"),
});
export type QuestionnaireFile = z.infer<typeof questionnaireSchema>;
