// The flags module reads the scoring module's English evidence back into keys and figures, so the
// console can say it in the organiser's language: every sentence the rules write must be read (a
// changed sentence fails here, not silently on the flags page), and no answer is carried along.
import { describe, expect, test } from "vitest";
import { evidenceParts } from "../../src/flags/index.js";
import { computeFlags, type FlagEvidence } from "../../src/scoring/index.js";
import { carelessPopulation, PROVINCE } from "./support/population.js";
import { questionnaire, response, scale, single } from "../scoring/support/build.js";

const singles = Array.from({ length: 12 }, (_, i) => single(`q${i + 1}`));

describe("evidenceParts", () => {
  test("every evidence sentence of a planted province population (every careless kind, checks and pairs) is read", () => {
    const population = carelessPopulation({ ...PROVINCE, seed: 20, checks: true });
    const evidence = computeFlags(population.questionnaire, population.responses).flatMap((f) => f.evidence);
    const rules = new Set(evidence.map((e) => e.rule));
    expect([...rules].sort()).toEqual(expect.arrayContaining(["duration", "long-string", "person-fit", "reading"]));
    const unread = evidence.filter((e) => evidenceParts(e) === undefined).map((e) => e.text);
    expect(unread).toEqual([]);
  });

  test("each rule's sentence as its key and figures; the answers quoted in it are left out", () => {
    const q = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles, s2: [scale("a"), scale("b"), { ...scale("att"), allowNotApplicable: false }] }, {
      quality: { attentionChecks: [{ question: "att", accept: [2] }], attentionFailures: 1, pairs: [{ a: "a", b: "b", relation: "reverse" }] },
    });
    const [attention, pairs] = computeFlags(q, [response("U", { att: 5 }), response("U", { a: 5, b: 5 })]);
    expect(attention!.evidence.map(evidenceParts)).toEqual([[{ key: "attention", values: { failed: 1, checked: 1 } }]]);
    expect(pairs!.evidence.map(evidenceParts)).toEqual([[{ key: "pairs", values: { broken: 1, compared: 1 } }]]);

    const same = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles });
    const straight = computeFlags(same, [response("U", Object.fromEntries(singles.map((s) => [s.id as string, "1"])))])[0]!;
    expect(straight.evidence.filter((e) => e.rule === "same-position").map(evidenceParts)).toEqual([[{ key: "samePosition", values: { count: 12 } }]]);
  });

  test("duration, account, the weak-sign tail and the long-string parts", () => {
    const read = (e: Omit<FlagEvidence, "flag">) => evidenceParts({ flag: "speeder", ...e });
    expect(read({ rule: "duration", text: "finished in 1m 05s, under a third of the median 9m 30s" })).toEqual([{ key: "duration", values: { took: 65, median: 570 } }]);
    expect(read({ rule: "account", text: "the messaging account that answered also answered for another respondent" })).toEqual([{ key: "account", values: {} }]);
    expect(read({ rule: "reading", text: "2 of 10 timed questions answered faster than their text can be read (median 0.4 s where reading them needs 1 s on average); a weak sign, raised because 2 others agree" })).toEqual([
      { key: "reading", values: { fast: 2, timed: 10, median: 0.4, needed: 1 } },
      { key: "weak", values: { count: 2 } },
    ]);
    expect(
      read({
        rule: "long-string",
        text: "the same answer on 21 of 25 judgement questions (limit 80%); 12 judgement questions in a row with the same answer (limit 10); about 1 in 1000 of the unit's genuine respondents (generous and strict ones included) would answer so uniformly (limit 1 in 200); the overall mark (7) is more ordinary than such answers lead to expect",
      }),
    ).toEqual([
      { key: "sameShare", values: { same: 21, answered: 25, limit: 80 } },
      { key: "run", values: { run: 12, limit: 10 } },
      { key: "rarity", values: { n: 1000, limit: 200 } },
      { key: "overallOrdinary", values: {} },
    ]);
    expect(read({ rule: "reading", text: "something new" })).toBeUndefined();
  });
});
