// Careless-answer flags benchmark (`npm run bench:flags`, issue 16).
//
// 1. Precision and recall over many planted populations: a province round (46 units × 50 responses)
//    with 10% careless responses of five kinds (test/flags/support/population.ts), for SEEDS seeds
//    (default 10), once with the plain questionnaire and once with attention check and reverse-worded
//    pairs declared in its `quality` block. Prints a row per seed, then min and mean per kind, and
//    one BENCH_RESULT per target judged on the MINIMUM over the seeds (a method must hold on every
//    population, not on average).
// 2. Cost inside `khaosat score` at national size (50,000 responses × 40 questions, with per-question
//    times): computeFlags (every flag rule) against a plain pass over the responses file (read, decode,
//    parse every cell with the reader's CSV tokenizer), and against the whole `khaosat score`
//    in-process; medians of alternating rounds. Target: flags ≤ 0.5 × the plain pass.
// 3. Flagging one submission at national size (the bot's submit hook on SQLite, 50,000 submitted
//    responses in the campaign): the median duration sorted by the database per submission against
//    the median kept in memory (src/flags/duration-medians.ts), alternating, medians of SUBMITS each.
//    Target: kept ≤ 0.1 × the database's sort.
// SEEDS=0 skips part 1; COST=0 skips part 2; SUBMIT=0 skips part 3; COST_RESPONSES sets the size of parts 2 and 3.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type * as ClientModule from "../src/db/client.js";
import type * as ConnectionModule from "../src/db/connection.js";
import type * as FlagsRepositoryModule from "../src/db/flags-repository.js";
import type * as DbModule from "../src/db/index.js";
import type * as FlagsModule from "../src/flags/index.js";
import type * as QuestionnaireModule from "../src/questionnaire/index.js";
import type { Questionnaire } from "../src/questionnaire/index.js";
import type { ResponseFlags, ResponseTable } from "../src/scoring/index.js";
import type { ParsedResponseTable } from "../src/scoring/io/index.js";
import { writeResponsesCsv } from "../src/scoring/io/index.js";
import { CARELESS_KINDS, carelessPopulation, measureFlags, PROVINCE, TARGETS, type FlagsMeasurement } from "../test/flags/support/population.js";
import { ensureBuilt, median, reportTarget, ROOT } from "./result.js";

const SEEDS = Number(process.env.SEEDS ?? 10);
const FIRST_SEED = Number(process.env.SEED ?? PROVINCE.seed);
const COST_RESPONSES = Number(process.env.COST_RESPONSES ?? 50_000);
const COST_ROUNDS = 3;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const KINDS = ["genuine", ...CARELESS_KINDS] as const;
const recallOf = (m: FlagsMeasurement, kind: (typeof KINDS)[number]) => m.kinds.find((k) => k.kind === kind)!.recall;

