import { NOT_APPLICABLE, type PointsScoring, type SatisfactionScoring } from "../questionnaire/index.js";
import type {
  ChoiceExplanation,
  CriterionExplanation,
  GroupExplanation,
  PointsComponentExplanation,
  PointsQuestionExplanation,
  PointsUnitExplanation,
  SatisfactionComponentExplanation,
  SatisfactionUnitExplanation,
} from "./explain.js";
import { flagBits, FLAG_BIT } from "./flags.js";
import { ResponseTable, tableQuestions, UNKNOWN_OPTION, type AnswerColumn } from "./table.js";
import type { ExclusionReason, ScoringError, ScoringInput, ScoringWarning } from "./types.js";

// Scoring runs in two steps: one pass over every answer accumulates counts and sums per
// (unit, group, question) in flat typed arrays (no allocation per answer, which is what keeps
// two million answers fast), then each unit is evaluated from its slice of those arrays.

/** A unit's full-precision analysis: its explanation without the rounded report line. */
export type PointsAnalysis = Omit<PointsUnitExplanation, "result">;
/** A unit's full-precision analysis on a satisfaction questionnaire. */
export type SatisfactionAnalysis = Omit<SatisfactionUnitExplanation, "result">;

/** Everything `scoreUnits` and `explainUnit` build their output from. */
export type Analysis =
  | {
      readonly ok: true;
      readonly kind: "points";
      readonly scoring: PointsScoring;
      readonly units: readonly PointsAnalysis[];
      readonly flags: FlagTotals;
      readonly warnings: readonly ScoringWarning[];
    }
  | {
      readonly ok: true;
      readonly kind: "satisfaction";
      readonly scoring: SatisfactionScoring;
      readonly units: readonly SatisfactionAnalysis[];
      readonly flags: FlagTotals;
      readonly warnings: readonly ScoringWarning[];
    }
  | { readonly ok: false; readonly errors: readonly ScoringError[] };

/** Flag counts per unit, indexed like `units`. */
export interface FlagTotals {
  readonly speeder: Int32Array;
  readonly straightliner: Int32Array;
  readonly delegation: Int32Array;
  /** Only when the questionnaire declares attention checks. */
  readonly attention?: Int32Array;
  /** Only when the questionnaire declares consistency pairs. */
  readonly inconsistent?: Int32Array;
}

interface UnitTable {
  readonly names: string[];
  readonly index: Map<string, number>;
}

interface GroupTable {
  readonly names: string[];
  readonly index: Map<string, number>;
  readonly weights: number[];
}

/** Scores answered with a null-score option are NaN so that one typed lookup serves both cases. */
function scoreLookup(options: readonly { readonly id: string; readonly score: number | null }[]): Map<string, number> {
  return new Map(options.map((o) => [o.id, o.score ?? Number.NaN]));
}

/** The flags that exclude a response under `excludeFlagged`; `misfit` is for review only and never excludes by itself. */
const EXCLUDING = FLAG_BIT.speeder | FLAG_BIT.straightliner | FLAG_BIT.delegation | FLAG_BIT.attention | FLAG_BIT.inconsistent;

/** Resolves the units to report and checks that responses and appraisal fit them. */
function unitTable(input: ScoringInput, responses: ResponseTable, appraisalUsed: boolean, errors: ScoringError[]): UnitTable {
  const names: string[] = [];
  const index = new Map<string, number>();
  const add = (unit: string): void => {
    if (!index.has(unit)) {
      index.set(unit, names.length);
      names.push(unit);
    }
  };
  if (input.units) {
    for (const unit of input.units) add(unit);
    const unknown = new Map<string, number>();
    for (const unit of responses.units) if (!index.has(unit)) unknown.set(unit, (unknown.get(unit) ?? 0) + 1);
    for (const [unit, count] of unknown) {
      errors.push({ code: "unknown_response_unit", unit, message: `${count} response(s) assess unit "${unit}", which is not in the campaign` });
    }
    if (appraisalUsed && input.appraisal) {
      for (const unit of input.appraisal.keys()) {
        if (!index.has(unit)) {
          errors.push({ code: "unknown_appraisal_unit", unit, message: `the appraisal has a row for unit "${unit}", which is not in the campaign` });
        }
      }
    }
  } else {
    for (const unit of responses.units) add(unit);
    if (appraisalUsed && input.appraisal) for (const unit of input.appraisal.keys()) add(unit);
  }
  return { names, index };
}

