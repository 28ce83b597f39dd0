import type { Questionnaire } from "../../questionnaire/index.js";
import type {
  CriterionExplanation,
  GroupExplanation,
  PointsUnitExplanation,
  SatisfactionUnitExplanation,
  UnitExplanation,
} from "../explain.js";
import { protectBreakdown, withheldNote } from "../../privacy/index.js";
import { REASONS } from "./labels.js";

/**
 * How a unit's index was reached, as text an organiser can check by hand: per question the valid
 * answers, the mean and the points, each rescaling, then survey points, appraisal, index and class.
 * Intermediate values keep 4 decimals; the report's values are rounded to 2.
 */
export function formatExplanation(explanation: UnitExplanation, questionnaire: Questionnaire): string {
  // Small cells (src/privacy): a unit under minResponses shows no per-question detail at all.
  if ("reason" in explanation.result && explanation.result.reason === "insufficient_responses") {
    const note = `Details not shown: fewer than ${explanation.minResponses} counted responses could reveal what the few respondents answered`;
    return [...header(explanation, questionnaire), note, ...outcome(explanation)].join("\n") + "\n";
  }
  const lines = explanation.kind === "points" ? explainPoints(explanation, questionnaire) : explainSatisfaction(explanation, questionnaire);
  return lines.join("\n") + "\n";
}

/** Up to 4 decimals, trailing zeros dropped: enough to redo the arithmetic. */
function num(value: number): string {
  return String(Number(value.toFixed(4)));
}

function header(e: UnitExplanation, questionnaire: Questionnaire): string[] {
  const out = [`Unit ${e.unit} · ${questionnaire.id} v${questionnaire.version} (${e.kind})`];
  const notCounted: string[] = [];
  if (e.notCounted.flagged) notCounted.push(`${e.notCounted.flagged} flagged, not counted because excludeFlagged is on`);
  if (e.notCounted.rejected) notCounted.push(`${e.notCounted.rejected} rejected by an organiser`);
  out.push(`Responses: ${e.responses} submitted, ${e.counted} counted${notCounted.length ? ` (${notCounted.join("; ")})` : ""}; minResponses ${e.minResponses}`);
  if (e.groupWeights) out.push(`Group weights: ${Object.entries(e.groupWeights).map(([g, w]) => `${g} ${num(w)}`).join(", ")} (renormalised per question over the groups with a valid answer)`);
  return out;
}

function groupLines(groups: readonly GroupExplanation[] | undefined, indent: string, satisfaction: boolean, minResponses: number): string[] {
  if (!groups) return [];
  // Small cells: a group with fewer valid answers than minResponses is withheld (and one more when
  // the weighted mean would give it away).
  const { shown, hidden } = protectBreakdown(groups.filter((g) => g.valid > 0), (g) => g.valid, minResponses, { totalShown: true });
  const visible = new Set(shown);
  const lines = groups.filter((g) => g.valid === 0 || visible.has(g)).map((g) => {
    const value = g.mean === null ? "no valid answer" : satisfaction ? `${g.positive ?? 0} satisfied → ${num(g.mean)}%` : `mean ${num(g.mean)}`;
    return `${indent}group ${g.group}: weight ${num(g.weight)} → ${num(g.normalisedWeight)}, ${g.valid} valid, ${value}`;
  });
  return hidden > 0 ? [...lines, `${indent}${withheldNote(hidden, minResponses)}`] : lines;
}

function outcome(e: UnitExplanation): string[] {
  const r = e.result;
  if ("reason" in r) return [`Excluded: ${r.reason} (${REASONS[r.reason].en}); no index and no rank`];
  const ranks = [`rank ${r.rank}`];
  if ("surveyRank" in r) ranks.push(`survey rank ${r.surveyRank}`);
  if ("appraisalRank" in r && r.appraisalRank !== undefined) ranks.push(`appraisal rank ${r.appraisalRank}`);
  if ("class" in r) ranks.push(r.class === null ? "no class matches" : `class ${r.class}`);
  return [`Result: index ${r.index.toFixed(2)}, ${ranks.join(", ")}`];
}