/** Part 1 for one kind of questionnaire: per-seed rows, min/mean table, BENCH_RESULT lines; returns the means. */
function precisionRecall(label: string, checks: boolean): Map<string, number> {
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
  const started = performance.now();
  const runs = seeds.map((seed) => measureFlags(carelessPopulation({ ...PROVINCE, seed, checks })));
  const ms = performance.now() - started;
  console.log(`\n## ${label}: ${SEEDS} seeds (${seeds[0]}..${seeds.at(-1)}), ${PROVINCE.units * PROVINCE.perUnit} responses each, 10% careless (generated and flagged in ${(ms / 1000).toFixed(1)} s)\n`);
  console.log(`| seed | precision | false positives (genuine) | ${CARELESS_KINDS.join(" | ")} |`);
  console.log(`|---|---|---|${CARELESS_KINDS.map(() => "---").join("|")}|`);
  runs.forEach((m, i) => console.log(`| ${seeds[i]} | ${pct(m.precision)} | ${pct(recallOf(m, "genuine"))} | ${CARELESS_KINDS.map((k) => pct(recallOf(m, k))).join(" | ")} |`));
  const figures: [string, (m: FlagsMeasurement) => number, number | undefined][] = [
    ["precision overall", (m) => m.precision, TARGETS.precision],
    ["false positives (genuine)", (m) => recallOf(m, "genuine"), undefined],
    ...CARELESS_KINDS.map((k): [string, (m: FlagsMeasurement) => number, number] => [`recall ${k}`, (m) => recallOf(m, k), TARGETS.recall[k]]),
  ];
  console.log(`\n| figure | min | mean | max | target |`);
  console.log(`|---|---|---|---|---|`);
  const means = new Map<string, number>();
  for (const [name, of, target] of figures) {
    const values = runs.map(of);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    means.set(name, mean);
    console.log(`| ${name} | ${pct(Math.min(...values))} | ${pct(mean)} | ${pct(Math.max(...values))} | ${target === undefined ? "-" : `≥ ${pct(target)} on every seed`} |`);
  }
  // Which flags caught each kind, summed over the seeds.
  console.log(`\nflags raised per kind (all seeds): ${KINDS.map((kind) => {
    const totals: Record<string, number> = {};
    for (const m of runs) for (const [f, n] of Object.entries(m.kinds.find((k) => k.kind === kind)!.byFlag)) totals[f] = (totals[f] ?? 0) + n;
    return `${kind}: ${Object.entries(totals).map(([f, n]) => `${f} ${n}`).join(", ") || "-"}`;
  }).join("; ")}\n`);
  for (const [name, of, target] of figures) {
    if (target === undefined) continue;
    reportTarget("flags", `${label}: ${name}, min of ${SEEDS} seeds`, Math.min(...runs.map(of)), "", `>= ${target}`);
  }
  return means;
}

type CsvModule = {
  decodeUtf8(source: Uint8Array): { ok: true; text: string } | { ok: false };
  scanCsv(text: string, delimiter: string, onRecord: (cells: readonly string[], line: number) => void): unknown;
};
type Main = (argv: readonly string[]) => Promise<number>;
type ComputeFlags = (questionnaire: Questionnaire, responses: ResponseTable) => ResponseFlags[];