/** Groups seen in the responses, with their weights (0 when `groupWeights` names none). */
function groupTable(responses: ResponseTable, groupWeights: Readonly<Record<string, number>>, warnings: ScoringWarning[]): GroupTable {
  const names: string[] = [];
  const index = new Map<string, number>();
  const weights: number[] = [];
  const unweighted = new Map<string, number>();
  for (const group of responses.groups) {
    if (!index.has(group)) {
      index.set(group, names.length);
      names.push(group);
      weights.push(Object.hasOwn(groupWeights, group) ? groupWeights[group]! : 0);
    }
    if (!Object.hasOwn(groupWeights, group)) unweighted.set(group, (unweighted.get(group) ?? 0) + 1);
  }
  for (const [group, responses] of unweighted) {
    warnings.push({
      code: "unweighted_group",
      group,
      responses,
      message: `group "${group}" has no weight in scoring.groupWeights: its ${responses} response(s) count towards "counted" and minResponses but weigh 0 in every mean`,
    });
  }
  return { names, index, weights };
}

/** Per-response bookkeeping shared by both kinds; returns which responses count. */
function tally(
  input: ScoringInput,
  responses: ResponseTable,
  units: UnitTable,
  excludeFlagged: boolean,
): { counts: Uint8Array; responseUnit: Int32Array; responses: Int32Array; counted: Int32Array; flaggedOut: Int32Array; rejected: Int32Array; flags: FlagTotals } {
  const n = units.names.length;
  const flags = flagBits(input.questionnaire, responses);
  const quality = input.questionnaire.definition.quality;
  const rows = responses.length;
  const out = {
    counts: new Uint8Array(rows),
    responseUnit: new Int32Array(rows),
    responses: new Int32Array(n),
    counted: new Int32Array(n),
    flaggedOut: new Int32Array(n),
    rejected: new Int32Array(n),
    flags: {
      speeder: new Int32Array(n),
      straightliner: new Int32Array(n),
      delegation: new Int32Array(n),
      ...(quality && quality.attentionChecks.length > 0 ? { attention: new Int32Array(n) } : {}),
      ...(quality && quality.pairs.length > 0 ? { inconsistent: new Int32Array(n) } : {}),
    },
  };
  const decisions = responses.decisions;
  for (let i = 0; i < rows; i++) {
    const u = units.index.get(responses.units[i]!)!;
    const f = flags[i]!;
    out.responseUnit[i] = u;
    out.responses[u]!++;
    if (f & FLAG_BIT.speeder) out.flags.speeder[u]!++;
    if (f & FLAG_BIT.straightliner) out.flags.straightliner[u]!++;
    if (f & FLAG_BIT.delegation) out.flags.delegation[u]!++;
    if (f & FLAG_BIT.attention && out.flags.attention) out.flags.attention[u]!++;
    if (f & FLAG_BIT.inconsistent && out.flags.inconsistent) out.flags.inconsistent[u]!++;
    const decision = decisions?.[i];
    if (decision === "reject") out.rejected[u]!++;
    else if (decision !== "accept" && excludeFlagged && (f & EXCLUDING) !== 0) out.flaggedOut[u]!++;
    else {
      out.counts[i] = 1;
      out.counted[u]!++;
    }
  }
  return out;
}

/** Weighted mean over groups with data, weights renormalised over those groups (SURVEY-FORMAT 3.1). */
function combineGroups(
  groups: GroupTable,
  valid: (g: number) => number,
  groupValue: (g: number) => number,
  positives?: (g: number) => number,
): { value: number | null; details: GroupExplanation[] } {
  let totalWeight = 0;
  let acc = 0;
  for (let g = 0; g < groups.names.length; g++) {
    if (valid(g) > 0) {
      totalWeight += groups.weights[g]!;
      acc += groups.weights[g]! * groupValue(g);
    }
  }
  const details = groups.names.map((group, g): GroupExplanation => {
    const n = valid(g);
    const weight = groups.weights[g]!;
    return {
      group,
      weight,
      normalisedWeight: n > 0 && totalWeight > 0 ? weight / totalWeight : 0,
      valid: n,
      mean: n > 0 ? groupValue(g) : null,
      ...(positives ? { positive: positives(g) } : {}),
    };
  });
  return { value: totalWeight > 0 ? acc / totalWeight : null, details };
}

