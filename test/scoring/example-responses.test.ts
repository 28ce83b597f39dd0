// The example responses file the README scores: what scripts/example-responses.ts writes (answers
// walked through the survey engine), and enough of them for every example unit to be ranked.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { exampleResponsesCsv } from "../../scripts/example-responses.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("examples/responses-par.csv is the generator's output (npm run examples:responses rewrites it)", () => {
  expect(readFileSync(path.join(ROOT, "examples/responses-par.csv"), "utf8")).toBe(exampleResponsesCsv());
});

test("khaosat score on the example files, as the README shows it, ranks the three example units", () => {
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, "bin/khaosat.js"), "score", "--questionnaire", "examples/par-officials.yaml", "--responses", "examples/responses-par.csv", "--appraisal", "examples/appraisal.csv", "--format", "json"],
    { cwd: ROOT, encoding: "utf8" },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const report = JSON.parse(run.stdout) as { units: { unit: string; rank: number; counted: number }[]; excluded: unknown[] };
  expect(report.excluded).toEqual([]);
  expect(report.units.map((u) => u.unit).sort()).toEqual(["SO_NV", "SO_TC", "SO_TP"]);
  expect(report.units.map((u) => u.rank).sort()).toEqual([1, 2, 3]);
  expect(report.units.every((u) => u.counted === 8)).toBe(true);
});