/** Wall time and this process's CPU time (steadier than wall time on a shared, loaded machine). */
async function timed<T>(task: () => Promise<T> | T): Promise<{ ms: number; cpuMs: number; value: T }> {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await task();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

/** Part 2: the cost of every flag rule at national size, beside a plain pass and the whole score. */
async function cost(): Promise<void> {
  ensureBuilt();
  const dist = (file: string) => pathToFileURL(path.join(ROOT, "dist", file)).href;
  const { main } = (await import(dist("cli/main.js"))) as { main: Main };
  const csv = (await import(dist("scoring/io/csv.js"))) as CsvModule;
  const { computeFlags } = (await import(dist("scoring/flags.js"))) as { computeFlags: ComputeFlags };
  const questionnaireModule = (await import(dist("questionnaire/index.js"))) as { buildQuestionnaire(d: unknown): Questionnaire };

  // 1,000 units × 50: 36 scored questions, 3 yes/no and an overall mark = 40, with per-question times.
  const perUnit = 50;
  const population = carelessPopulation({ seed: 40, units: Math.ceil(COST_RESPONSES / perUnit), perUnit, carelessShare: 0.1, scored: 36 });
  const questionnaire = questionnaireModule.buildQuestionnaire(population.questionnaire.definition);
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-flags-"));
  const files = { questionnaire: path.join(dir, "q.json"), responses: path.join(dir, "responses.csv"), out: path.join(dir, "score.json") };
  writeFileSync(files.questionnaire, JSON.stringify(population.questionnaire.definition));
  writeFileSync(files.responses, writeResponsesCsv(population.questionnaire, population.responses));
  // The responses as `khaosat score` holds them: read back by its own reader, by column.
  const io = (await import(dist("scoring/io/index.js"))) as { readResponsesTable(path: string, q: Questionnaire): Promise<ParsedResponseTable> };
  const parsed = await io.readResponsesTable(files.responses, questionnaire);
  if (parsed.errors.length > 0 || parsed.table.length !== population.responses.length) throw new Error("bench: the generated responses file does not read back");
  const responses = parsed.table;
  const csvMiB = readFileSync(files.responses).length / 2 ** 20;
  const args = ["score", "--questionnaire", files.questionnaire, "--responses", files.responses, "--format", "json", "--out", files.out];
  const plainPass = async () => {
    const decoded = csv.decodeUtf8(await readFile(files.responses));
    if (!decoded.ok) throw new Error("bench: the generated file is not UTF-8");
    let chars = 0;
    csv.scanCsv(decoded.text, ",", (cells) => {
      for (let i = 0; i < cells.length; i++) chars += cells[i]!.length;
    });
    return chars;
  };
  try {
    // The first call in a process (as in one `khaosat score` run) includes compiling the rules; then
    // warm every path once and alternate.
    const cold = await timed(() => computeFlags(questionnaire, responses));
    await plainPass();
    if ((await main(args)) !== 0) throw new Error("bench: khaosat score failed in-process");
    const plainMs: number[] = [];
    const flagsMs: number[] = [];
    const plainCpu: number[] = [];
    const flagsCpu: number[] = [];
    const scoreMs: number[] = [];
    let flagged = 0;
    for (let round = 0; round < COST_ROUNDS; round++) {
      const p = await timed(plainPass);
      plainMs.push(p.ms);
      plainCpu.push(p.cpuMs);
      const f = await timed(() => computeFlags(questionnaire, responses));
      flagsMs.push(f.ms);
      flagsCpu.push(f.cpuMs);
      flagged = f.value.filter((x) => x.evidence.length > 0).length;
      const s = await timed(() => main(args));
      if (s.value !== 0) throw new Error("bench: khaosat score failed in-process");
      scoreMs.push(s.ms);
    }
    const plain = median(plainMs);
    const flags = median(flagsMs);
    const score = median(scoreMs);
    console.log(`\n## cost at national size: ${responses.length} responses × ${questionnaire.questions.length} questions with per-question times, ${csvMiB.toFixed(1)} MiB CSV; medians of ${COST_ROUNDS} alternating rounds\n`);
    console.log(`  plain pass over the file        ${plain.toFixed(0).padStart(6)} ms  (read + decode + CSV parse, every cell touched)`);
    console.log(`  computeFlags (every flag rule)  ${flags.toFixed(0).padStart(6)} ms  (${flagged} responses flagged; first call in the process ${cold.ms.toFixed(0)} ms)`);
    console.log(`  khaosat score, in-process       ${score.toFixed(0).padStart(6)} ms  (read + validate + flags + score + write JSON)`);
    console.log(`  flags' share of khaosat score   ${pct(flags / score)}`);
    console.log(`  CPU time: plain pass ${median(plainCpu).toFixed(0)} ms, computeFlags ${median(flagsCpu).toFixed(0)} ms (${(median(flagsCpu) / median(plainCpu)).toFixed(2)} ×)`);
    reportTarget("flags", "computeFlags 50k×40 ÷ plain CSV pass", flags / plain, "x", "<= 0.5");
    reportTarget("flags", "computeFlags 50k×40 first call ÷ plain CSV pass", cold.ms / plain, "x", "<= 1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (SEEDS > 0) {
  const plain = precisionRecall("plain questionnaire", false);
  const checks = precisionRecall("with attention check and reverse pairs", true);
  console.log("## what the attention check and the reverse pairs add (means over the seeds)\n");
  console.log("| figure | plain | with checks | change |");
  console.log("|---|---|---|---|");
  for (const [name, value] of plain) {
    const other = checks.get(name)!;
    console.log(`| ${name} | ${pct(value)} | ${pct(other)} | ${other >= value ? "+" : ""}${((other - value) * 100).toFixed(1)} points |`);
  }
}
if (process.env.COST !== "0") await cost();
if (process.env.SUBMIT !== "0") await submitCost();

/** Part 3: flagging one submission in a campaign of COST_RESPONSES submitted responses. */
async function submitCost(): Promise<void> {
  ensureBuilt();
  const dist = (file: string) => pathToFileURL(path.join(ROOT, "dist", file)).href;
  const { openDatabase } = (await import(dist("db/index.js"))) as typeof DbModule;
  const { createPrismaClient } = (await import(dist("db/client.js"))) as typeof ClientModule;
  const { parseDatabaseUrl } = (await import(dist("db/connection.js"))) as typeof ConnectionModule;
  const { flagsRepository, submitFlagsRepository } = (await import(dist("db/flags-repository.js"))) as typeof FlagsRepositoryModule;
  const { flagSubmittedResponse } = (await import(dist("flags/index.js"))) as typeof FlagsModule;
  const { parseQuestionnaire } = (await import(dist("questionnaire/index.js"))) as typeof QuestionnaireModule;
  const SUBMITS = 15;
  const source = readFileSync(path.join(ROOT, "examples/sipas-citizens.yaml"), "utf8");
  const parsed = parseQuestionnaire(source, "sipas-citizens.yaml");
  if (!parsed.ok) throw new Error("bench: example does not load");
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-submit-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  await (await openDatabase(url)).close();
  const { prisma, close } = createPrismaClient(parseDatabaseUrl(url));
  try {
    const version = await prisma.questionnaireVersion.create({ data: { questionnaireId: "sipas-citizens", version: 1, fileName: "sipas-citizens.yaml", source, sourceHash: "h" } });
    const t0 = Date.UTC(2026, 10, 1);
    await prisma.campaign.create({ data: { id: "national", name: "national", questionnaireVersionPk: version.pk, opensAt: new Date(t0 - 86_400_000), closesAt: new Date(t0 + 86_400_000 * 60) } });
    const base = { campaignId: "national", questionnaireVersionPk: version.pk, groupId: "citizens", status: "submitted" } as const;
    const row = (i: number) => ({ ...base, id: `r${String(i).padStart(6, "0")}`, subjectUnit: `U${i % 700}`, startedAt: new Date(t0 + i * 1000), submittedAt: new Date(t0 + i * 1000 + 300_000 + ((i * 7_919_417) % 600_000)), account: `zalo:${i}` });
    for (let i = 0; i < COST_RESPONSES; i += 2_000) await prisma.response.createMany({ data: Array.from({ length: Math.min(2_000, COST_RESPONSES - i) }, (_, k) => row(i + k)) });
    const kept = submitFlagsRepository(prisma);
    const sorted = flagsRepository(prisma);
    let next = COST_RESPONSES;
    // One more submission, stored as the bot stores it before the hook runs, then flagged by `repository`.
    const submitOne = async (repository: typeof kept) => {
      const r = row(next++);
      await prisma.response.create({ data: r });
      const start = performance.now();
      await flagSubmittedResponse(repository, parsed.questionnaire, "national", r.id);
      return performance.now() - start;
    };
    // Warm both (the kept one reads the campaign's durations once here).
    await submitOne(kept);
    await submitOne(sorted);
    const keptMs: number[] = [];
    const sortedMs: number[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      sortedMs.push(await submitOne(sorted));
      keptMs.push(await submitOne(kept));
    }
    const k = median(keptMs);
    const d = median(sortedMs);
    console.log(`\n## flagging one submission with ${COST_RESPONSES} submitted responses in the campaign (SQLite, the bot's submit hook); medians of ${SUBMITS} alternating\n`);
    console.log(`  median sorted by the database per submission  ${d.toFixed(2).padStart(8)} ms`);
    console.log(`  median kept in memory                          ${k.toFixed(2).padStart(8)} ms`);
    reportTarget("flags", `flag one submission at ${COST_RESPONSES} submitted: kept median ÷ database sort`, k / d, "x", "<= 0.1");
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}