function exclusion(counted: number, minResponses: number, appraisalMissing: boolean, rated: boolean): ExclusionReason | undefined {
  if (counted < minResponses) return "insufficient_responses";
  if (appraisalMissing) return "missing_appraisal";
  if (!rated) return "no_valid_answers";
  return undefined;
}

/**
 * The hot loop of points scoring, kept apart so that its locals live in registers, not in a closure
 * context. It runs question by question down each answer column (one array streamed at a time);
 * each sum still adds its answers in response order, so the totals are those of a row-wise pass.
 * Single questions are read as option codes (decoded once per question, shared with the flags).
 * Each column's loop is a function of its own taking only numbers and arrays: called once per
 * question, it is soon optimised as a whole, where a loop inside a function called once per
 * scoring is optimised on the fly, from type feedback that part of its body has not gathered yet
 * (and is thrown away again when execution reaches that part).
 */
function accumulatePoints(
  responses: ResponseTable,
  counts: Uint8Array,
  responseUnit: Int32Array,
  groupIndex: ReadonlyMap<string, number> | undefined,
  compiled: {
    readonly ids: readonly string[];
    readonly isSingle: readonly boolean[];
    readonly scores: readonly ReadonlyMap<string, number>[];
    readonly options: readonly (readonly { readonly id: string; readonly score: number | null }[])[];
  },
  nG: number,
  sums: Float64Array,
  valid: Float64Array,
  notJudged: Int32Array,
): void {
  const { ids, isSingle, scores, options } = compiled;
  const nQ = ids.length;
  const rows = responses.length;
  // Each counted response's first slot in `sums` and `valid` ((unit, group) × questions); -1 when not counted.
  const base = new Int32Array(rows);
  const groupOf = responses.groups;
  for (let r = 0; r < rows; r++) {
    base[r] = counts[r] === 0 ? -1 : (responseUnit[r]! * nG + (groupIndex ? groupIndex.get(groupOf[r]!)! : 0)) * nQ;
  }
  for (let q = 0; q < nQ; q++) {
    const lookup = scores[q]!;
    if (isSingle[q]!) {
      // By option code: the option's score (NaN for a null score, as in the lookup).
      const codes = responses.optionCodes(ids[q]!, options[q]!);
      const scoreOf = Float64Array.from({ length: options[q]!.length + 1 }, (_, c) => (c === 0 ? Number.NaN : lookup.get(options[q]![c - 1]!.id)!));
      accumulateSingle(codes, scoreOf, base, responseUnit, q, nQ, sums, valid, notJudged);
      continue;
    }
    // One-character option ids (the usual case) by character code, as optionCodes reads single answers.
    const isOption = new Uint8Array(128);
    const scoreByCode = new Float64Array(128);
    for (const [option, score] of lookup) {
      if (option.length !== 1 || option.charCodeAt(0) >= 128) continue;
      isOption[option.charCodeAt(0)] = 1;
      scoreByCode[option.charCodeAt(0)] = score;
    }
    accumulateMulti(responses.column(ids[q]!), lookup, isOption, scoreByCode, base, responseUnit, q, nQ, sums, valid, notJudged);
  }
}

/** One single question's answers into the sums (see accumulatePoints): 0 and unknown codes are skipped. */
function accumulateSingle(
  codes: Uint16Array,
  scoreOf: Float64Array,
  base: Int32Array,
  responseUnit: Int32Array,
  q: number,
  nQ: number,
  sums: Float64Array,
  valid: Float64Array,
  notJudged: Int32Array,
): void {
  for (let r = 0; r < codes.length; r++) {
    const at = base[r]!;
    if (at < 0) continue;
    const code = codes[r]!;
    if (code === 0 || code === UNKNOWN_OPTION) continue;
    const score = scoreOf[code]!;
    if (score !== score) notJudged[responseUnit[r]! * nQ + q]!++;
    else {
      sums[at + q]! += score;
      valid[at + q]!++;
    }
  }
}

