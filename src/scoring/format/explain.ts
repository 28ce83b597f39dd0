import type { Questionnaire } from "../../questionnaire/index.js";
import type {
  CriterionExplanation,
  GroupExplanation,
  PointsUnitExplanation,
  SatisfactionUnitExplanation,
  UnitExplanation,
} from "../explain.js";
import { protectBreakdown, withheldNote } from "../../privacy/index.js";
import { createI18n, type I18n } from "../../i18n/i18n.js";
import { REASONS } from "./labels.js";

/** Says a `listings:explain.*` key (the CLI's language); English by default. */
export type ExplainSay = (key: string, params?: Record<string, unknown>) => string;

let english: I18n | undefined;
const englishSay: ExplainSay = (key, params) => {
  english ??= createI18n({ language: "en" });
  return english.getFixedT("en")(key, params);
};

/** The words of one explanation: a key of `listings:explain`, and the report language of the exclusion reasons. */
interface Words {
  readonly say: ExplainSay;
  readonly language: "vi" | "en";
  /** A figure: up to 4 decimals, with the reader's decimal mark (a comma in Vietnamese, as the score table writes it). */
  readonly num: (value: number) => string;
  /** A decimal already written with a point, in the reader's decimal mark. */
  readonly decimal: (text: string) => string;
}

/**
 * How a unit's index was reached, as text an organiser can check by hand: per question the valid
 * answers, the mean and the points, each rescaling, then survey points, appraisal, index and class.
 * Intermediate values keep 4 decimals; the report's values are rounded to 2.
 */
export function formatExplanation(explanation: UnitExplanation, questionnaire: Questionnaire, say: ExplainSay = englishSay, language: "vi" | "en" = "en"): string {
  const decimal = (text: string) => (language === "vi" ? text.replace(".", ",") : text);
  const w: Words = { say: (key, params) => say(`listings:explain.${key}`, params), language, num: (value) => decimal(num(value)), decimal };
  // Small cells (src/privacy): a unit under minResponses shows no per-question detail at all.
  if ("reason" in explanation.result && explanation.result.reason === "insufficient_responses") {
    const note = w.say("detailsWithheld", { min: explanation.minResponses });
    return [...header(w, explanation, questionnaire), note, ...outcome(w, explanation)].join("\n") + "\n";
  }
  const lines = explanation.kind === "points" ? explainPoints(w, explanation, questionnaire) : explainSatisfaction(w, explanation, questionnaire);
  return lines.join("\n") + "\n";
}

/** Up to 4 decimals, trailing zeros dropped: enough to redo the arithmetic. */
function num(value: number): string {
  return String(Number(value.toFixed(4)));
}

function header(w: Words, e: UnitExplanation, questionnaire: Questionnaire): string[] {
  const out = [w.say("unit", { unit: e.unit, id: questionnaire.id, version: questionnaire.version, kind: e.kind })];
  const notCounted: string[] = [];
  if (e.notCounted.flagged) notCounted.push(w.say("flagged", { n: e.notCounted.flagged }));
  if (e.notCounted.rejected) notCounted.push(w.say("rejected", { n: e.notCounted.rejected }));
  out.push(w.say("responses", { responses: e.responses, counted: e.counted, notCounted: notCounted.length ? ` (${notCounted.join("; ")})` : "", min: e.minResponses }));
  if (e.groupWeights) out.push(w.say("groupWeights", { weights: Object.entries(e.groupWeights).map(([g, weight]) => `${g} ${w.num(weight)}`).join(", ") }));
  return out;
}

function groupLines(w: Words, groups: readonly GroupExplanation[] | undefined, indent: string, satisfaction: boolean, minResponses: number): string[] {
  if (!groups) return [];
  // Small cells: a group with fewer valid answers than minResponses is withheld (and one more when
  // the weighted mean would give it away).
  const { shown, hidden } = protectBreakdown(groups.filter((g) => g.valid > 0), (g) => g.valid, minResponses, { totalShown: true });
  const visible = new Set(shown);
  const lines = groups.filter((g) => g.valid === 0 || visible.has(g)).map((g) => {
    const value = g.mean === null ? w.say("noValidAnswer") : satisfaction ? w.say("groupSatisfied", { positive: g.positive ?? 0, mean: w.num(g.mean) }) : w.say("groupMean", { mean: w.num(g.mean) });
    return `${indent}${w.say("group", { group: g.group, weight: w.num(g.weight), normalised: w.num(g.normalisedWeight), valid: g.valid, value })}`;
  });
  // The privacy module's English note, said with the same figures in the organiser's language.
  const note = w.language === "en" ? withheldNote(hidden, minResponses) : w.say("withheld", { count: hidden, min: minResponses });
  return hidden > 0 ? [...lines, `${indent}${note}`] : lines;
}

function outcome(w: Words, e: UnitExplanation): string[] {
  const r = e.result;
  if ("reason" in r) return [w.say("excluded", { reason: r.reason, why: REASONS[r.reason][w.language] })];
  const ranks = [w.say("rank", { rank: r.rank })];
  if ("surveyRank" in r) ranks.push(w.say("surveyRank", { rank: r.surveyRank }));
  if ("appraisalRank" in r && r.appraisalRank !== undefined) ranks.push(w.say("appraisalRank", { rank: r.appraisalRank }));
  if ("class" in r) ranks.push(r.class === null ? w.say("noClass") : w.say("class", { class: r.class }));
  return [w.say("result", { index: w.decimal(r.index.toFixed(2)), ranks: ranks.join(", ") })];
}

