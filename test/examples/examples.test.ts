// The sample questionnaires are what organisers copy: they must load cleanly and keep the
// properties their comments and docs/authoring.md promise (exact point sums, every type, skip logic).
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseQuestionnaire, type Questionnaire } from "../../src/questionnaire/index.js";

const FILES = ["par-officials", "sipas-citizens", "business"] as const;

function load(name: string): { text: string; questionnaire: Questionnaire } {
  const path = `examples/${name}.yaml`;
  const text = readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
  const result = parseQuestionnaire(text, path);
  if (!result.ok) throw new Error(`${path} is invalid:\n${result.issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
  expect(result.warnings).toEqual([]);
  return { text, questionnaire: result.questionnaire };
}

/** maxPoints per component, in questionnaire order. */
function pointsByComponent(q: Questionnaire): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { question, component } of q.questions) {
    if ((question.type === "single" || question.type === "multi") && question.maxPoints !== undefined) {
      out[component] = (out[component] ?? 0) + question.maxPoints;
    }
  }
  return out;
}

describe.each(FILES)("examples/%s.yaml", (name) => {
  test("loads without errors or warnings, is NFC and has vi first, then en", () => {
    const { text, questionnaire } = load(name);
    expect(text.normalize("NFC")).toBe(text);
    expect(questionnaire.languages).toEqual(["vi", "en"]);
    expect(questionnaire.id).toBe(name);
  });

  test("uses skip logic", () => {
    const { questionnaire } = load(name);
    expect(questionnaire.questions.filter((q) => q.condition !== undefined).length).toBeGreaterThan(0);
  });
});

describe("par-officials", () => {
  const { questionnaire: q } = load("par-officials");
  const def = q.definition;

  test("eight areas, with points per area adding up exactly to surveyMax 31.5", () => {
    expect(pointsByComponent(q)).toEqual({
      chi_dao: 3,
      the_che: 3.5,
      tthc: 6,
      bo_may: 3,
      cong_vu: 4.5,
      tai_chinh: 3,
      cqs: 4.5,
      tac_dong: 4,
    });
    const sum = Object.values(pointsByComponent(q)).reduce((a, b) => a + b, 0);
    expect(def.scoring).toMatchObject({ kind: "points", surveyMax: 31.5, appraisalMax: 68.5 });
    expect(sum).toBe(31.5); // exact, not within a tolerance: the points are multiples of 0.25
  });

  test("has 20 to 30 questions and every question type", () => {
    expect(q.questions.length).toBeGreaterThanOrEqual(20);
    expect(q.questions.length).toBeLessThanOrEqual(30);
    expect(new Set(q.questions.map((i) => i.question.type))).toEqual(new Set(["single", "multi", "scale", "number", "text"]));
  });

  test("every scored question offers 4 scored levels from 1 down to 0 and a 'cannot judge' option without score", () => {
    for (const { question } of q.questions) {
      if (question.type !== "single" || question.maxPoints === undefined) continue;
      const scores = question.options.map((o) => o.score);
      expect(scores, question.id).toEqual([1, 0.75, 0.25, 0, null]);
      expect(question.options.at(-1)?.id, question.id).toBe("x");
    }
  });

  test("uses includes on a multi question and a numeric condition", () => {
    const conditions = q.questions.flatMap((i) => (i.question.showIf ? [i.question.showIf] : []));
    expect(conditions).toEqual(['a5_4 >= 1', 'a7_1 == "yes"', 'a7_1 == "yes"', 'a7_4 includes "ky_so"']);
  });

  test("weights every respondent group", () => {
    expect(def.groups?.map((g) => g.id)).toEqual(["leaders", "officials", "deputies"]);
    expect(def.scoring?.groupWeights).toEqual({ leaders: 0.4, officials: 0.3, deputies: 0.3 });
  });
});

describe("sipas-citizens", () => {
  const { questionnaire: q } = load("sipas-citizens");

  test("22 criteria in five factors, each 1–5 with 'cannot judge', plus the overall question", () => {
    const criteria = q.questions.filter((i) => i.question.type === "scale" && i.question.id !== "overall");
    const perFactor: Record<string, number> = {};
    for (const c of criteria) {
      expect(c.question).toMatchObject({ min: 1, max: 5, allowNotApplicable: true });
      perFactor[c.component] = (perFactor[c.component] ?? 0) + 1;
    }
    expect(perFactor).toEqual({ access: 4, procedures: 5, staff: 6, result: 3, feedback: 4 });
    expect(q.definition.scoring).toMatchObject({ kind: "satisfaction", positive: [4, 5], overallQuestion: "overall" });
    expect(q.byId.get("overall")?.question).toMatchObject({ type: "scale", min: 1, max: 5, allowNotApplicable: false });
  });

  test("asks for at most 3 things to improve and ends with an optional comment", () => {
    expect(q.byId.get("improve")?.question).toMatchObject({ type: "multi", maxSelect: 3 });
    expect(q.questions.at(-1)?.question).toMatchObject({ id: "comment", type: "text", required: false });
  });
});

describe("business", () => {
  const { questionnaire: q } = load("business");

  test("is short and its points add up exactly to surveyMax 7", () => {
    expect(q.questions.length).toBeGreaterThanOrEqual(6);
    expect(q.questions.length).toBeLessThanOrEqual(10);
    expect(pointsByComponent(q)).toEqual({ thong_tin: 2, giai_quyet: 2.5, cong_chuc: 2.5 });
    expect(q.definition.scoring).toMatchObject({ kind: "points", surveyMax: 7 });
  });
});
