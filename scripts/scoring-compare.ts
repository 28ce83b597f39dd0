// Compares the scoring module of this tree with another copy of it (e.g. main, unpacked with
// `git archive main | tar -x -C DIR`, node_modules linked): scoreUnits reports (on objects and on the
// reader's columns), explainUnit, and computeFlags (flags, and each evidence's flag, rule and English
// text) must be byte-identical as JSON. Cases: the golden fixtures, the planted careless populations
// (with and without attention checks and pairs, delegation, decisions, excludeFlagged), the example
// questionnaires with generated answers, and the scoring benchmark's 50,000 × 40 data. Also times
// scoreUnits on the benchmark's objects for both trees, alternating, in this one process.
//   node --expose-gc bin/run-ts.js scripts/scoring-compare.ts /path/to/other/tree
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { mulberry32 } from "../test/support/random.js";

type Mod = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const here = path.resolve(import.meta.dirname, "..");
const other = process.argv[2];
if (!other) {
  console.error("usage: scoring-compare.ts OTHER_TREE");
  process.exit(2);
}

async function load(root: string) {
  const at = (p: string) => import(pathToFileURL(path.join(root, p)).href) as Promise<Mod>;
  return { root, scoring: await at("src/scoring/index.ts"), io: await at("src/scoring/io/index.ts"), questionnaire: await at("src/questionnaire/index.ts") };
}

const trees = [await load(other), await load(here)];
const shared = trees[1]!;
const population = (await import(pathToFileURL(path.join(here, "test/flags/support/population.ts")).href)) as Mod;
const bench = (await import(pathToFileURL(path.join(here, "bench/scoring.ts")).href)) as Mod;

/** What a tree gives for one input, as one JSON text. */
function snapshot(t: Awaited<ReturnType<typeof load>>, input: Mod, explain: readonly string[]): string {
  const scored = t.scoring.scoreUnits(input);
  const flags = (t.scoring.computeFlags(input.questionnaire, input.responses) as Mod[]).map((f) => ({
    ...f,
    evidence: (f.evidence as Mod[]).map((e) => ({ flag: e.flag, rule: e.rule, text: e.text })),
  }));
  const explained = explain.map((unit) => t.scoring.explainUnit(input, unit));
  return JSON.stringify({ scored, flags, explained });
}

let failures = 0;
function compare(name: string, input: Mod | readonly Mod[], explain: readonly string[] = []): void {
  // One input for both trees, or one per tree (a ResponseTable is only its own tree's).
  const [a, b] = trees.map((t, k) => snapshot(t, Array.isArray(input) ? input[k] : input, explain));
  const same = a === b;
  if (!same) failures++;
  const flagged = (JSON.parse(b!) as { flags: { evidence: unknown[] }[] }).flags.filter((f) => f.evidence.length > 0).length;
  console.log(`${same ? "same     " : "DIFFERENT"} ${name} (${a!.length} chars, ${flagged} flagged responses)`);
  if (!same) {
    let i = 0;
    while (i < a!.length && a![i] === b![i]) i++;
    console.log(`  first difference at ${i}:\n  other: ${a!.slice(Math.max(0, i - 200), i + 200)}\n  this:  ${b!.slice(Math.max(0, i - 200), i + 200)}`);
  }
}

// 1. Golden fixtures, read by the section 4 reader as objects and as columns.
const goldenDir = path.join(here, "test/fixtures/scoring");
for (const name of ["flags-counted", "flags-excluded", "points-appraisal", "points-group-weights", "satisfaction-overall", "satisfaction-weighted"]) {
  const dir = path.join(goldenDir, name);
  const loaded = shared.questionnaire.parseQuestionnaire(readFileSync(path.join(dir, "questionnaire.yaml")), "questionnaire.yaml");
  const q = loaded.questionnaire;
  const parsed = shared.io.parseResponsesCsv(readFileSync(path.join(dir, "responses.csv")), q);
  let appraisal: Map<string, number> | undefined;
  try {
    appraisal = shared.io.parseAppraisalCsv(readFileSync(path.join(dir, "appraisal.csv")), {}).points;
  } catch {
    appraisal = undefined;
  }
  const units = [...new Set((parsed.responses as Mod[]).map((r) => r.unit as string))].slice(0, 3);
  compare(`golden ${name}`, { questionnaire: q, responses: parsed.responses, ...(appraisal ? { appraisal } : {}) }, units);
}

