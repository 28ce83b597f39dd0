import { formatDateTime, localized } from "../channels/console/index.js";
import { evaluateCondition } from "../conditions/index.js";
import type { UnitResponse } from "../engine/index.js";
import type { I18n } from "../i18n/index.js";
import { operandOf, type Questionnaire } from "../questionnaire/index.js";

/** Answered and shown questions of one section in one response. */
export interface SectionCount {
  readonly sectionId: string;
  readonly answered: number;
  /** Questions shown to this respondent (conditions applied to the answers given). */
  readonly shown: number;
}

/** Per section, how many questions the response answered out of those it was shown. */
export function countBySection(questionnaire: Questionnaire, response: UnitResponse): SectionCount[] {
  const answers = response.answers;
  const shown = new Set<string>();
  for (const info of questionnaire.questions) {
    // Conditions only look back, so one pass in order decides visibility.
    const visible =
      info.condition === undefined ||
      evaluateCondition(info.condition, (id) => {
        const target = questionnaire.byId.get(id);
        return target && shown.has(id) ? operandOf(target.question, answers[id]?.value) : undefined;
      });
    if (visible) shown.add(info.question.id);
  }
  return questionnaire.definition.sections.map((section) => ({
    sectionId: section.id,
    answered: section.questions.filter((q) => shown.has(q.id) && answers[q.id] !== undefined).length,
    shown: section.questions.filter((q) => shown.has(q.id)).length,
  }));
}

/** The demo's closing summary: answered counts per section and the submission time, per unit. */
export function summaryLines(
  questionnaire: Questionnaire,
  responses: readonly UnitResponse[],
  options: { readonly i18n: I18n; readonly language: string; readonly timeZone: string; readonly unitName: (id: string) => string },
): string[] {
  const { i18n, language } = options;
  const lines = ["", i18n.t("demo:summary.title")];
  for (const response of responses) {
    if (responses.length > 1) lines.push(i18n.t("demo:summary.unit", { unit: options.unitName(response.unit) }));
    const counts = countBySection(questionnaire, response);
    for (const count of counts) {
      const section = questionnaire.definition.sections.find((s) => s.id === count.sectionId)!;
      lines.push(`  ${i18n.t("demo:summary.section", { section: localized(section.title, language, questionnaire), answered: count.answered, shown: count.shown })}`);
    }
    const answered = counts.reduce((sum, c) => sum + c.answered, 0);
    const shown = counts.reduce((sum, c) => sum + c.shown, 0);
    lines.push(i18n.t("demo:summary.total", { answered, shown }));
    lines.push(
      response.submittedAt !== undefined
        ? i18n.t("demo:summary.submittedAt", formatDateTime(response.submittedAt, language, options.timeZone))
        : i18n.t("demo:summary.notSubmitted"),
    );
  }
  return lines;
}
