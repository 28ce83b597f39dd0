import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseQuestionnaire, type Questionnaire } from "../../../src/questionnaire/index.js";
import { parseAppraisalCsv, parseResponsesCsv } from "../../../src/scoring/io/index.js";
import type { ScoringInput } from "../../../src/scoring/index.js";

/** Folder of the hand-computed scoring cases. */
export const GOLDEN_DIR = path.resolve(import.meta.dirname, "../../fixtures/scoring");

/** Names of the golden cases (one folder each). */
export function goldenCases(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Loads a questionnaire fixture, failing loudly with the loader's issues. */
export function loadQuestionnaire(file: string): Questionnaire {
  const loaded = parseQuestionnaire(readFileSync(file), file);
  if (!loaded.ok) throw new Error(`fixture ${file} is invalid: ${JSON.stringify(loaded.issues)}`);
  return loaded.questionnaire;
}

/** Reads a golden case through the section 4 and 5 readers; any rejected row fails the test. */
export function loadGoldenCase(name: string): { input: ScoringInput; expected: unknown } {
  const dir = path.join(GOLDEN_DIR, name);
  const questionnaire = loadQuestionnaire(path.join(dir, "questionnaire.yaml"));
  const parsed = parseResponsesCsv(readFileSync(path.join(dir, "responses.csv")), questionnaire);
  if (parsed.errors.length > 0 || parsed.rejected.length > 0) {
    throw new Error(`fixture ${name}/responses.csv: ${JSON.stringify([...parsed.errors, ...parsed.rejected])}`);
  }
  let appraisal: Map<string, number> | undefined;
  const appraisalFile = path.join(dir, "appraisal.csv");
  if (existsSync(appraisalFile)) {
    const scoring = questionnaire.definition.scoring;
    const parsedAppraisal = parseAppraisalCsv(readFileSync(appraisalFile), {
      ...(scoring?.kind === "points" && scoring.appraisalMax !== undefined ? { appraisalMax: scoring.appraisalMax } : {}),
    });
    if (parsedAppraisal.errors.length > 0 || parsedAppraisal.rejected.length > 0) {
      throw new Error(`fixture ${name}/appraisal.csv: ${JSON.stringify([...parsedAppraisal.errors, ...parsedAppraisal.rejected])}`);
    }
    appraisal = parsedAppraisal.points;
  }
  const expected: unknown = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8"));
  return { input: { questionnaire, responses: parsed.responses, ...(appraisal ? { appraisal } : {}) }, expected };
}
