import { analyse, type FlagTotals, type PointsAnalysis, type SatisfactionAnalysis } from "./compute.js";
import { classFor, competitionRanks } from "./rank.js";
import { compareCodePoints, roundHalfAway } from "./round.js";
import type {
  ExcludedUnit,
  FlagCounts,
  PointsComponentResult,
  PointsUnitResult,
  SatisfactionUnitResult,
  ScoreReport,
  ScoringInput,
  ScoringOutcome,
} from "./types.js";

const round = (value: number): number => roundHalfAway(value, 2);
const roundOrNull = (value: number | null): number | null => (value === null ? null : round(value));

function flagCounts(flags: FlagTotals, u: number): FlagCounts {
  return {
    speeder: flags.speeder[u]!,
    straightliner: flags.straightliner[u]!,
    delegation: flags.delegation[u]!,
    ...(flags.attention ? { attention: flags.attention[u]! } : {}),
    ...(flags.inconsistent ? { inconsistent: flags.inconsistent[u]! } : {}),
  };
}

function excludedLine(unit: { unit: string; responses: number; counted: number; exclusion?: ExcludedUnit["reason"] }): ExcludedUnit {
  return { unit: unit.unit, reason: unit.exclusion!, responses: unit.responses, counted: unit.counted };
}

function byRankThenUnit<T extends { unit: string; rank: number }>(a: T, b: T): number {
  return a.rank - b.rank || compareCodePoints(a.unit, b.unit);
}

/** The report lines of a points score, keyed by unit, plus the report itself. */
function pointsReport(
  questionnaire: ScoreReport["questionnaire"],
  units: readonly PointsAnalysis[],
  flags: FlagTotals,
  classes: readonly { label: string; min: number }[] | undefined,
  withAppraisal: boolean,
): { report: ScoreReport; lines: Map<string, PointsUnitResult | ExcludedUnit> } {
  const lines = new Map<string, PointsUnitResult | ExcludedUnit>();
  const excluded: ExcludedUnit[] = [];
  const ranked = units.flatMap((a, u) => (a.exclusion === undefined ? [{ a, u }] : []));
  const rounded = ranked.map(({ a, u }) => ({
    a,
    u,
    index: round(a.index!),
    survey: round(a.survey.points!),
    appraisal: withAppraisal ? round(a.appraisal!.points!) : 0,
  }));
  const ranks = competitionRanks(rounded.map((r) => ({ key: r.a.unit, value: r.index })));
  const surveyRanks = competitionRanks(rounded.map((r) => ({ key: r.a.unit, value: r.survey })));
  const appraisalRanks = competitionRanks(rounded.map((r) => ({ key: r.a.unit, value: r.appraisal })));
  const results = rounded.map(({ a, u, index, survey, appraisal }): PointsUnitResult => {
    const components: Record<string, PointsComponentResult> = {};
    for (const c of a.components) components[c.component] = { points: roundOrNull(c.points), max: round(c.max), index: roundOrNull(c.index) };
    return {
      unit: a.unit,
      responses: a.responses,
      counted: a.counted,
      surveyPoints: survey,
      ...(withAppraisal ? { appraisalPoints: appraisal } : {}),
      index,
      rank: ranks.get(a.unit)!,
      // SURVEY-FORMAT 3.3: survey and appraisal ranks exist for points scoring with appraisalMax only
      // (without an appraisal the survey rank would repeat the rank).
      ...(withAppraisal ? { surveyRank: surveyRanks.get(a.unit)!, appraisalRank: appraisalRanks.get(a.unit)! } : {}),
      ...(classes ? { class: classFor(classes, index) } : {}),
      components,
      flags: flagCounts(flags, u),
    };
  });
  for (const a of units) if (a.exclusion !== undefined) excluded.push(excludedLine(a));
  results.sort(byRankThenUnit);
  excluded.sort((x, y) => compareCodePoints(x.unit, y.unit));
  for (const line of [...results, ...excluded]) lines.set(line.unit, line);
  return { report: { questionnaire, kind: "points", units: results, excluded }, lines };
}

function satisfactionReport(
  questionnaire: ScoreReport["questionnaire"],
  units: readonly SatisfactionAnalysis[],
  flags: FlagTotals,
  classes: readonly { label: string; min: number }[] | undefined,
): { report: ScoreReport; lines: Map<string, SatisfactionUnitResult | ExcludedUnit> } {
  const lines = new Map<string, SatisfactionUnitResult | ExcludedUnit>();
  const excluded: ExcludedUnit[] = [];
  const ranked = units.flatMap((a, u) => (a.exclusion === undefined ? [{ a, u, index: round(a.index!) }] : []));
  const ranks = competitionRanks(ranked.map((r) => ({ key: r.a.unit, value: r.index })));
  const results = ranked.map(({ a, u, index }): SatisfactionUnitResult => {
    const components: Record<string, { index: number | null }> = {};
    for (const c of a.components) components[c.component] = { index: roundOrNull(c.index) };
    const criteria: Record<string, number | null> = {};
    for (const c of a.criteria) criteria[c.question] = roundOrNull(c.index);
    const choices: Record<string, Record<string, number>> = {};
    for (const m of a.choices) {
      const shares: Record<string, number> = {};
      for (const o of m.options) shares[o.option] = round(o.share);
      choices[m.question] = shares;
    }
    return {
      unit: a.unit,
      responses: a.responses,
      counted: a.counted,
      index,
      rank: ranks.get(a.unit)!,
      ...(classes ? { class: classFor(classes, index) } : {}),
      components,
      criteria,
      ...(a.choices.length > 0 ? { choices } : {}),
      flags: flagCounts(flags, u),
    };
  });
  for (const a of units) if (a.exclusion !== undefined) excluded.push(excludedLine(a));
  results.sort(byRankThenUnit);
  excluded.sort((x, y) => compareCodePoints(x.unit, y.unit));
  for (const line of [...results, ...excluded]) lines.set(line.unit, line);
  return { report: { questionnaire, kind: "satisfaction", units: results, excluded }, lines };
}

/** Internal: the report plus each unit's analysis and report line, for `explainUnit` (`detail`: with per-question explanations). */
export function scoreWithDetail(input: ScoringInput, detail = true):
  | { ok: false; errors: Extract<ScoringOutcome, { ok: false }>["errors"] }
  | {
      ok: true;
      report: ScoreReport;
      warnings: Extract<ScoringOutcome, { ok: true }>["warnings"];
      analyses: readonly (PointsAnalysis | SatisfactionAnalysis)[];
      lines: ReadonlyMap<string, PointsUnitResult | SatisfactionUnitResult | ExcludedUnit>;
    } {
  const analysis = analyse(input, detail);
  if (!analysis.ok) return analysis;
  const questionnaire = { id: input.questionnaire.id, version: input.questionnaire.version };
  const built =
    analysis.kind === "points"
      ? pointsReport(questionnaire, analysis.units, analysis.flags, analysis.scoring.classes, analysis.scoring.appraisalMax !== undefined)
      : satisfactionReport(questionnaire, analysis.units, analysis.flags, analysis.scoring.classes);
  return { ok: true, report: built.report, warnings: analysis.warnings, analyses: analysis.units, lines: built.lines };
}

/**
 * Scores every unit (SURVEY-FORMAT 3) into the section 6 report. Pure: the same input always
 * gives the same report, whichever channel collected the responses.
 */
export function scoreUnits(input: ScoringInput): ScoringOutcome {
  const result = scoreWithDetail(input, false);
  if (!result.ok) return result;
  return { ok: true, report: result.report, warnings: result.warnings };
}
