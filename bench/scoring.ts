// Scoring benchmark (`npm run bench:scoring`): 50,000 responses × 40 questions over 700 units, generated
// from a seeded PRNG and written as the files an organiser scores (questionnaire JSON, responses CSV,
// appraisal CSV). Measured side by side, alternating, median of BENCH_ROUNDS (default 3) rounds:
// - the CLI's whole path in-process — `khaosat score --format json --out FILE` through the compiled
//   main() of dist/: read + decode + validate every row + score + write the JSON — against a plain pass
//   that streams the same file through the same CSV library (csv-parse, the reader's options), touching
//   every cell. Target ≤ 3×.
// - the `khaosat score` command as users run it (a new node process, start-up included): wall time
//   < 2 s and peak RSS < 512 MiB (median of 3 processes, after the in-process rounds).
// - scoreUnits on parsed objects against a plain sum of option scores (issue 3's figure), ≤ 3×.
// Also printed, for where the time goes (no target): reading the file alone (readResponsesTable, as the CLI does).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { buildQuestionnaire, questionnaireSchema, type AnswerValue } from "../src/questionnaire/index.js";
import type { ScoringResponse } from "../src/scoring/index.js";
import type * as scoringTypes from "../src/scoring/index.js";
import { writeResponsesCsv } from "../src/scoring/io/index.js";
import type * as ioTypes from "../src/scoring/io/index.js";
import { mulberry32 } from "../test/support/random.js";
import { ensureBuilt, median, reportTarget, ROOT } from "./result.js";

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 50_000);
const QUESTIONS = 40;
const UNITS = 700;
const GROUPS = ["leaders", "deputies", "officials"];
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));

const prng = mulberry32;

const text = { vi: "x", en: "x" };
const options = [
  { id: "1", label: text, score: 1 },
  { id: "2", label: text, score: 0.75 },
  { id: "3", label: text, score: 0.25 },
  { id: "4", label: text, score: 0 },
  { id: "x", label: text, score: null },
];

/** 8 components of 5 questions: 4 scored single + 1 scored multi each. */
function definition() {
  const sections = Array.from({ length: 8 }, (_, s) => ({
    id: `s${s + 1}`,
    title: text,
    questions: Array.from({ length: QUESTIONS / 8 }, (_, k) => {
      const id = `q${s * 5 + k + 1}`;
      return k === 4
        ? { id, type: "multi", text, required: false, maxPoints: 0.5, maxSelect: 3, options }
        : { id, type: "single", text, required: false, maxPoints: 1, options };
    }),
  }));
  return {
      schemaVersion: 1,
      id: "bench",
      version: 1,
      languages: ["vi", "en"],
      title: text,
      groups: GROUPS.map((id) => ({ id, label: text })),
      scoring: {
        kind: "points",
        surveyMax: 36,
        appraisalMax: 64,
        minResponses: 5,
        groupWeights: { leaders: 0.5, deputies: 0.3, officials: 0.2 },
        classes: [
          { label: "A", min: 90 },
          { label: "B", min: 80 },
          { label: "C", min: 0 },
        ],
      },
      sections,
  };
}

function questionnaire() {
  return buildQuestionnaire(questionnaireSchema.parse(definition()));
}

function generate(q: ReturnType<typeof questionnaire>): { responses: ScoringResponse[]; appraisal: Map<string, number> } {
  const random = prng(20261122);
  const ids = q.questions.map((x) => x.question.id);
  const multi = q.questions.map((x) => x.question.type === "multi");
  const optionIds = options.map((o) => o.id);
  const responses: ScoringResponse[] = [];
  for (let r = 0; r < RESPONSES; r++) {
    const answers: Record<string, AnswerValue> = {};
    for (let k = 0; k < ids.length; k++) {
      if (random() < 0.05) continue;
      if (multi[k]) {
        const chosen = optionIds.filter(() => random() < 0.35);
        answers[ids[k]!] = chosen.length > 0 ? chosen.slice(0, 3) : ["1"];
      } else answers[ids[k]!] = optionIds[Math.floor(random() * optionIds.length)]!;
    }
    const startedAt = 1_800_000_000_000 + r * 1000;
    responses.push({
      id: `r${r}`,
      unit: `U${String(Math.floor(random() * UNITS)).padStart(3, "0")}`,
      group: GROUPS[Math.floor(random() * GROUPS.length)]!,
      startedAt,
      submittedAt: startedAt + 60_000 + Math.floor(random() * 900_000),
      answers,
    });
  }
  const appraisal = new Map<string, number>();
  for (let u = 0; u < UNITS; u++) appraisal.set(`U${String(u).padStart(3, "0")}`, Math.round(random() * 6400) / 100);
  return { responses, appraisal };
}