function explainPoints(w: Words, e: PointsUnitExplanation, questionnaire: Questionnaire): string[] {
  const out = header(w, e, questionnaire);
  for (const c of e.components) {
    out.push("", w.say("component", { component: c.component, max: w.num(c.max) }));
    for (const q of c.questions) {
      const counts = w.say("counts", { valid: q.valid, notJudged: q.notJudged, unanswered: q.unanswered });
      if (!q.rated || q.mean === null || q.points === null) {
        out.push(`  ${w.say("questionUnrated", { question: q.question, max: w.num(q.maxPoints), counts })}`);
      } else {
        const mean = q.groups ? w.say("weightedMean", { mean: w.num(q.mean) }) : w.say("mean", { sum: w.num(q.sum), valid: q.valid, mean: w.num(q.mean) });
        out.push(`  ${w.say("questionRated", { question: q.question, max: w.num(q.maxPoints), counts, mean, value: w.num(q.mean), points: w.num(q.points) })}`);
      }
      if (q.valid > 0) out.push(...groupLines(w, q.groups, "      ", false, e.minResponses));
    }
    if (c.points === null || c.factor === null) out.push(`  ${w.say("componentUnrated", { component: c.component })}`);
    else if (c.factor === 1) out.push(`  ${w.say("componentPoints", { points: w.num(c.points), max: w.num(c.max), index: w.num(c.index ?? 0) })}`);
    else {
      out.push(`  ${w.say("componentRescaled", { ratedMax: w.num(c.ratedMax), max: w.num(c.max), raw: w.num(c.rawPoints), points: w.num(c.points), index: w.num(c.index ?? 0) })}`);
    }
  }
  const s = e.survey;
  out.push("");
  if (s.points === null || s.factor === null) out.push(w.say("surveyNone", { max: w.num(s.max) }));
  else if (s.factor === 1) out.push(w.say("surveyPoints", { points: w.num(s.points), max: w.num(s.max) }));
  else out.push(w.say("surveyRescaled", { ratedMax: w.num(s.ratedMax), max: w.num(s.max), raw: w.num(s.rawPoints), points: w.num(s.points) }));
  if (e.appraisal) out.push(w.say("appraisal", { points: e.appraisal.points === null ? w.say("appraisalNone") : w.num(e.appraisal.points), max: w.num(e.appraisal.max) }));
  if (e.index !== null && s.points !== null) {
    if (e.appraisal && e.appraisal.points !== null) {
      out.push(w.say("indexWithAppraisal", { appraisal: w.num(e.appraisal.points), survey: w.num(s.points), appraisalMax: w.num(e.appraisal.max), surveyMax: w.num(s.max), index: w.num(e.index) }));
    } else out.push(w.say("indexSurvey", { points: w.num(s.points), max: w.num(s.max), index: w.num(e.index) }));
  }
  out.push(...outcome(w, e));
  return out;
}

function criterionLine(w: Words, c: CriterionExplanation, indent: string, minResponses: number): string[] {
  const counts = w.say("counts", { valid: c.valid, notJudged: c.notApplicable, unanswered: c.unanswered });
  const value = c.index === null ? w.say("unrated") : c.groups ? w.say("weightedIndex", { index: w.num(c.index) }) : w.say("criterionShare", { positive: c.positive, valid: c.valid, index: w.num(c.index) });
  return [`${indent}${w.say("criterion", { question: c.question, counts, value })}`, ...(c.valid > 0 ? groupLines(w, c.groups, `${indent}    `, true, minResponses) : [])];
}

function explainSatisfaction(w: Words, e: SatisfactionUnitExplanation, questionnaire: Questionnaire): string[] {
  const out = header(w, e, questionnaire);
  out.push(w.say("satisfiedAnswers", { answers: e.positive.join(", ") }));
  const rated: number[] = [];
  for (const c of e.components) {
    out.push("", w.say("factor", { component: c.component }));
    for (const criterion of c.criteria) out.push(...criterionLine(w, criterion, "  ", e.minResponses));
    const indices = c.criteria.filter((x) => x.index !== null).map((x) => x.index!);
    if (c.index === null) out.push(`  ${w.say("factorUnrated")}`);
    else {
      rated.push(c.index);
      out.push(`  ${w.say("factorIndex", { count: indices.length, sum: indices.map(w.num).join(" + "), index: w.num(c.index) })}`);
    }
  }
  out.push("");
  if (e.overall) {
    out.push(w.say("overall"), ...criterionLine(w, e.overall, "  ", e.minResponses));
    if (e.index !== null) out.push(w.say("overallIndex", { index: w.num(e.index) }));
  } else if (e.index !== null) {
    out.push(w.say("factorsIndex", { count: rated.length, sum: rated.map(w.num).join(" + "), index: w.num(e.index) }));
  }
  for (const choice of e.choices) {
    const options = choice.options.map((o) => w.say("choice", { option: o.option, chosen: o.chosen, share: w.num(o.share) })).join(", ");
    out.push(w.say("choices", { question: choice.question, counted: choice.counted, options }));
  }
  out.push(...outcome(w, e));
  return out;
}
