import { describe, expect, test } from "vitest";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { computeFlags, scoreReportSchema, scoreUnits, type ScoringResponse } from "../../src/scoring/index.js";
import { CARELESS_KINDS, carelessPopulation, measureFlags, PROVINCE, TARGETS } from "./support/population.js";
import { options, questionnaire, response, scale, single } from "../scoring/support/build.js";

// Two fixed populations (seeded, so these are correctness tests, not timings); `npm run bench:flags`
// measures ten seeds of each questionnaire and reports min and mean.
describe.each([
  { seed: 16, checks: false },
  { seed: 20, checks: true },
])("planted province population, seed $seed, attention check and reverse pairs: $checks", ({ seed, checks }) => {
  const population = carelessPopulation({ ...PROVINCE, seed, checks });
  const m = measureFlags(population);
  const by = (kind: string) => m.kinds.find((k) => k.kind === kind)!.byFlag;

  test("the population is a province round with 10% careless responses of every kind", () => {
    expect(population.responses).toHaveLength(2300);
    for (const kind of CARELESS_KINDS) expect(population.kinds.filter((k) => k === kind).length).toBe(46);
    expect(population.questionnaire.byId.has("att")).toBe(checks);
  });

  test(`precision overall ≥ ${TARGETS.precision}`, () => {
    expect(m.precision).toBeGreaterThanOrEqual(TARGETS.precision);
  });

  test.each(CARELESS_KINDS)("recall of %s meets its target", (kind) => {
    expect(m.kinds.find((k) => k.kind === kind)!.recall).toBeGreaterThanOrEqual(TARGETS.recall[kind]);
  });

  test("the flag that catches each kind is the one meant for it", () => {
    expect(by("fast").speeder).toBe(46);
    expect(by("partly fast").speeder).toBeGreaterThanOrEqual(42);
    expect(by("straight-lined").straightliner).toBeGreaterThanOrEqual(42);
    expect(by("random").misfit).toBeGreaterThanOrEqual(23);
    if (checks) expect((by("random").attention ?? 0) + (by("straight-lined").attention ?? 0)).toBeGreaterThan(0);
    else expect(by("random").attention).toBeUndefined();
  });

  test("partial speeders keep a normal total time: only the per-question reading floor catches them", () => {
    const flags = computeFlags(population.questionnaire, population.responses.map(({ seconds: _s, ...r }) => r));
    const partly = population.kinds.flatMap((k, i) => (k === "partly fast" ? [flags[i]!] : []));
    expect(partly.filter((f) => f.speeder).length).toBeLessThanOrEqual(4);
  });
});

describe("lenient genuine respondents are spared by the unit comparison, not by luck", () => {
  // Seed 16 without the comparison (rarity 1: every response over the share or run limit is flagged).
  const population = carelessPopulation({ ...PROVINCE, seed: 16, quality: { straightline: { ignore: ["overall"], rarity: 1 } } });
  const m = measureFlags(population);
  const compared = measureFlags(carelessPopulation({ ...PROVINCE, seed: 16 }));

  test("without it, genuine respondents who rate everything high are flagged by the dozen", () => {
    expect(m.kinds.find((k) => k.kind === "genuine")!.byFlag.straightliner).toBeGreaterThan(40);
    expect(compared.kinds.find((k) => k.kind === "genuine")!.byFlag.straightliner ?? 0).toBeLessThan(15);
  });
});

const singles = Array.from({ length: 12 }, (_, i) => single(`q${i + 1}`));
const yesNo = { id: "yn", type: "single", options: options(null, null) };

