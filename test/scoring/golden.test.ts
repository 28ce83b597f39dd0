import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { question } from "../../src/questionnaire/index.js";
import { scoreReportSchema, scoreUnits } from "../../src/scoring/index.js";
import { GOLDEN_DIR, goldenCases, loadGoldenCase } from "./support/golden.js";

const cases = goldenCases();

describe("golden scoring cases (expected values computed by hand in ARITHMETIC.md)", () => {
  test("there are at least six cases, each with its hand computation", () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
    for (const name of cases) {
      for (const file of ["questionnaire.yaml", "responses.csv", "expected.json", "ARITHMETIC.md"]) {
        expect(existsSync(path.join(GOLDEN_DIR, name, file)), `${name}/${file}`).toBe(true);
      }
    }
  });

  test("every question type appears in some golden case (a new type needs a fixture)", () => {
    const types = question.options.map((o) => o.shape.type.value);
    const covered = new Set(cases.flatMap((name) => loadGoldenCase(name).input.questionnaire.questions.map((q) => q.question.type)));
    expect(types.filter((t) => !covered.has(t))).toEqual([]);
  });

  test.each(cases)("%s: expected.json is a valid section 6 document", (name) => {
    const { expected } = loadGoldenCase(name);
    const parsed = scoreReportSchema.safeParse(expected);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  test.each(cases)("%s: scoreUnits reproduces expected.json exactly", (name) => {
    const { input, expected } = loadGoldenCase(name);
    const outcome = scoreUnits(input);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    // Through JSON, as `--format json` prints it: key order and absent fields included.
    expect(JSON.parse(JSON.stringify(outcome.report))).toStrictEqual(expected);
    expect(JSON.stringify(outcome.report)).toBe(JSON.stringify(expected));
  });
});
