// responses import/export and score --campaign through the real CLI.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);
const FIXTURE = "test/fixtures/scoring/points-appraisal";

// Spawns the CLI several times: a generous timeout for a loaded machine (it takes seconds otherwise).
test("responses import, export and score --campaign", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-score-"));
  const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, "k.db")}` };
  const khaosat = (...args: string[]) => run(process.execPath, ["bin/khaosat.js", ...args], { env });
  const id = (await khaosat("campaign", "create", "--questionnaire", `${FIXTURE}/questionnaire.yaml`, "--name", "fixture", "--opens", "2026-01-01", "--closes", "2026-12-31")).stdout.trim();
  const rows = readFileSync(`${FIXTURE}/responses.csv`, "utf8").trim().split("\n").length - 1;

  // The import says what it did to the campaign's counts (paper forms count in participation and campaign show).
  expect((await khaosat("responses", "import", "--campaign", id, `${FIXTURE}/responses.csv`)).stdout).toBe(
    `${rows} created, 0 updated, 0 unchanged\nsubmitted responses: 0 → ${rows} (import 0 → ${rows}); \`khaosat participation\` and \`campaign show\` count them per channel\n`,
  );
  expect((await khaosat("campaign", "show", id)).stdout).toContain(`\nresponses      ${rows} submitted (every source)\n  telegram     0\n  zalo         0\n  console      0\n  import       ${rows}\n`);
  const exported = path.join(dir, "export.csv");
  // SO_YT has one response (minResponses 2): its row is withheld from the export of this named campaign.
  expect((await khaosat("responses", "export", "--campaign", id, exported)).stderr).toBe(
    `1 row withheld: 1 unit/group cell with fewer than 2 submitted responses (minResponses), where a row could be one identifiable person's answers\nwrote ${rows - 1} responses to ${exported}\n`,
  );
  expect(readFileSync(exported, "utf8").startsWith("\uFEFFresponse_id,subject_unit,group,started_at,submitted_at,channel,")).toBe(true);
  expect((await khaosat("responses", "import", "--campaign", id, exported)).stdout).toBe(`0 created, 0 updated, ${rows - 1} unchanged\nsubmitted responses unchanged: ${rows} (import ${rows})\n`);

  // SO_KH has an appraisal row but no responses, so it is not a unit of the campaign.
  const appraisal = path.join(dir, "appraisal.csv");
  writeFileSync(appraisal, readFileSync(`${FIXTURE}/appraisal.csv`, "utf8").split("\n").filter((l) => !l.startsWith("SO_KH,")).join("\n"));
  const scored = JSON.parse((await khaosat("score", "--campaign", id, "--appraisal", appraisal, "--format", "json")).stdout) as { units: unknown[] };
  const expected = JSON.parse(readFileSync(`${FIXTURE}/expected.json`, "utf8")) as { units: unknown[] };
  expect(scored.units).toEqual(expected.units);

  const both = await khaosat("score", "--campaign", id, "--responses", exported).catch((e: { code: number; stderr: string }) => e);
  expect(both).toMatchObject({ code: 1, stderr: "khaosat: --campaign scores the campaign's stored questionnaire and responses: leave out --questionnaire and --responses\n" });
  const neither = await khaosat("score").catch((e: { code: number; stderr: string }) => e);
  expect(neither).toMatchObject({ code: 1, stderr: "khaosat: give --questionnaire FILE and --responses FILE, or --campaign ID to score a campaign's responses from the database\n" });
});