/** One multi question's answers into the sums (see accumulatePoints): the mean of the chosen options' non-null scores. */
function accumulateMulti(
  column: AnswerColumn,
  lookup: ReadonlyMap<string, number>,
  isOption: Uint8Array,
  scoreByCode: Float64Array,
  base: Int32Array,
  responseUnit: Int32Array,
  q: number,
  nQ: number,
  sums: Float64Array,
  valid: Float64Array,
  notJudged: Int32Array,
): void {
  for (let r = 0; r < column.length; r++) {
    const at = base[r]!;
    if (at < 0) continue;
    const value = column[r];
    if (value === undefined) continue;
    let total = 0;
    let n = 0;
    let chosen = 0;
    if (Array.isArray(value)) {
      for (let k = 0; k < value.length; k++) {
        const id: unknown = value[k];
        let s: number | undefined;
        if (typeof id === "string" && id.length === 1 && id.charCodeAt(0) < 128) {
          if (isOption[id.charCodeAt(0)] === 0) continue;
          s = scoreByCode[id.charCodeAt(0)]!;
        } else {
          s = lookup.get(id as string);
          if (s === undefined) continue;
        }
        chosen++;
        if (s === s) {
          total += s;
          n++;
        }
      }
    } else {
      const s = lookup.get(String(value));
      if (s !== undefined) {
        chosen = 1;
        if (s === s) {
          total = s;
          n = 1;
        }
      }
    }
    if (chosen === 0) continue;
    const score = n > 0 ? total / n : Number.NaN;
    if (score !== score) notJudged[responseUnit[r]! * nQ + q]!++;
    else {
      sums[at + q]! += score;
      valid[at + q]!++;
    }
  }
}

