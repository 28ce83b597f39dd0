// The README's organiser commands name example files: each must exist in examples/ and go through
// the same checks the commands run (respondents import, score --appraisal) without an error.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadQuestionnaireFile } from "../../src/questionnaire/index.js";
import { readTable, validateRespondents } from "../../src/respondents/index.js";
import { parseAppraisalCsv } from "../../src/scoring/io/index.js";

const README = readFileSync("README.md", "utf8");

/** Every file the README passes to a command after `flag` (e.g. `--appraisal`). */
function filesAfter(pattern: RegExp): string[] {
  return [...README.matchAll(pattern)].map((m) => m[1]!);
}

describe("README example files", () => {
  const respondentFiles = filesAfter(/respondents import --campaign ID (\S+)/g);
  const appraisalFiles = filesAfter(/--appraisal (\S+)/g);

  test("the README names files of examples/ for respondents import and score --appraisal", () => {
    expect(respondentFiles.length).toBeGreaterThan(0);
    expect(appraisalFiles.length).toBeGreaterThan(0);
    for (const file of [...respondentFiles, ...appraisalFiles]) expect(file).toMatch(/^examples\//);
  });

  test("the respondents file imports into the example campaign without an error, and the appraisal file names its units", async () => {
    const loaded = await loadQuestionnaireFile("examples/par-officials.yaml");
    if (!loaded.ok) throw new Error("example questionnaire does not load");
    const units = new Set<string>();
    for (const file of new Set(respondentFiles)) {
      const result = validateRespondents(await readTable(file), loaded.questionnaire);
      expect(result.errors, file).toEqual([]);
      expect(result.warnings, file).toEqual([]);
      expect(result.valid.length).toBeGreaterThan(0);
      for (const r of result.valid) for (const unit of [r.unitCode, ...r.subjectUnits]) units.add(unit);
    }
    const scoring = loaded.questionnaire.definition.scoring;
    const appraisalMax = scoring?.kind === "points" ? scoring.appraisalMax : undefined;
    for (const file of new Set(appraisalFiles)) {
      const parsed = parseAppraisalCsv(readFileSync(file), { ...(appraisalMax !== undefined ? { appraisalMax } : {}), knownUnits: [...units] });
      expect(parsed.errors, file).toEqual([]);
      expect(parsed.rejected, file).toEqual([]);
      expect([...parsed.points.keys()].sort()).toEqual(["SO_NV", "SO_TC", "SO_TP"]);
    }
  });
});