describe("reading-speed floor (speeder, rule reading)", () => {
  const q = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles, s2: [yesNo] });
  // Question texts are "x" (1 character): the floor is minSeconds, 1 s.
  const timed = (fast: number) => response("U", {}, { seconds: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i + 1}`, i < fast ? 0.4 : 6])) });

  test("3 of 10 questions under the floor flags (default share 30%), with the evidence in words", () => {
    const [f] = computeFlags(q, [timed(3)]);
    expect(f!.speeder).toBe(true);
    expect(f!.evidence).toEqual([
      {
        flag: "speeder",
        rule: "reading",
        parts: [{ key: "reading", params: { fast: 3, timed: 10, median: 0.4, needed: 1 } }],
        text: expect.stringMatching(/^3 of 10 timed questions answered faster than their text can be read \(median 0\.4 s where reading them needs 1 s on average\)$/),
      },
    ]);
  });

  test("2 of 10 is a fast reader, not a speeder; fewer than 5 timed questions are not judged", () => {
    expect(computeFlags(q, [timed(2)])[0]!.speeder).toBe(false);
    expect(computeFlags(q, [response("U", {}, { seconds: { q1: 0.1, q2: 0.1, q3: 0.1, q4: 0.1 } })])[0]!.speeder).toBe(false);
  });

  test("the floor follows the text length in the response's language", () => {
    const long = questionnaire({ kind: "points", surveyMax: 5 }, {
      s1: Array.from({ length: 5 }, (_, i) => ({ ...single(`q${i + 1}`), text: { vi: "x".repeat(300), en: "y".repeat(30) } })),
    }, { languages: ["vi", "en"], title: { vi: "x", en: "x" } });
    const seconds = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`q${i + 1}`, 4]));
    // 300 characters at 30 per second need 10 s; 30 characters need 1 s.
    expect(computeFlags(long, [response("U", {}, { seconds, language: "vi" })])[0]!.speeder).toBe(true);
    expect(computeFlags(long, [response("U", {}, { seconds, language: "en" })])[0]!.speeder).toBe(false);
  });
});

describe("long-string index on judgement questions (straightliner, rule long-string)", () => {
  const q = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles, s2: [yesNo, scale("overall")] }, { quality: { straightline: { ignore: ["overall"] } } });
  const answers = (same: number, other = "2") => ({ ...Object.fromEntries(singles.map((s, i) => [s.id as string, i < same ? "1" : other])), yn: "2", overall: 7 });

  test("the same answer on every scored question is caught although yes/no and the overall mark differ", () => {
    const [f] = computeFlags(q, [response("U", answers(12))]);
    expect(f!.straightliner).toBe(true);
    expect(f!.evidence.map((e) => e.rule)).toEqual(["long-string"]);
    expect(f!.evidence[0]!.text).toContain("the same answer on 12 of 12 judgement questions (limit 70%)");
  });

  test("9 of 12 (75%) is caught, 8 of 12 (67%) is not", () => {
    expect(computeFlags(q, [response("U", answers(9, "3"))])[0]!.straightliner).toBe(true);
    const eight = { ...answers(8, "3"), q12: "2" };
    expect(computeFlags(q, [response("U", eight)])[0]!.straightliner).toBe(false);
  });

  test("\"cannot judge\" answers are no judgement: 9 same and 3 cannot-judge is under minAnswers 10", () => {
    // Option "4" of single() is the null-score "cannot judge".
    expect(computeFlags(q, [response("U", answers(9, "4"))])[0]!.straightliner).toBe(false);
    expect(computeFlags(q, [response("U", answers(10, "4"))])[0]!.straightliner).toBe(true);
  });

  test("sameness the unit explains is spared: everyone in the unit rates every question 1", () => {
    const unit = Array.from({ length: 20 }, () => response("U", answers(12)));
    expect(computeFlags(q, unit).filter((f) => f.straightliner)).toHaveLength(0);
    const mixed = Array.from({ length: 20 }, (_, i) => response("U", Object.fromEntries(singles.map((s, k) => [s.id as string, String(((i + k) % 3) + 1)]))));
    expect(computeFlags(q, [...mixed, response("U", answers(12))]).at(-1)!.straightliner).toBe(true);
  });
});

describe("attention checks and consistency pairs", () => {
  const q = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles, s2: [scale("a"), scale("b"), { ...scale("att"), allowNotApplicable: false }] }, {
    quality: { attentionChecks: [{ question: "att", accept: [2] }], attentionFailures: 1, pairs: [{ a: "a", b: "b", relation: "reverse" }] },
  });

  test("an instructed response answered otherwise raises attention, with the answer and the instruction", () => {
    const [pass, fail] = computeFlags(q, [response("U", { att: 2 }), response("U", { att: 5 })]);
    expect(pass!.attention).toBe(false);
    expect(fail!.attention).toBe(true);
    expect(fail!.evidence[0]!.text).toBe("failed 1 of 1 attention checks (att: answered 5, instructed 2)");
  });

  test("a reverse-coded pair answered alike raises inconsistent; mirrored answers pass", () => {
    const [mirrored, alike] = computeFlags(q, [response("U", { a: 5, b: 1 }), response("U", { a: 5, b: 5 })]);
    expect(mirrored!.inconsistent).toBe(false);
    expect(alike!.inconsistent).toBe(true);
    expect(alike!.evidence[0]!.text).toBe("1 of 1 consistency pairs contradict each other (a=5 and b=5, declared reversed)");
  });

  test("score output counts them only when declared, and excludeFlagged drops them", () => {
    const scored = questionnaire({ kind: "points", surveyMax: 12, excludeFlagged: true }, { s1: singles, s2: [{ ...scale("att"), allowNotApplicable: false }] }, {
      quality: { attentionChecks: [{ question: "att", accept: [2] }], attentionFailures: 1 },
    });
    const rs: ScoringResponse[] = [response("U", { q1: "1", att: 2 }), response("U", { q1: "3", att: 4 })];
    const outcome = scoreUnits({ questionnaire: scored, responses: rs });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(scoreReportSchema.safeParse(outcome.report).success).toBe(true);
    const unit = outcome.report.units[0]!;
    expect(unit.flags).toEqual({ speeder: 0, straightliner: 0, delegation: 0, attention: 1 });
    expect(unit.counted).toBe(1);
  });
});

describe("two weak signs together raise a flag that neither raises alone", () => {
  const q = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles, s2: [{ ...scale("att"), allowNotApplicable: false }] }, {
    quality: { attentionChecks: [{ question: "att", accept: [2] }] },
  });
  // 2 of 10 timed questions under the reading floor: 20%, under the 30% limit but over half of it.
  const seconds = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i + 1}`, i < 2 ? 0.4 : 6]));

  test("one failed attention check alone is a slip, not a flag (attentionFailures defaults to 2)", () => {
    expect(computeFlags(q, [response("U", { att: 5 })])[0]!.evidence).toEqual([]);
    expect(computeFlags(q, [response("U", { att: 2 }, { seconds })])[0]!.evidence).toEqual([]);
  });

  test("a failed check and a few questions answered faster than they can be read raise both, saying why", () => {
    const [f] = computeFlags(q, [response("U", { att: 5 }, { seconds })]);
    expect(f!.speeder).toBe(true);
    expect(f!.attention).toBe(true);
    expect(f!.evidence.map((e) => e.text)).toEqual([
      "2 of 10 timed questions answered faster than their text can be read (median 0.4 s where reading them needs 1 s on average); a weak sign, raised because another one agrees",
      "failed 1 of 1 attention checks (att: answered 5, instructed 2); a weak sign, raised because another one agrees",
    ]);
  });
});