function explainPoints(e: PointsUnitExplanation, questionnaire: Questionnaire): string[] {
  const out = header(e, questionnaire);
  for (const c of e.components) {
    out.push("", `Component ${c.component} (max ${num(c.max)})`);
    for (const q of c.questions) {
      const counts = `${q.valid} valid, ${q.notJudged} cannot judge, ${q.unanswered} unanswered`;
      if (!q.rated || q.mean === null || q.points === null) {
        out.push(`  ${q.question}: max ${num(q.maxPoints)}; ${counts}; unrated`);
      } else {
        const mean = q.groups ? `weighted mean ${num(q.mean)}` : `mean ${num(q.sum)} / ${q.valid} = ${num(q.mean)}`;
        out.push(`  ${q.question}: max ${num(q.maxPoints)}; ${counts}; ${mean}; points ${num(q.maxPoints)} × ${num(q.mean)} = ${num(q.points)}`);
      }
      if (q.valid > 0) out.push(...groupLines(q.groups, "      ", false, e.minResponses));
    }
    if (c.points === null || c.factor === null) out.push(`  → unrated: no question of ${c.component} has a valid answer`);
    else if (c.factor === 1) out.push(`  → points ${num(c.points)} of ${num(c.max)}, index ${num(c.index ?? 0)}`);
    else {
      out.push(
        `  → rated questions carry ${num(c.ratedMax)} of ${num(c.max)} points: ${num(c.rawPoints)} × ${num(c.max)} / ${num(c.ratedMax)} = ${num(c.points)} of ${num(c.max)}, index ${num(c.index ?? 0)}`,
      );
    }
  }
  const s = e.survey;
  out.push("");
  if (s.points === null || s.factor === null) out.push(`Survey points: none (every component unrated), max ${num(s.max)}`);
  else if (s.factor === 1) out.push(`Survey points: ${num(s.points)} of ${num(s.max)}`);
  else out.push(`Survey points: rated components carry ${num(s.ratedMax)} of ${num(s.max)}: ${num(s.rawPoints)} × ${num(s.max)} / ${num(s.ratedMax)} = ${num(s.points)} of ${num(s.max)}`);
  if (e.appraisal) out.push(`Appraisal points: ${e.appraisal.points === null ? "none (no row in the appraisal file)" : num(e.appraisal.points)} of ${num(e.appraisal.max)}`);
  if (e.index !== null && s.points !== null) {
    if (e.appraisal && e.appraisal.points !== null) {
      out.push(`Index: (${num(e.appraisal.points)} + ${num(s.points)}) / (${num(e.appraisal.max)} + ${num(s.max)}) × 100 = ${num(e.index)}`);
    } else out.push(`Index: ${num(s.points)} / ${num(s.max)} × 100 = ${num(e.index)}`);
  }
  out.push(...outcome(e));
  return out;
}

function criterionLine(c: CriterionExplanation, indent: string, minResponses: number): string[] {
  const counts = `${c.valid} valid, ${c.notApplicable} cannot judge, ${c.unanswered} unanswered`;
  const value = c.index === null ? "unrated" : c.groups ? `weighted index ${num(c.index)}` : `${c.positive} satisfied / ${c.valid} = ${num(c.index)}`;
  return [`${indent}${c.question}: ${counts}; ${value}`, ...(c.valid > 0 ? groupLines(c.groups, `${indent}    `, true, minResponses) : [])];
}

function explainSatisfaction(e: SatisfactionUnitExplanation, questionnaire: Questionnaire): string[] {
  const out = header(e, questionnaire);
  out.push(`Satisfied answers: ${e.positive.join(", ")}`);
  const rated: number[] = [];
  for (const c of e.components) {
    out.push("", `Factor ${c.component}`);
    for (const criterion of c.criteria) out.push(...criterionLine(criterion, "  ", e.minResponses));
    const indices = c.criteria.filter((x) => x.index !== null).map((x) => x.index!);
    if (c.index === null) out.push("  → unrated: no criterion has a valid answer");
    else {
      rated.push(c.index);
      out.push(`  → index: mean of ${indices.length} rated ${indices.length === 1 ? "criterion" : "criteria"} (${indices.map(num).join(" + ")}) / ${indices.length} = ${num(c.index)}`);
    }
  }
  out.push("");
  if (e.overall) {
    out.push("Overall question:", ...criterionLine(e.overall, "  ", e.minResponses));
    if (e.index !== null) out.push(`Index: the overall question's index = ${num(e.index)}`);
  } else if (e.index !== null) {
    out.push(`Index: mean of ${rated.length} rated factor${rated.length === 1 ? "" : "s"} (${rated.map(num).join(" + ")}) / ${rated.length} = ${num(e.index)}`);
  }
  for (const choice of e.choices) {
    out.push(
      `Choices ${choice.question} (of ${choice.counted} counted responses): ${choice.options.map((o) => `${o.option} ${o.chosen} = ${num(o.share)}%`).join(", ")}`,
    );
  }
  out.push(...outcome(e));
  return out;
}
