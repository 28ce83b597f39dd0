import type { Questionnaire } from "../../questionnaire/index.js";
import type { ExcludedUnit, PointsUnitResult, SatisfactionUnitResult, ScoreReport } from "../types.js";
import type { Heading } from "./labels.js";

/** Unit names by unit code (campaign mode knows them; a responses file has only codes). */
export type UnitNames = ReadonlyMap<string, string>;

/** A cell of a tabular score output: numbers stay numbers (xlsx), null is an empty cell. */
export type Cell = string | number | null;

/** One column of the ranking: its machine name (csv), heading key or free label, and how to read it. */
export interface Column {
  /** Machine name used as the csv header, e.g. `survey_points` or `area3.index`. */
  readonly name: string;
  /** Heading key, or a literal label (component and question ids). */
  readonly heading: Heading | { readonly literal: string; readonly suffix?: Heading };
  readonly numeric: boolean;
  /** Points, indices and shares: shown with two decimals in text. */
  readonly decimal?: boolean;
  readonly value: (unit: PointsUnitResult | SatisfactionUnitResult | undefined, excluded: ExcludedUnit | undefined) => Cell;
}

/**
 * Scored components in questionnaire order, read from the questionnaire so that the columns are the
 * same whether or not any unit is ranked: points components hold a question with `maxPoints`;
 * satisfaction components hold a scale question other than the overall question.
 */
export function reportComponents(report: ScoreReport, questionnaire: Questionnaire): string[] {
  const scoring = questionnaire.definition.scoring;
  const overall = scoring?.kind === "satisfaction" ? scoring.overallQuestion : undefined;
  const names: string[] = [];
  for (const { question, component } of questionnaire.questions) {
    const scored =
      report.kind === "points"
        ? (question.type === "single" || question.type === "multi") && question.maxPoints !== undefined
        : question.type === "scale" && question.id !== overall;
    if (scored && !names.includes(component)) names.push(component);
  }
  return names;
}

/** Whether the report carries appraisal points (points kind with `appraisalMax`). */
export function hasAppraisal(report: ScoreReport, questionnaire: Questionnaire): boolean {
  const scoring = questionnaire.definition.scoring;
  return report.kind === "points" && scoring?.kind === "points" && scoring.appraisalMax !== undefined;
}

/** Whether the report carries classes. */
export function hasClasses(questionnaire: Questionnaire): boolean {
  return questionnaire.definition.scoring?.classes !== undefined;
}

/** Scale questions (criteria) and multi questions (choices) of a satisfaction report, in order. */
export function satisfactionQuestions(questionnaire: Questionnaire): { criteria: string[]; choices: { question: string; options: string[] }[] } {
  const criteria: string[] = [];
  const choices: { question: string; options: string[] }[] = [];
  for (const { question } of questionnaire.questions) {
    if (question.type === "scale") criteria.push(question.id);
    if (question.type === "multi") choices.push({ question: question.id, options: question.options.map((o) => o.id) });
  }
  return { criteria, choices };
}

/**
 * The columns of the one-row-per-unit outputs (csv, ranking sheet): ranks and totals first,
 * then per component, then (satisfaction) per criterion and choice, then flags.
 */
export function unitColumns(report: ScoreReport, questionnaire: Questionnaire, withDetail: boolean, unitNames?: UnitNames): Column[] {
  const columns: Column[] = [
    { name: "rank", heading: "rank", numeric: true, value: (u) => u?.rank ?? null },
    { name: "unit", heading: "unit", numeric: false, value: (u, x) => u?.unit ?? x?.unit ?? null },
  ];
  if (unitNames) {
    columns.push({ name: "unit_name", heading: "unitName", numeric: false, value: (u, x) => unitNames.get(u?.unit ?? x?.unit ?? "") ?? null });
  }
  columns.push(
    { name: "responses", heading: "responses", numeric: true, value: (u, x) => u?.responses ?? x?.responses ?? null },
    { name: "counted", heading: "counted", numeric: true, value: (u, x) => u?.counted ?? x?.counted ?? null },
  );
  if (report.kind === "points") {
    const p = (u: PointsUnitResult | SatisfactionUnitResult | undefined) => u as PointsUnitResult | undefined;
    columns.push(
      { name: "survey_points", decimal: true, heading: "surveyPoints", numeric: true, value: (u) => p(u)?.surveyPoints ?? null },
      { name: "survey_rank", heading: "surveyRank", numeric: true, value: (u) => p(u)?.surveyRank ?? null },
    );
    if (hasAppraisal(report, questionnaire)) {
      columns.push(
        { name: "appraisal_points", decimal: true, heading: "appraisalPoints", numeric: true, value: (u) => p(u)?.appraisalPoints ?? null },
        { name: "appraisal_rank", heading: "appraisalRank", numeric: true, value: (u) => p(u)?.appraisalRank ?? null },
      );
    }
  }
  columns.push({ name: "index", decimal: true, heading: "index", numeric: true, value: (u) => u?.index ?? null });
  if (hasClasses(questionnaire)) columns.push({ name: "class", heading: "class", numeric: false, value: (u) => u?.class ?? null });
  if (withDetail) {
    for (const c of reportComponents(report, questionnaire)) {
      if (report.kind === "points") {
        const comp = (u: PointsUnitResult | SatisfactionUnitResult | undefined) => (u as PointsUnitResult | undefined)?.components[c];
        columns.push(
          { name: `${c}.points`, decimal: true, heading: { literal: c, suffix: "points" }, numeric: true, value: (u) => comp(u)?.points ?? null },
          { name: `${c}.max`, decimal: true, heading: { literal: c, suffix: "max" }, numeric: true, value: (u) => comp(u)?.max ?? null },
        );
      }
      columns.push({ name: `${c}.index`, decimal: true, heading: { literal: c, suffix: "index" }, numeric: true, value: (u) => u?.components[c]?.index ?? null });
    }
    if (report.kind === "satisfaction") {
      const s = (u: PointsUnitResult | SatisfactionUnitResult | undefined) => u as SatisfactionUnitResult | undefined;
      const { criteria, choices } = satisfactionQuestions(questionnaire);
      for (const q of criteria) columns.push({ name: `${q}.index`, decimal: true, heading: { literal: q, suffix: "index" }, numeric: true, value: (u) => s(u)?.criteria[q] ?? null });
      for (const { question, options } of choices) {
        for (const o of options) {
          columns.push({ name: `${question}.${o}`, decimal: true, heading: { literal: `${question}.${o}`, suffix: "share" }, numeric: true, value: (u) => s(u)?.choices?.[question]?.[o] ?? null });
        }
      }
    }
    for (const flag of ["speeder", "straightliner", "delegation"] as const) {
      columns.push({ name: flag, heading: flag, numeric: true, value: (u) => u?.flags[flag] ?? null });
    }
    columns.push({ name: "excluded_reason", heading: "reason", numeric: false, value: (_u, x) => x?.reason ?? null });
  }
  return columns;
}
