// Flag evidence is keyed parts (flags:evidence.*) said in the reader's language: the CLI's English
// text (FlagEvidence.text, answers quoted) and the web console's Vietnamese or English (no answers).
import { describe, expect, test } from "vitest";
import { createI18n, flattenKeys, loadLocaleResources } from "../../src/i18n/index.js";
import { computeFlags, evidenceText, CLI_STYLE, type EvidenceKey, type FlagEvidence } from "../../src/scoring/index.js";
import { describeEvidence } from "../../src/web/format.js";
import { questionnaire, response, scale, single } from "../scoring/support/build.js";
import { carelessPopulation } from "./support/population.js";

const i18n = createI18n();
const vi = i18n.getFixedT("vi", "web");
const en = i18n.getFixedT("en", "web");
const say = (t: typeof vi) => (key: string, options?: Record<string, unknown>) => String(t(key, options));

const singles = Array.from({ length: 12 }, (_, i) => single(`q${i + 1}`));
const checked = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles, s2: [scale("a"), scale("b"), { ...scale("att"), allowNotApplicable: false }] }, {
  quality: { attentionChecks: [{ question: "att", accept: [2, 3] }], attentionFailures: 1, pairs: [{ a: "a", b: "b", relation: "reverse" }] },
});

describe("evidence parts said in Vietnamese and English", () => {
  const [fail] = computeFlags(checked, [response("U", { att: 5, a: 5, b: 5 })]);
  const attention = fail!.evidence.find((e) => e.flag === "attention")!;
  const pairs = fail!.evidence.find((e) => e.flag === "inconsistent")!;

  test("an attention check: keyed parts with the figures and the quoted answer", () => {
    expect(attention.parts).toEqual([
      { key: "attention", params: { failed: 1, checked: 1, checks: [{ key: "attentionCheck", params: { question: "att", answered: "5", instructed: ["2", "3"] } }] } },
    ]);
    // The CLI's English, made from the keys.
    expect(attention.text).toBe("failed 1 of 1 attention checks (att: answered 5, instructed 2 or 3)");
    // Quoted in Vietnamese too, when an export asks for it.
    expect(evidenceText(say(vi), attention.parts, CLI_STYLE)).toBe("không đạt 1/1 câu kiểm tra sự chú ý (att: trả lời 5, yêu cầu 2 hoặc 3)");
    // The console: no answer.
    expect(describeEvidence(vi, "vi", fail!.evidence, "attention")).toEqual(["không đạt 1/1 câu kiểm tra sự chú ý"]);
    expect(describeEvidence(en, "en", fail!.evidence, "attention")).toEqual(["failed 1 of 1 attention checks"]);
  });

  test("a consistency pair: both languages, values only where answers may be shown", () => {
    expect(pairs.text).toBe("1 of 1 consistency pairs contradict each other (a=5 and b=5, declared reversed)");
    expect(evidenceText(say(vi), pairs.parts, CLI_STYLE)).toBe("1/1 cặp câu kiểm tra tính nhất quán mâu thuẫn nhau (a=5 và b=5, được khai báo là ngược nhau)");
    expect(describeEvidence(vi, "vi", fail!.evidence, "inconsistent")).toEqual(["1/1 cặp câu kiểm tra tính nhất quán mâu thuẫn nhau"]);
    expect(describeEvidence(en, "en", fail!.evidence, "inconsistent")).toEqual(["1 of 1 consistency pairs contradict each other"]);
  });

  test("duration, same position and delegation: English as the CLI always wrote it, the console's words in each language", () => {
    const start = Date.UTC(2026, 11, 1);
    const rs = Array.from({ length: 12 }, (_, i) =>
      response(`U${i % 2}`, Object.fromEntries(singles.map((s) => [s.id as string, i === 0 ? "1" : String((i % 3) + 1)])), {
        startedAt: start,
        submittedAt: start + (i === 0 ? 61_000 : 604_000),
        ...(i < 2 ? { respondent: `p${i}`, account: "k1" } : {}),
      }),
    );
    const flags = computeFlags(singleQuestionnaire, rs)[0]!;
    expect(flags.evidence.map((e) => [e.rule, e.parts.map((p) => p.key)])).toEqual([
      ["duration", ["duration"]],
      ["same-position", ["samePosition"]],
      ["long-string", ["sameShare", "run", "rarity"]],
      ["account", ["account"]],
    ]);
    expect(flags.evidence[0]!.parts[0]!.params).toEqual({ took: 61, median: 604 });
    expect(flags.evidence.map((e) => e.text)).toEqual([
      "finished in 1m 01s, under a third of the median 10m 04s",
      "the same answer position on all 12 single and scale questions",
      "the same answer on 12 of 12 judgement questions (limit 70%); 12 judgement questions in a row with the same answer (limit 12); about 1 in 2000 of the unit's genuine respondents (generous and strict ones included) would answer so uniformly (limit 1 in 200)",
      "the messaging account that answered also answered for another respondent",
    ]);
    expect(describeEvidence(vi, "vi", flags.evidence, "speeder")).toEqual(["hoàn thành trong 1 phút 1 giây, dưới một phần ba trung vị 10 phút 4 giây"]);
    expect(describeEvidence(en, "en", flags.evidence, "speeder")).toEqual(["finished in 1 min 1 s, under a third of the median 10 min 4 s"]);
    expect(describeEvidence(vi, "vi", flags.evidence, "straightliner")).toEqual([
      "cùng một vị trí đáp án ở cả 12 câu một lựa chọn và câu thang đo",
      "cùng một đáp án ở 12/12 câu đánh giá (giới hạn 70%); 12 câu đánh giá liền nhau có cùng một đáp án (giới hạn 12); khoảng 1 trên 2.000 người trả lời thực sự của đơn vị (kể cả người dễ tính và người khắt khe) trả lời đồng đều như vậy (giới hạn 1 trên 200)",
    ]);
    // English in the console: thousands as the reader writes them.
    expect(describeEvidence(en, "en", flags.evidence, "straightliner")[1]).toContain("about 1 in 2,000 of the unit's");
    expect(describeEvidence(en, "en", flags.evidence, "delegation")).toEqual(["the messaging account that answered also answered for another respondent"]);
    expect(describeEvidence(vi, "vi", flags.evidence, "delegation")).toEqual(["tài khoản nhắn tin đã trả lời phiếu này cũng trả lời cho một người khác"]);
  });
});

