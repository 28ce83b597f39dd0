import { z } from "zod";

/** Text in every language of the questionnaire, e.g. `{ vi: "...", en: "..." }`. Completeness is checked by the loader's rules. */
export const localizedText = z.record(z.string(), z.string());
export type LocalizedText = z.infer<typeof localizedText>;

/** Question ids: `[A-Za-z0-9_]+`, unique in the questionnaire. */
export const questionId = z.string().regex(/^[A-Za-z0-9_]+$/, "a question id uses only letters A-Z a-z, digits and _");

/**
 * Option ids are text; YAML turns an unquoted `1` into a number, which is accepted and read as "1".
 * `|` separates options in response files and spaces break callback data, so neither is allowed.
 */
export const optionId = z
  .union([z.string(), z.number().transform(String)])
  .pipe(z.string().regex(/^[^\s|,]{1,32}$/, "an option id is 1 to 32 characters without spaces, | or commas"));

/** Fields every question type has. */
export const questionBase = {
  id: questionId,
  text: localizedText,
  /** Optional guidance shown under the question text (extension of the format). */
  help: localizedText.optional(),
  required: z.boolean().default(true),
  showIf: z.string().optional(),
};

/** An option of a single or multi question; `score` in [0, 1] or null (unscored, e.g. "cannot judge"). */
export const option = z.strictObject({
  id: optionId,
  label: localizedText,
  score: z.number().min(0, "score must be between 0 and 1, or null").max(1, "score must be between 0 and 1, or null").nullable().default(null),
});
export type Option = z.infer<typeof option>;
