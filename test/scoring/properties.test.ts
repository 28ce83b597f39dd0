import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { AnswerValue, Questionnaire } from "../../src/questionnaire/index.js";
import { scoreUnits, type ScoreReport, type ScoringInput, type ScoringResponse } from "../../src/scoring/index.js";
import { options, questionnaire, scale } from "./support/build.js";

const UNITS = ["A", "B", "C", "D"];
const GROUPS = ["g1", "g2", "g3"];
// Option "n" of every single question scores SCORES[n - 1]; the last one is "cannot judge".
const SCORES = [1, 0.75, 0.5, 0.25, 0, null];
const OPTION_IDS = SCORES.map((_, i) => String(i + 1));

function pointsQuestionnaire(weighted: boolean): Questionnaire {
  const single = (id: string, maxPoints: number) => ({ id, type: "single", maxPoints, options: options(...SCORES) });
  return questionnaire(
    {
      kind: "points",
      surveyMax: 5,
      appraisalMax: 5,
      ...(weighted ? { groupWeights: { g1: 0.6, g2: 0.4 } } : {}),
      classes: [{ label: "A", min: 80 }, { label: "B", min: 0 }],
    },
    {
      c1: [single("s1", 2), { id: "m1", type: "multi", maxPoints: 1, options: options(...SCORES) }],
      c2: [single("s2", 1), single("s3", 1), { id: "t", type: "text" }],
    },
  );
}

const satisfaction = (weighted: boolean): Questionnaire =>
  questionnaire(
    { kind: "satisfaction", positive: [4, 5], ...(weighted ? { groupWeights: { g1: 0.7, g2: 0.3 } } : {}) },
    { f1: [scale("x1"), scale("x2")], f2: [scale("y1")], p: [{ id: "m", type: "multi", options: options(null, null, null) }] },
  );

const cases: readonly [string, Questionnaire][] = [
  ["points", pointsQuestionnaire(false)],
  ["points with group weights", pointsQuestionnaire(true)],
  ["satisfaction", satisfaction(false)],
  ["satisfaction with group weights", satisfaction(true)],
];

function answerArbitrary(q: Questionnaire): fc.Arbitrary<Record<string, AnswerValue>> {
  const fields: Record<string, fc.Arbitrary<AnswerValue | undefined>> = {};
  for (const { question } of q.questions) {
    let value: fc.Arbitrary<AnswerValue>;
    if (question.type === "single") value = fc.constantFrom(...OPTION_IDS);
    else if (question.type === "multi") value = fc.subarray(question.options.map((o) => o.id), { minLength: 1 });
    else if (question.type === "scale") value = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant("na"));
    else value = fc.string();
    fields[question.id] = fc.option(value, { nil: undefined, freq: 4 });
  }
  return fc.record(fields).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, AnswerValue>);
}

function responsesArbitrary(q: Questionnaire): fc.Arbitrary<ScoringResponse[]> {
  return fc
    .array(
      fc.record({
        unit: fc.constantFrom(...UNITS),
        group: fc.constantFrom(...GROUPS),
        answers: answerArbitrary(q),
        duration: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
      }),
      { maxLength: 40 },
    )
    .map((rows) =>
      rows.map(({ unit, group, answers, duration }, i) => ({
        id: `r${i}`,
        unit,
        group,
        answers,
        ...(duration === undefined ? {} : { startedAt: 0, submittedAt: duration * 1000 }),
      })),
    );
}

const appraisalArbitrary = fc.array(fc.integer({ min: 0, max: 500 }), { minLength: UNITS.length, maxLength: UNITS.length }).map(
  (points) => new Map(UNITS.map((u, i) => [u, points[i]! / 100])),
);

function score(input: ScoringInput): ScoreReport {
  const outcome = scoreUnits(input);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.report;
}

function percents(report: ScoreReport): number[] {
  return report.units.flatMap((u) => [
    u.index,
    ...Object.values(u.components).map((c) => c.index),
    ...("criteria" in u ? Object.values(u.criteria) : []),
    ...("choices" in u && u.choices ? Object.values(u.choices).flatMap((c) => Object.values(c)) : []),
  ]).filter((v): v is number => v !== null);
}

/** The report with counts (which duplication doubles) taken out. */
function withoutCounts(report: ScoreReport): unknown {
  return {
    units: report.units.map(({ responses: _r, counted: _c, flags: _f, ...rest }) => rest),
    excluded: report.excluded.map(({ responses: _r, counted: _c, ...rest }) => rest),
  };
}

const RUNS = { numRuns: 150 };

describe.each(cases)("%s", (_name, q) => {
  test("every index, criterion and share lies in [0, 100]", () => {
    fc.assert(
      fc.property(responsesArbitrary(q), appraisalArbitrary, (responses, appraisal) => {
        for (const v of percents(score({ questionnaire: q, responses, appraisal }))) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(100);
        }
      }),
      RUNS,
    );
  });

  test("the order of responses does not change any result", () => {
    fc.assert(
      fc.property(
        responsesArbitrary(q).chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))),
        appraisalArbitrary,
        ([responses, shuffled], appraisal) => {
          expect(score({ questionnaire: q, responses: shuffled, appraisal })).toStrictEqual(score({ questionnaire: q, responses, appraisal }));
        },
      ),
      RUNS,
    );
  });

  test("duplicating every response leaves every mean unchanged", () => {
    fc.assert(
      fc.property(responsesArbitrary(q), appraisalArbitrary, (responses, appraisal) => {
        const once = score({ questionnaire: q, responses, appraisal });
        const twice = score({ questionnaire: q, responses: [...responses, ...responses], appraisal });
        expect(withoutCounts(twice)).toStrictEqual(withoutCounts(once));
        for (const u of twice.units) {
          const before = once.units.find((x) => x.unit === u.unit)!;
          expect([u.responses, u.counted]).toEqual([before.responses * 2, before.counted * 2]);
        }
      }),
      RUNS,
    );
  });

  test("raising one answer's score never lowers that unit's index", () => {
    const raisable = (r: ScoringResponse): string[] =>
      Object.entries(r.answers).flatMap(([id, v]) => {
        const type = q.byId.get(id)!.question.type;
        if (type === "single" && v !== "6" && v !== "1") return [id];
        if (type === "scale" && typeof v === "number" && v < 5) return [id];
        return [];
      });
    fc.assert(
      fc.property(
        responsesArbitrary(q).filter((rs) => rs.some((r) => raisable(r).length > 0)),
        appraisalArbitrary,
        fc.nat(),
        fc.nat(),
        (responses, appraisal, pickResponse, pickQuestion) => {
          const candidates = responses.filter((r) => raisable(r).length > 0);
          const target = candidates[pickResponse % candidates.length]!;
          const ids = raisable(target);
          const id = ids[pickQuestion % ids.length]!;
          const old = target.answers[id]!;
          // Options are listed best first, so a lower option id scores higher; scale values go up.
          const raised = typeof old === "number" ? old + 1 : String(Number(old) - 1);
          const changed = responses.map((r) => (r === target ? { ...r, answers: { ...r.answers, [id]: raised } } : r));
          const before = score({ questionnaire: q, responses, appraisal }).units.find((u) => u.unit === target.unit);
          const after = score({ questionnaire: q, responses: changed, appraisal }).units.find((u) => u.unit === target.unit);
          expect(after === undefined).toBe(before === undefined);
          if (before && after) expect(after.index).toBeGreaterThanOrEqual(before.index);
        },
      ),
      RUNS,
    );
  });
});
