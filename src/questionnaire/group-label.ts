// A respondent group as people read it: the questionnaire's label in the reader's language, never
// its id (ids stay in machine-readable files: CSV, JSON, the XLSX's id column).
import type { Questionnaire } from "./model.js";

/** A group's label in `lang` (else the questionnaire's default language, else any); the id when the questionnaire does not name it. */
export function groupLabel(questionnaire: Questionnaire | undefined, lang: string, id: string): string {
  const group = questionnaire?.definition.groups?.find((g) => g.id === id);
  if (!group || !questionnaire) return id;
  return group.label[lang] ?? group.label[questionnaire.defaultLanguage] ?? Object.values(group.label)[0] ?? id;
}