function analysePoints(input: ScoringInput, scoring: PointsScoring, detail: boolean): Analysis {
  const { questionnaire } = input;
  const errors: ScoringError[] = [];
  const warnings: ScoringWarning[] = [];
  const appraisalUsed = scoring.appraisalMax !== undefined;
  if (input.appraisal && !appraisalUsed) {
    warnings.push({ code: "appraisal_ignored", message: "the questionnaire sets no appraisalMax, so the appraisal points are ignored" });
  }
  const responses = ResponseTable.of(input.responses, tableQuestions(questionnaire));
  const units = unitTable(input, responses, appraisalUsed, errors);
  if (errors.length > 0) return { ok: false, errors };
  const weighted = scoring.groupWeights !== undefined;
  const groups: GroupTable = weighted
    ? groupTable(responses, scoring.groupWeights!, warnings)
    : { names: [""], index: new Map(), weights: [1] };

  // Scored questions, grouped by component in questionnaire order.
  const questions = questionnaire.questions.filter(
    (q) => (q.question.type === "single" || q.question.type === "multi") && q.question.maxPoints !== undefined,
  );
  const ids = questions.map((q) => q.question.id);
  const maxPoints = questions.map((q) => (q.question as { maxPoints: number }).maxPoints);
  const isSingle = questions.map((q) => q.question.type === "single");
  const scores = questions.map((q) => scoreLookup((q.question as { options: { id: string; score: number | null }[] }).options));
  const components = questionnaire.components
    .map((component) => ({ component, members: questions.flatMap((q, i) => (q.component === component ? [i] : [])) }))
    .filter((c) => c.members.length > 0);

  const nQ = questions.length;
  const nG = groups.names.length;
  const nU = units.names.length;
  const sums = new Float64Array(nU * nG * nQ);
  const valid = new Float64Array(nU * nG * nQ);
  const notJudged = new Int32Array(nU * nQ);
  const t = tally(input, responses, units, scoring.excludeFlagged);

  const options = questions.map((q) => (q.question as { options: { id: string; score: number | null }[] }).options);
  accumulatePoints(responses, t.counts, t.responseUnit, weighted ? groups.index : undefined, { ids, isSingle, scores, options }, nG, sums, valid, notJudged);

  const totalMax = components.reduce((acc, c) => acc + c.members.reduce((a, q) => a + maxPoints[q]!, 0), 0);
  const unitsOut = units.names.map((unit, u): PointsAnalysis => {
    const componentsOut = components.map(({ component, members }): PointsComponentExplanation => {
      let max = 0;
      let ratedMax = 0;
      let rawPoints = 0;
      // Per question only the figures the report needs, unless explaining (no closures, no objects then).
      const questionsOut: PointsQuestionExplanation[] = [];
      for (let m = 0; m < members.length; m++) {
        const q = members[m]!;
        let mean: number | null;
        let groupDetails: GroupExplanation[] | undefined;
        let validCount = 0;
        let sum = 0;
        for (let g = 0; g < nG; g++) {
          validCount += valid[(u * nG + g) * nQ + q]!;
          sum += sums[(u * nG + g) * nQ + q]!;
        }
        if (weighted && detail) {
          const at = (g: number): number => (u * nG + g) * nQ + q;
          const combined = combineGroups(groups, (g) => valid[at(g)]!, (g) => sums[at(g)]! / valid[at(g)]!);
          mean = combined.value;
          groupDetails = combined.details;
        } else if (weighted) {
          // combineGroups' value, in the same order of operations.
          let totalWeight = 0;
          let acc = 0;
          for (let g = 0; g < nG; g++) {
            const slot = (u * nG + g) * nQ + q;
            if (valid[slot]! > 0) {
              totalWeight += groups.weights[g]!;
              acc += groups.weights[g]! * (sums[slot]! / valid[slot]!);
            }
          }
          mean = totalWeight > 0 ? acc / totalWeight : null;
        } else {
          mean = validCount > 0 ? sum / validCount : null;
        }
        max += maxPoints[q]!;
        if (mean !== null) {
          ratedMax += maxPoints[q]!;
          rawPoints += maxPoints[q]! * mean;
        }
        if (!detail) continue;
        const nj = notJudged[u * nQ + q]!;
        questionsOut.push({
          question: ids[q]!,
          maxPoints: maxPoints[q]!,
          valid: validCount,
          notJudged: nj,
          unanswered: t.counted[u]! - validCount - nj,
          sum,
          ...(groupDetails ? { groups: groupDetails } : {}),
          mean,
          points: mean === null ? null : maxPoints[q]! * mean,
          rated: mean !== null,
        });
      }
      const factor = ratedMax > 0 ? max / ratedMax : null;
      const points = factor === null ? null : rawPoints * factor;
      return { component, max, ratedMax, rawPoints, factor, points, index: points === null ? null : (points / max) * 100, questions: questionsOut };
    });

    let surveyRatedMax = 0;
    let surveyRaw = 0;
    for (const c of componentsOut) {
      if (c.points === null) continue;
      surveyRatedMax += c.max;
      surveyRaw += c.points;
    }
    const surveyFactor = surveyRatedMax > 0 ? totalMax / surveyRatedMax : null;
    const surveyPoints = surveyFactor === null ? null : surveyRaw * surveyFactor;
    const appraisalPoints = appraisalUsed ? (input.appraisal?.get(unit) ?? null) : null;
    const reason = exclusion(t.counted[u]!, scoring.minResponses, appraisalUsed && appraisalPoints === null, surveyPoints !== null);
    let index: number | null = null;
    if (reason === undefined && surveyPoints !== null) {
      index = appraisalUsed
        ? ((appraisalPoints! + surveyPoints) / (scoring.appraisalMax! + scoring.surveyMax)) * 100
        : (surveyPoints / scoring.surveyMax) * 100;
    }
    return {
      kind: "points",
      unit,
      responses: t.responses[u]!,
      counted: t.counted[u]!,
      notCounted: { flagged: t.flaggedOut[u]!, rejected: t.rejected[u]! },
      minResponses: scoring.minResponses,
      ...(weighted ? { groupWeights: scoring.groupWeights! } : {}),
      components: componentsOut,
      survey: { rawPoints: surveyRaw, max: totalMax, ratedMax: surveyRatedMax, factor: surveyFactor, points: surveyPoints },
      ...(appraisalUsed ? { appraisal: { points: appraisalPoints, max: scoring.appraisalMax! } } : {}),
      index,
      ...(reason ? { exclusion: reason } : {}),
    };
  });
  return { ok: true, kind: "points", scoring, units: unitsOut, flags: t.flags, warnings };
}