/** The ceiling: one pass summing option scores per (unit, question), nothing else. */
function plainPass(q: ReturnType<typeof questionnaire>, responses: readonly ScoringResponse[]): Float64Array {
  const ids = q.questions.map((x) => x.question.id);
  const lookups = q.questions.map(() => new Map(options.map((o) => [o.id, o.score ?? Number.NaN])));
  const units = new Map<string, number>();
  const sums = new Float64Array(UNITS * ids.length);
  for (const response of responses) {
    let u = units.get(response.unit);
    if (u === undefined) units.set(response.unit, (u = units.size));
    const answers = response.answers;
    for (let k = 0; k < ids.length; k++) {
      const value = answers[ids[k]!];
      if (value === undefined) continue;
      if (typeof value === "string") {
        const s = lookups[k]!.get(value)!;
        if (s === s) sums[u * ids.length + k]! += s;
      } else if (Array.isArray(value)) {
        for (const id of value) {
          const s = lookups[k]!.get(id)!;
          if (s === s) sums[u * ids.length + k]! += s;
        }
      }
    }
  }
  return sums;
}

type Main = (argv: readonly string[]) => Promise<number>;

/**
 * The plain pass over the file: the CSV library the reader uses (csv-parse, its stream parser, the
 * same options) over the same file read the same way, touching every cell, and nothing else.
 */
async function plainFilePass(file: string): Promise<number> {
  let chars = 0;
  const parser = parse({
    relax_column_count: true,
    bom: true,
    on_record: (cells: string[]) => {
      for (let i = 0; i < cells.length; i++) chars += cells[i]!.length;
      return undefined;
    },
  });
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), parser);
  return chars;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Wall time, and CPU time of this process (every thread: GC and compiler included), which a busy machine stretches less. */
async function timed<T>(task: () => Promise<T> | T): Promise<{ ms: number; cpuMs: number; value: T }> {
  gc();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await task();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

/** `khaosat score` in a new process, as users run it: wall time and peak RSS. */
function cliRun(args: readonly string[]): { ms: number; rssMiB: number } {
  const probe = `const {main}=await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/cli/main.js")).href)});const code=await main(${JSON.stringify(args)});process.stderr.write("BENCH_RSS "+process.resourceUsage().maxRSS+"\\n");process.exitCode=code;`;
  const start = performance.now();
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: ROOT, encoding: "utf8" });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`bench: khaosat score failed (${run.status}): ${run.stderr}`);
  const rss = /BENCH_RSS (\d+)/.exec(run.stderr);
  return { ms, rssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN };
}

/** Writes the benchmark's files (questionnaire JSON, responses CSV, appraisal CSV) into `dir`. */
export function writeBenchFiles(dir: string) {
  const q = questionnaire();
  const { responses, appraisal } = generate(q);
  const files = { questionnaire: path.join(dir, "q.json"), responses: path.join(dir, "responses.csv"), appraisal: path.join(dir, "appraisal.csv"), out: path.join(dir, "score.json") };
  writeFileSync(files.questionnaire, JSON.stringify(definition()));
  writeFileSync(files.responses, writeResponsesCsv(q, responses));
  writeFileSync(files.appraisal, `unit,points\n${[...appraisal].map(([u, p]) => `${u},${p}`).join("\n")}\n`);
  return { q, responses, appraisal, files };
}