describe("the quality block of a questionnaire", () => {
  const base = (quality: unknown) =>
    JSON.stringify({
      schemaVersion: 1,
      id: "t",
      version: 1,
      languages: ["vi"],
      title: { vi: "x" },
      quality,
      sections: [{ id: "s", title: { vi: "x" }, questions: [{ id: "q1", type: "single", text: { vi: "x" }, options: [{ id: "1", label: { vi: "a" } }] }, { id: "t1", type: "text", text: { vi: "x" } }] }],
    });
  const issues = (quality: unknown) => {
    const r = parseQuestionnaire(base(quality), "q.json");
    return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  };

  test("a questionnaire without one, or with an empty one, loads", () => {
    expect(issues(undefined)).toEqual([]);
    expect(issues({})).toEqual([]);
  });

  test("unknown questions, wrong types, unknown answers and bad thresholds are refused with what to fix", () => {
    expect(issues({ attentionChecks: [{ question: "q9", accept: ["1"] }] }).join("\n")).toMatch(/attention check's question "q9" is not a question of this questionnaire/);
    expect(issues({ attentionChecks: [{ question: "t1", accept: ["1"] }] }).join("\n")).toMatch(/must be a single or scale question; t1 is a text question/);
    expect(issues({ attentionChecks: [{ question: "q1", accept: ["7"] }] }).join("\n")).toMatch(/"7" is not an option of q1 \(options: 1\)/);
    expect(issues({ pairs: [{ a: "q1", b: "q1" }] }).join("\n")).toMatch(/a pair joins two different questions/);
    expect(issues({ straightline: { maxSameShare: 1.5 } }).join("\n")).toMatch(/maxSameShare is a share: at most 1/);
    expect(issues({ straightline: { ignore: ["q2"] } }).join("\n")).toMatch(/"q2" is not a question/);
    expect(issues({ speed: 1 }).join("\n")).toMatch(/speed/);
  });
});