/** The hot loop of satisfaction scoring (see accumulatePoints). */
function accumulateSatisfaction(
  responses: ResponseTable,
  counts: Uint8Array,
  responseUnit: Int32Array,
  groupIndex: ReadonlyMap<string, number> | undefined,
  compiled: {
    readonly ids: readonly string[];
    readonly positive: ReadonlySet<number>;
    readonly multiIds: readonly string[];
    readonly optionIndex: readonly ReadonlyMap<string, number>[];
    readonly optionOffset: readonly number[];
    readonly totalOptions: number;
  },
  nG: number,
  valid: Float64Array,
  positives: Float64Array,
  notApplicable: Int32Array,
  chosen: Int32Array,
): void {
  const { ids, positive, multiIds, optionIndex, optionOffset, totalOptions } = compiled;
  const nQ = ids.length;
  const columns = ids.map((id) => responses.column(id));
  const multiColumns = multiIds.map((id) => responses.column(id));
  const groupOf = responses.groups;
  for (let r = 0; r < responses.length; r++) {
    if (counts[r] === 0) continue;
    const u = responseUnit[r]!;
    const g = groupIndex ? groupIndex.get(groupOf[r]!)! : 0;
    const base = (u * nG + g) * nQ;
    for (let q = 0; q < nQ; q++) {
      const value = columns[q]![r];
      if (value === undefined) continue;
      if (value === NOT_APPLICABLE) {
        notApplicable[u * nQ + q]!++;
        continue;
      }
      const n = typeof value === "number" ? value : Number(value);
      if (n !== n) continue;
      valid[base + q]!++;
      if (positive.has(n)) positives[base + q]!++;
    }
    for (let m = 0; m < multiIds.length; m++) {
      const value = multiColumns[m]![r];
      if (value === undefined) continue;
      const list = Array.isArray(value) ? value : [String(value)];
      const at = u * totalOptions + optionOffset[m]!;
      for (let k = 0; k < list.length; k++) {
        const o = optionIndex[m]!.get(list[k] as string);
        if (o !== undefined) chosen[at + o]!++;
      }
    }
  }
}