const singleQuestionnaire = questionnaire({ kind: "points", surveyMax: 12 }, { s1: singles });

describe("every rule's evidence over a planted population with checks", () => {
  const population = carelessPopulation({ seed: 17, units: 30, perUnit: 40, carelessShare: 0.12, checks: true });
  const flags = computeFlags(population.questionnaire, population.responses);
  const evidence: FlagEvidence[] = flags.flatMap((f) => [...f.evidence]);
  const keys = new Set(evidence.flatMap((e) => e.parts.flatMap((p) => [p.key, ...Object.values(p.params).flatMap((v) => (Array.isArray(v) && typeof v[0] === "object" ? (v as { key: EvidenceKey }[]).map((x) => x.key) : []))])));

  test("the rules fire with their keys: reading, long-string, attention, pairs, person-fit and weak signs", () => {
    for (const key of ["reading", "sameShare", "rarity", "attention", "attentionCheck", "personFit", "weak"] as const) expect(keys, key).toContain(key);
  });

  test("every text is said from a key in both languages: no key left unsaid, no placeholder left", () => {
    for (const e of evidence) {
      for (const [t, lang] of [[vi, "vi"], [en, "en"]] as const) {
        for (const line of describeEvidence(t, lang, [e], e.flag)) {
          expect(line).not.toMatch(/\{\{|flags:|evidence\./);
          expect(line.length).toBeGreaterThan(10);
        }
      }
      expect(e.text).not.toMatch(/\{\{|flags:|evidence\./);
    }
  });

  test("the console quotes no answer; the English text does (attention checks)", () => {
    const failedCheck = evidence.find((e) => e.rule === "attention-check")!;
    expect(failedCheck.text).toMatch(/\(att: answered \S+, instructed 3\)/);
    for (const [t, lang] of [[vi, "vi"], [en, "en"]] as const) expect(describeEvidence(t, lang, [failedCheck], "attention").join("")).not.toContain("att:");
  });

  test("Vietnamese numbers in the console: decimal comma in the reading figures", () => {
    const reading = evidence.find((e) => e.rule === "reading" && !Number.isInteger(e.parts[0]!.params.median))!;
    const median = reading.parts[0]!.params.median as number;
    expect(describeEvidence(vi, "vi", [reading], "speeder")[0]).toContain(`trung vị ${String(median).replace(".", ",")} giây`);
    expect(reading.text).toContain(`(median ${median} s where`);
  });
});

test("every evidence key has its text in flags.json in both languages, quoted forms included", () => {
  const resources = loadLocaleResources();
  const all: EvidenceKey[] = ["duration", "reading", "samePosition", "sameShare", "run", "tooFewToCompare", "rarity", "rarityNone", "overallOrdinary", "account", "attention", "attentionCheck", "pairs", "personFit", "weak"];
  for (const language of ["vi", "en"]) {
    const keys = flattenKeys(resources[language]!.flags!);
    for (const key of all) expect(keys.some((k) => k === `evidence.${key}` || k.startsWith(`evidence.${key}_`)), `${language} ${key}`).toBe(true);
    for (const key of ["attentionQuoted", "pairsQuoted", "overallOrdinaryQuoted", "pair_same", "pair_reverse", "or"]) expect(keys, `${language} ${key}`).toContain(`evidence.${key}`);
  }
});