/** Runs the scoring benchmark, prints its figures and one BENCH_RESULT line per target. */
export async function benchScoring(): Promise<void> {
  ensureBuilt();
  const { main } = (await import(pathToFileURL(path.join(ROOT, "dist/cli/main.js")).href)) as { main: Main };
  const io = (await import(pathToFileURL(path.join(ROOT, "dist/scoring/io/index.js")).href)) as typeof ioTypes;
  // The compiled scoreUnits `khaosat score` runs, not the TypeScript sources through this script's
  // loader (tsx wraps every function it compiles, which the command never pays).
  const { scoreUnits } = (await import(pathToFileURL(path.join(ROOT, "dist/scoring/index.js")).href)) as typeof scoringTypes;

  const genStart = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-scoring-"));
  // Only the files are kept: the generated objects would sit in this process's heap while the file
  // rounds run, making the CLI's path (which builds its own) pay for their garbage collection.
  const { q, appraisal, files } = writeBenchFiles(dir);
  const csvMiB = readFileSync(files.responses).length / 2 ** 20;
  const genMs = performance.now() - genStart;
  const args = ["score", "--questionnaire", files.questionnaire, "--responses", files.responses, "--appraisal", files.appraisal, "--format", "json", "--out", files.out];

  try {
    // Warm both paths once (module loading, JIT), then alternate.
    await plainFilePass(files.responses);
    if ((await main(args)) !== 0) throw new Error("bench: khaosat score failed in-process");
    const plainMs: number[] = [];
    const wholeMs: number[] = [];
    const plainCpu: number[] = [];
    const wholeCpu: number[] = [];
    const objectsPlainMs: number[] = [];
    const scoreUnitsMs: number[] = [];
    const objectsPlainCpu: number[] = [];
    const scoreUnitsCpu: number[] = [];
    const readMs: number[] = [];
    let chars = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const plain = await timed(() => plainFilePass(files.responses));
      chars = plain.value;
      plainMs.push(plain.ms);
      plainCpu.push(plain.cpuMs);
      const whole = await timed(() => main(args));
      if (whole.value !== 0) throw new Error("bench: khaosat score failed in-process");
      wholeMs.push(whole.ms);
      wholeCpu.push(whole.cpuMs);
      const read = await timed(() => io.readResponsesTable(files.responses, q));
      if (read.value.errors.length > 0 || read.value.table.length !== RESPONSES) throw new Error("bench: the reader did not read every row");
      readMs.push(read.ms);
    }
    // Then scoring on objects (the reader's), against a plain sum over the same objects.
    const responses = (await io.readResponsesFile(files.responses, q)).responses;
    for (let round = 0; round < ROUNDS; round++) {
      const summed = await timed(() => plainPass(q, responses));
      objectsPlainMs.push(summed.ms);
      objectsPlainCpu.push(summed.cpuMs);
      const scored = await timed(() => scoreUnits({ questionnaire: q, responses, appraisal }));
      if (!scored.value.ok) throw new Error(`bench: scoring failed: ${JSON.stringify(scored.value.errors)}`);
      scoreUnitsMs.push(scored.ms);
      scoreUnitsCpu.push(scored.cpuMs);
    }
    const report = JSON.parse(readFileSync(files.out, "utf8")) as { units: unknown[]; excluded: unknown[] };
    const cli = [cliRun(args), cliRun(args), cliRun(args)];
    const cliMs = median(cli.map((r) => r.ms));
    const cliRss = Math.max(...cli.map((r) => r.rssMiB));

    const plain = median(plainMs);
    const whole = median(wholeMs);
    const objects = median(objectsPlainMs);
    const scoring = median(scoreUnitsMs);
    console.log(`scoring bench: ${RESPONSES} responses × ${QUESTIONS} questions, ${UNITS} units, ${csvMiB.toFixed(1)} MiB CSV (generated in ${genMs.toFixed(0)} ms); medians of ${ROUNDS} alternating rounds`);
    console.log(`  plain pass over the file     ${plain.toFixed(0).padStart(6)} ms  (file stream + csv-parse, every cell touched: ${chars} chars)`);
    console.log(`  khaosat score, in-process    ${whole.toFixed(0).padStart(6)} ms  (read + validate + score + write JSON: ${report.units.length} ranked, ${report.excluded.length} excluded)`);
    console.log(`    of which reading the file   ${median(readMs).toFixed(0).padStart(6)} ms  (readResponsesTable: stream + csv-parse + validate every row into columns)`);
    console.log(`  khaosat score, new process   ${cliMs.toFixed(0).padStart(6)} ms  (median of 3, start-up included; peak RSS ${cliRss.toFixed(0)} MiB)`);
    console.log(`  CPU time, same rounds         ${median(plainCpu).toFixed(0)} ms plain pass, ${median(wholeCpu).toFixed(0)} ms khaosat score: ${(median(wholeCpu) / median(plainCpu)).toFixed(2)} × (no target; steadier than wall time on a loaded machine)`);
    console.log(`  scoreUnits on objects        ${scoring.toFixed(0).padStart(6)} ms  vs plain sum of scores ${objects.toFixed(0)} ms`);
    console.log(`  CPU time, same rounds         ${median(objectsPlainCpu).toFixed(0)} ms plain sum, ${median(scoreUnitsCpu).toFixed(0)} ms scoreUnits: ${(median(scoreUnitsCpu) / median(objectsPlainCpu)).toFixed(2)} × (no target; the GC and compiler threads included)`);
    reportTarget("scoring", "score 50k×40 end to end ÷ plain CSV pass", whole / plain, "x", "<= 3");
    reportTarget("scoring", "khaosat score 50k×40 (process, wall)", cliMs / 1000, "s", "< 2");
    reportTarget("scoring", "khaosat score 50k×40 peak RSS", cliRss, "MiB", "< 512");
    reportTarget("scoring", "scoreUnits ÷ plain sum over objects", scoring / objects, "x", "<= 3");
  } finally {
    if (process.env.BENCH_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
    else console.log(`files kept in ${dir}`);
  }
}

// Run directly (`npm run bench:scoring`, or `npm run bench` for every benchmark).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchScoring();
}