// 2. Planted careless populations: every rule fires somewhere.
for (const [seed, checks] of [[16, false], [17, true], [21, true], [25, false]] as const) {
  const p = population.carelessPopulation({ seed, units: 30, perUnit: 40, carelessShare: 0.12, checks });
  const random = mulberry32(seed * 7);
  // Delegation (a few accounts answer for two named respondents) and organisers' decisions.
  const responses = (p.responses as Mod[]).map((r, i) => ({
    ...r,
    ...(random() < 0.3 ? { respondent: `p${i}`, account: `a${Math.floor(random() * 300)}` } : {}),
    ...(random() < 0.03 ? { decision: random() < 0.5 ? "accept" : "reject" } : {}),
  }));
  const q = p.questionnaire as Mod;
  compare(`population seed ${seed}${checks ? " with checks" : ""}`, { questionnaire: q, responses }, ["U001", "U002"]);
  const excluding = { ...q, definition: { ...q.definition, scoring: { ...q.definition.scoring, excludeFlagged: true } } };
  compare(`population seed ${seed}${checks ? " with checks" : ""}, excludeFlagged`, { questionnaire: excluding, responses }, ["U003"]);
}

// 3. The example questionnaires with generated answers (every type; some straight-lined, some fast).
for (const name of ["par-officials", "sipas-citizens", "business"]) {
  const loaded = shared.questionnaire.parseQuestionnaire(readFileSync(path.join(here, "examples", `${name}.yaml`)), `${name}.yaml`);
  const q = loaded.questionnaire as Mod;
  const random = mulberry32(name.length * 1000 + 7);
  const groups = ((q.definition.groups ?? [{ id: "all" }]) as Mod[]).map((g) => g.id as string);
  const responses: Mod[] = [];
  for (let i = 0; i < 1500; i++) {
    const lazy = random() < 0.08;
    const answers: Record<string, unknown> = {};
    const seconds: Record<string, number> = {};
    for (const { question } of q.questions as Mod[]) {
      if (random() < 0.07) continue;
      const pick = (n: number) => (lazy ? 0 : Math.floor(random() * n));
      if (question.type === "single") answers[question.id] = question.options[pick(question.options.length)].id;
      else if (question.type === "multi") answers[question.id] = (question.options as Mod[]).filter(() => random() < 0.4).map((o) => o.id).slice(0, question.maxSelect ?? 99);
      else if (question.type === "scale") answers[question.id] = random() < 0.05 ? shared.questionnaire.NOT_APPLICABLE : question.min + pick(question.max - question.min + 1);
      else if (question.type === "number") answers[question.id] = Math.floor(random() * 100);
      else answers[question.id] = `text ${i}`;
      if (Array.isArray(answers[question.id]) && (answers[question.id] as unknown[]).length === 0) delete answers[question.id];
      seconds[question.id] = lazy ? random() : 2 + random() * 20;
    }
    const startedAt = 1_800_000_000_000 + i * 997;
    responses.push({
      id: `r${i}`,
      unit: `U${Math.floor(random() * 25)}`,
      group: groups[Math.floor(random() * groups.length)],
      startedAt,
      submittedAt: startedAt + (lazy ? 30_000 : 300_000 + Math.floor(random() * 600_000)),
      answers,
      ...(random() < 0.7 ? { seconds, language: random() < 0.8 ? "vi" : "en" } : {}),
    });
  }
  const appraisal = new Map(Array.from({ length: 25 }, (_, u) => [`U${u}`, Math.round(random() * 5000) / 100]));
  compare(`examples/${name}.yaml`, { questionnaire: q, responses, appraisal }, ["U0", "U1"]);
}

// 4. The scoring benchmark's data, on objects and on the reader's columns, and `khaosat score`'s JSON.
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-scoring-compare-"));
try {
  const { q, appraisal, files } = bench.writeBenchFiles(dir);
  const objects = (await shared.io.readResponsesFile(files.responses, q)).responses as Mod[];
  compare("bench 50k×40 objects", { questionnaire: q, responses: objects, appraisal }, ["U000"]);
  const tables = await Promise.all(trees.map(async (t) => ({ questionnaire: q, responses: (await t.io.readResponsesTable(files.responses, q)).table, appraisal })));
  compare("bench 50k×40 columns", tables);

  // Timing, alternating, CPU time of this process.
  const gc = (globalThis as { gc?: () => void }).gc;
  const times: number[][] = [[], []];
  for (let round = 0; round < Number(process.env.ROUNDS ?? 7); round++) {
    for (let k = 0; k < 2; k++) {
      gc?.();
      const cpu = process.cpuUsage();
      const start = performance.now();
      trees[k]!.scoring.scoreUnits({ questionnaire: q, responses: objects, appraisal });
      const wall = performance.now() - start;
      const used = process.cpuUsage(cpu);
      times[k]!.push((used.user + used.system) / 1000);
      void wall;
    }
  }
  const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;
  console.log(`scoreUnits on the bench objects, CPU ms (median of ${times[0]!.length}): other ${med(times[0]!).toFixed(0)}, this ${med(times[1]!).toFixed(0)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(failures === 0 ? "every output is the same" : `${failures} case(s) differ`);
process.exitCode = failures === 0 ? 0 : 1;