function analyseSatisfaction(input: ScoringInput, scoring: SatisfactionScoring): Analysis {
  const { questionnaire } = input;
  const errors: ScoringError[] = [];
  const warnings: ScoringWarning[] = [];
  if (input.appraisal) {
    warnings.push({ code: "appraisal_ignored", message: "a satisfaction questionnaire takes no appraisal points, so the appraisal is ignored" });
  }
  const overallId = scoring.overallQuestion;
  if (overallId !== undefined && questionnaire.byId.get(overallId)?.question.type !== "scale") {
    errors.push({ code: "bad_overall_question", message: `scoring.overallQuestion "${overallId}" is not a scale question of the questionnaire` });
  }
  const responses = ResponseTable.of(input.responses, tableQuestions(questionnaire));
  const units = unitTable(input, responses, false, errors);
  if (errors.length > 0) return { ok: false, errors };
  const weighted = scoring.groupWeights !== undefined;
  const groups: GroupTable = weighted
    ? groupTable(responses, scoring.groupWeights!, warnings)
    : { names: [""], index: new Map(), weights: [1] };

  const criteria = questionnaire.questions.filter((q) => q.question.type === "scale");
  const ids = criteria.map((q) => q.question.id);
  const positive = new Set(scoring.positive);
  const multis = questionnaire.questions.flatMap((q) => (q.question.type === "multi" ? [q.question] : []));
  const optionOffset: number[] = [];
  let totalOptions = 0;
  for (const m of multis) {
    optionOffset.push(totalOptions);
    totalOptions += m.options.length;
  }
  const optionIndex = multis.map((m) => new Map(m.options.map((o, i) => [o.id, i])));
  const multiIds = multis.map((m) => m.id);

  const nQ = criteria.length;
  const nG = groups.names.length;
  const nU = units.names.length;
  const valid = new Float64Array(nU * nG * nQ);
  const positives = new Float64Array(nU * nG * nQ);
  const notApplicable = new Int32Array(nU * nQ);
  const chosen = new Int32Array(nU * totalOptions);
  const t = tally(input, responses, units, scoring.excludeFlagged);

  accumulateSatisfaction(
    responses,
    t.counts,
    t.responseUnit,
    weighted ? groups.index : undefined,
    { ids, positive, multiIds, optionIndex, optionOffset, totalOptions },
    nG,
    valid,
    positives,
    notApplicable,
    chosen,
  );

  const componentIds = questionnaire.components.filter((c) => criteria.some((q) => q.component === c && q.question.id !== overallId));
  const unitsOut = units.names.map((unit, u): SatisfactionAnalysis => {
    const criterion = (q: number): CriterionExplanation => {
      const at = (g: number): number => (u * nG + g) * nQ + q;
      let validCount = 0;
      let positiveCount = 0;
      for (let g = 0; g < nG; g++) {
        validCount += valid[at(g)]!;
        positiveCount += positives[at(g)]!;
      }
      let index: number | null;
      let groupDetails: GroupExplanation[] | undefined;
      if (weighted) {
        const combined = combineGroups(
          groups,
          (g) => valid[at(g)]!,
          (g) => (positives[at(g)]! / valid[at(g)]!) * 100,
          (g) => positives[at(g)]!,
        );
        index = combined.value;
        groupDetails = combined.details;
      } else {
        index = validCount > 0 ? (positiveCount / validCount) * 100 : null;
      }
      const na = notApplicable[u * nQ + q]!;
      return {
        question: ids[q]!,
        valid: validCount,
        positive: positiveCount,
        notApplicable: na,
        unanswered: t.counted[u]! - validCount - na,
        ...(groupDetails ? { groups: groupDetails } : {}),
        index,
      };
    };
    const all = criteria.map((_, q) => criterion(q));
    const componentsOut = componentIds.map((component): SatisfactionComponentExplanation => {
      const members = all.filter((c, q) => criteria[q]!.component === component && c.question !== overallId);
      const rated = members.filter((c) => c.index !== null);
      return {
        component,
        criteria: members,
        index: rated.length > 0 ? rated.reduce((a, c) => a + c.index!, 0) / rated.length : null,
      };
    });
    const overall = overallId === undefined ? undefined : all.find((c) => c.question === overallId);
    let raw: number | null;
    if (overall) raw = overall.index;
    else {
      const rated = componentsOut.filter((c) => c.index !== null);
      raw = rated.length > 0 ? rated.reduce((a, c) => a + c.index!, 0) / rated.length : null;
    }
    const counted = t.counted[u]!;
    const choices = multis.map((m, mi): ChoiceExplanation => ({
      question: m.id,
      counted,
      options: m.options.map((o, oi) => {
        const n = chosen[u * totalOptions + optionOffset[mi]! + oi]!;
        return { option: o.id, chosen: n, share: counted > 0 ? (n / counted) * 100 : 0 };
      }),
    }));
    const reason = exclusion(counted, scoring.minResponses, false, raw !== null);
    return {
      kind: "satisfaction",
      unit,
      responses: t.responses[u]!,
      counted,
      notCounted: { flagged: t.flaggedOut[u]!, rejected: t.rejected[u]! },
      minResponses: scoring.minResponses,
      positive: scoring.positive,
      ...(weighted ? { groupWeights: scoring.groupWeights! } : {}),
      components: componentsOut,
      ...(overall ? { overall } : {}),
      criteria: all,
      choices,
      index: reason === undefined ? raw : null,
      ...(reason ? { exclusion: reason } : {}),
    };
  });
  return { ok: true, kind: "satisfaction", scoring, units: unitsOut, flags: t.flags, warnings };
}

/**
 * Accumulates and evaluates every unit in full precision; the shared core of scoring and explaining.
 * Without `detail` a points unit's components carry no per-question explanations (the report needs none).
 */
export function analyse(input: ScoringInput, detail = true): Analysis {
  const scoring = input.questionnaire.definition.scoring;
  if (!scoring) {
    return { ok: false, errors: [{ code: "not_scored", message: `questionnaire "${input.questionnaire.id}" has no scoring section, so it cannot be scored` }] };
  }
  return scoring.kind === "points" ? analysePoints(input, scoring, detail) : analyseSatisfaction(input, scoring);
}
