// `npm run bench:scale`: every organiser command that touches respondents, at 50,000 respondents over
// 700 units (BENCH_RESPONDENTS=5000 for a quick check; units shrink with it, about 71 respondents
// each), each in its own process under /usr/bin/time (wall time, peak RSS), right after a plain
// baseline measured in the same run on the same rows:
//   - database commands: SELECT count(*) over the campaign's respondents, in a plain Node process on
//     the same Prisma client as the command (dist/); the reminders tick and the digests, which have
//     no command (the scheduler runs them), run the same way from dist/;
//   - file imports: reading the same file with no validation (csv-parse or ExcelJS's streaming
//     reader, counting rows).
// Prints a table per database with the ratios and the load average, a BENCH_RESULT line per target
// (< 10 s, < 512 MiB peak RSS per command), and the bot's answer p99 while a BENCH_RESPONDENTS-row
// import runs on the same SQLite file (< 100 ms, bench/contention.ts); exits 1 when one is missed.
// SQLite always; PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (a schema is
// created and dropped). BENCH_SCALE_DATABASES=sqlite (or postgres) measures one only.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import pg from "pg";
import { createCampaign } from "../src/campaigns/index.js";
import { createPrismaClient } from "../src/db/client.js";
import { openDatabase } from "../src/db/index.js";
import { parseDatabaseUrl } from "../src/db/target.js";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { seedGroup, seedScaleCampaign, seedStage, seedUnit } from "../test/support/scale-seed.js";
import { contentionTable, measureContention, reportContention } from "./contention.js";
import { ensureBuilt, reportTarget, ROOT } from "./result.js";

const N = Number(process.env.BENCH_RESPONDENTS ?? 50_000);
const UNITS = Math.max(1, Math.min(700, Math.round(N / 71)));
const GROUPS = ["leaders", "officials", "deputies"];
const TOKEN = "123456789:AAHbenchTokenBenchTokenBenchTokenBen";
// A benchmark value, never a real secret: PostgreSQL requires the one secret every instance shares.
const CODE_SECRET = "bench-scale-code-secret-0123456789abcdef";
const MAX_SECONDS = 10;
const MAX_MIB = 512;
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-scale-"));
const load1 = () => loadavg()[0]!;

interface Measure {
  readonly seconds: number;
  /** User + system CPU seconds: on a loaded machine, the part of the wall time that is the command's own work. */
  readonly cpu: number;
  readonly mib: number;
  readonly stdout: string;
}

/**
 * Runs a command in its own process under /usr/bin/time: wall seconds, peak RSS and what it printed.
 * Asynchronous, so that a stub served by this process (the Telegram API) answers meanwhile.
 */
async function measure(args: readonly string[], env: Record<string, string> = {}): Promise<Measure> {
  const timing = path.join(dir, "time.txt");
  const child = spawn("/usr/bin/time", ["-o", timing, "-f", "%e %U %S %M", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) {
    const lines = (stderr || stdout).trim().split("\n");
    throw new Error(lines.find((l) => /error/i.test(l))?.trim() ?? lines.slice(-3).join(" | "));
  }
  const [seconds, user, system, kib] = readFileSync(timing, "utf8").trim().split("\n").at(-1)!.split(/\s+/).map(Number) as [number, number, number, number];
  return { seconds, cpu: user + system, mib: kib / 1024, stdout };
}

/** Plain Node scripts (no tsx), on the same libraries and dist/ code the commands use: the baselines, and two steps. */
const SCRIPTS = {
  count: `const [{ createPrismaClient }, { loadPostgresSupport, parseDatabaseUrl }] = await Promise.all([import("./dist/db/client.js"), import("./dist/db/connection.js")]);
const target = parseDatabaseUrl(process.argv[1]);
if (target.provider === "postgres") await loadPostgresSupport();
const { prisma, close } = createPrismaClient(target);
const rows = await prisma.$queryRaw\`SELECT count(*) AS "n" FROM "Respondent" WHERE "campaignId" = \${process.argv[2]}\`;
console.log(Number(rows[0].n));
await close();`,
  csv: `const { parse } = await import("csv-parse");
const fs = await import("node:fs");
let n = 0;
for await (const _ of fs.createReadStream(process.argv[1]).pipe(parse({ bom: true, relax_column_count: true }))) n++;
console.log(n);`,
  // The two steps with no command of their own, as the scheduler runs them (dist/, no tsx).
  tick: `const [{ openOutboxStore }, { createI18n }, { ReminderService }] = await Promise.all([import("./dist/db/index.js"), import("./dist/i18n/index.js"), import("./dist/reminders/index.js")]);
const store = await openOutboxStore(process.argv[1], { migrate: false });
const outcomes = await new ReminderService(store.messaging, createI18n()).tick(new Date(process.argv[3]));
console.log(JSON.stringify(outcomes.map((o) => (o.result === "queued" ? o.run.recipients : o.result))));
await store.close();`,
  digest: `const [{ openDatabase, openOutboxStore }, { createI18n }, { DigestService }] = await Promise.all([import("./dist/db/index.js"), import("./dist/i18n/index.js"), import("./dist/coordinators/index.js")]);
const db = await openDatabase(process.argv[1], { migrate: false });
const store = await openOutboxStore(process.argv[1], { migrate: false });
const campaign = await db.campaigns.get(process.argv[2]);
const digests = new DigestService({ campaigns: db.campaigns, respondents: db.respondents, participation: db.participation, messaging: store.messaging, outbox: store.outbox, i18n: createI18n() });
console.log(JSON.stringify(await digests.queue(campaign, new Date(process.argv[3]), "2099-12-30")));
await store.close();
await db.close();`,
  xlsx: `const { default: ExcelJS } = await import("exceljs");
let n = 0;
for await (const sheet of new ExcelJS.stream.xlsx.WorkbookReader(process.argv[1], { sharedStrings: "cache", worksheets: "emit" })) for await (const _ of sheet) n++;
console.log(n);`,
} as const;
const plain = (script: keyof typeof SCRIPTS, ...argv: string[]) => measure([process.execPath, "--input-type=module", "-e", SCRIPTS[script], ...argv]);

interface Row {
  readonly command: string;
  readonly baselineName: string;
  readonly baseline?: Measure;
  readonly run?: Measure;
  readonly error?: string;
  readonly load: number;
}

function respondentsCsv(file: string, prefix: string): void {
  const lines = ["external_id,full_name,unit,unit_name,group,language"];
  for (let i = 0; i < N; i++) lines.push(`${prefix}${i},Người số ${i},${seedUnit(i, UNITS)},Đơn vị số ${i % UNITS},${seedGroup(i, GROUPS)},vi`);
  writeFileSync(file, `${lines.join("\n")}\n`);
}

async function respondentsXlsx(file: string, prefix: string): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const ws = wb.addWorksheet("mẫu");
  ws.addRow(["external_id", "full_name", "unit", "unit_name", "group", "language"]).commit();
  for (let i = 0; i < N; i++) ws.addRow([`${prefix}${i}`, `Người số ${i}`, seedUnit(i, UNITS), `Đơn vị số ${i % UNITS}`, seedGroup(i, GROUPS), "vi"]).commit();
  await wb.commit();
}

async function benchProvider(provider: string, url: string): Promise<Row[]> {
  const db = await openDatabase(url);
  const make = async (name: string) => (await createCampaign(db.campaigns, { questionnaireFile: "test/scale/round.yaml", name, opens: "2026-12-01", closes: "2099-12-31" })).campaign;
  const round = await make("bench");
  const importing = await make("import");
  const importingXlsx = await make("import-xlsx");
  const copy = await make("copy");
  const c = round.id;
  await db.campaigns.updateSettings(c, { reminders: "1d@09:00", coordinatorDigestAt: "08:00" });
  const seeded = performance.now();
  const { prisma, close } = createPrismaClient(parseDatabaseUrl(url));
  await seedScaleCampaign(prisma, {
    campaignId: c,
    questionnaireVersionPk: round.questionnaireVersionPk,
    respondents: N,
    units: UNITS,
    groups: GROUPS,
    coordinatorEvery: 70,
    answers: (i) => ({ q1: JSON.stringify(i % 3 === 0 ? "b" : "a"), q2: JSON.stringify(i % 10 === 0 ? `=HYPERLINK("x${i}")` : `Góp ý số ${i}`) }),
  });
  await close();
  await db.close();
  console.log(`${provider}: seeded ${N.toLocaleString("en")} respondents in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

  const csv = path.join(dir, `${provider}-respondents.csv`);
  respondentsCsv(csv, "I");
  const xlsx = path.join(dir, `${provider}-respondents.xlsx`);
  await respondentsXlsx(xlsx, "X");
  const text = path.join(dir, "text.txt");
  writeFileSync(text, "Xin nhắc: đợt khảo sát sắp kết thúc.");
  const exported = path.join(dir, `${provider}-responses.csv`);
  const at = new Date(round.closesAt.getTime() - 3_600_000).toISOString();
  // In English: the checks below read the commands' summaries (the CLI speaks Vietnamese unless told).
  const env = { DATABASE_URL: url, TELEGRAM_BOT_TOKEN: TOKEN, CODE_SECRET, KHAOSAT_LANG: "en" };
  const khaosat = (...argv: string[]) => measure([process.execPath, "bin/khaosat.js", ...argv], env);
  const count = () => plain("count", url, c);

  const rows: Row[] = [];
  /** Measures the baseline, then the command; `check` refuses a wrong result (the figure of a command that did not do its work means nothing). */
  const row = async (command: string, baselineName: string, baseline: () => Promise<Measure>, run: () => Promise<Measure>, check: (stdout: string) => boolean = () => true) => {
    const errors: string[] = [];
    let b: Measure | undefined;
    let r: Measure | undefined;
    try {
      b = await baseline();
    } catch (error) {
      errors.push(`baseline: ${(error as Error).message}`);
    }
    try {
      r = await run();
      if (!check(r.stdout)) throw new Error(`unexpected output: ${r.stdout.trim().slice(0, 200)}`);
    } catch (error) {
      r = undefined;
      errors.push((error as Error).message);
    }
    rows.push({ command, baselineName, baseline: b, run: r, error: errors.length > 0 ? errors.join("; ") : undefined, load: load1() });
    console.log(`  ${command}: ${r ? `${r.seconds.toFixed(2)} s, ${r.mib.toFixed(0)} MiB` : "FAILED"}${errors.length > 0 ? ` (${errors.join("; ")})` : ""}`);
  };
  const db_ = (command: string, run: () => Promise<Measure>, check?: (stdout: string) => boolean) => row(command, "count(*)", count, run, check);
  const reachable = (i: number) => seedStage(i) !== "not_redeemed";
  const reached = Array.from({ length: N }, (_, i) => i).filter(reachable).length;
  const unit = seedUnit(7, UNITS);
  const inUnit = Array.from({ length: N }, (_, i) => i).filter((i) => reachable(i) && seedUnit(i, UNITS) === unit).length;

  await row("respondents import (CSV)", "read CSV", () => plain("csv", csv), () => khaosat("respondents", "import", "--campaign", importing.id, csv), (o) => o.includes(`${N} created`));
  await row("respondents import (CSV, again)", "read CSV", () => plain("csv", csv), () => khaosat("respondents", "import", "--campaign", importing.id, csv), (o) => o.includes(`${N} unchanged`));
  await row("respondents import (XLSX)", "read XLSX", () => plain("xlsx", xlsx), () => khaosat("respondents", "import", "--campaign", importingXlsx.id, xlsx), (o) => o.includes(`${N} created`));
  await db_("codes issue (CSV file)", () => khaosat("codes", "issue", "--campaign", importing.id, "--out", path.join(dir, `${provider}-codes.csv`), "--bot", "khaosat_bot"), (o) => o.includes(`issued ${N} codes`));
  for (const format of ["table", "csv", "json"]) await db_(`participation --format ${format}`, () => khaosat("participation", "--campaign", c, "--format", format), (o) => o.includes(String(N)));
  await db_("participation --out .xlsx", () => khaosat("participation", "--campaign", c, "--out", path.join(dir, `${provider}-participation.xlsx`)));
  await db_("campaign show", () => khaosat("campaign", "show", c), (o) => o.includes(`respondents    ${N}`));
  await db_("broadcast --dry-run (all)", () => khaosat("broadcast", "--campaign", c, "--audience", "all", "--text", text, "--dry-run"), (o) => o.includes(`would queue ${reached} recipients`));
  await db_("broadcast (one unit, queued)", () => khaosat("broadcast", "--campaign", c, "--audience", `unit:${unit}`, "--text", text), (o) => o.includes(`: ${inUnit} recipients`));
  const stub = new BotApiStub();
  const apiRoot = await stub.start();
  try {
    await db_("outbox send (that unit, through the stub)", () => measure([process.execPath, "bin/khaosat.js", "outbox", "send", "--rate", "1000", "--per-chat-rate", "30"], { ...env, TELEGRAM_API_ROOT: apiRoot }), (o) => o.includes(`sent ${inUnit},`) && stub.callsOf("sendMessage").length === inUnit);
  } finally {
    await stub.stop();
  }
  await db_("broadcast (all, queued)", () => khaosat("broadcast", "--campaign", c, "--audience", "all", "--text", text), (o) => o.includes(`${reached} recipients`));
  await db_("reminders tick", () => plain("tick", url, c, at), (o) => /^\[\d+\]/.test(o));
  await db_("coordinators' digests", () => plain("digest", url, c, at), (o) => o.includes('"queued"'));
  await db_("responses export", () => khaosat("responses", "export", exported, "--campaign", c));
  await row("responses import", "read CSV", () => plain("csv", exported), () => khaosat("responses", "import", "--campaign", copy.id, exported), (o) => / created, 0 updated/.test(o));
  await db_("score --campaign", () => khaosat("score", "--campaign", c, "--format", "json"), (o) => o.includes('"units"'));
  return rows;
}

function printTable(provider: string, rows: readonly Row[]): void {
  const f = (x: number | undefined, d: number, w: number) => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(d)).padStart(w);
  console.log(`\n${provider}, ${N.toLocaleString("en")} respondents over ${UNITS} units (targets: < ${MAX_SECONDS} s, < ${MAX_MIB} MiB)`);
  console.log(
    `${"command".padEnd(42)} ${"time s".padStart(7)} ${"CPU s".padStart(6)} ${"RSS MiB".padStart(8)}  ${"baseline".padEnd(12)} ${"time s".padStart(7)} ${"RSS MiB".padStart(8)} ${"time ×".padStart(7)} ${"RSS ×".padStart(6)}  ${"pass".padEnd(4)} ${"load".padStart(5)}`,
  );
  for (const r of rows) {
    const pass = r.run !== undefined && r.run.seconds < MAX_SECONDS && r.run.mib < MAX_MIB;
    console.log(
      `${r.command.padEnd(42)} ${f(r.run?.seconds, 2, 7)} ${f(r.run?.cpu, 2, 6)} ${f(r.run?.mib, 0, 8)}  ${r.baselineName.padEnd(12)} ${f(r.baseline?.seconds, 2, 7)} ${f(r.baseline?.mib, 0, 8)} ${f(r.run && r.baseline ? r.run.seconds / r.baseline.seconds : undefined, 1, 7)} ${f(r.run && r.baseline ? r.run.mib / r.baseline.mib : undefined, 1, 6)}  ${(pass ? "pass" : "FAIL").padEnd(4)} ${f(r.load, 1, 5)}`,
    );
    if (r.error) console.log(`  ↳ ${r.error}`);
  }
}

function reportRows(provider: string, rows: readonly Row[]): void {
  const size = `${N / 1000}k`;
  for (const r of rows) {
    const ratio = (what: "seconds" | "mib") => (r.run && r.baseline ? `${(r.run[what] / r.baseline[what]).toFixed(1)}x ${r.baselineName}` : r.run ? "no baseline" : "failed");
    reportTarget("scale", `${r.command} at ${size}, ${provider}: time (${ratio("seconds")}; CPU ${r.run ? r.run.cpu.toFixed(1) : "—"} s; load ${r.load.toFixed(1)})`, r.run?.seconds ?? Number.NaN, "s", `< ${MAX_SECONDS}`);
    reportTarget("scale", `${r.command} at ${size}, ${provider}: peak RSS (${ratio("mib")})`, r.run?.mib ?? Number.NaN, "MiB", `< ${MAX_MIB}`);
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  const only = process.env.BENCH_SCALE_DATABASES?.split(",");
  const targets: [string, string, () => Promise<void>][] = [];
  if (!only || only.includes("sqlite")) targets.push(["sqlite", `file:${path.join(dir, "bench.db")}`, async () => {}]);
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl && (!only || only.includes("postgres"))) {
    const schema = `bench_scale_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    const u = new URL(pgUrl);
    u.searchParams.set("schema", schema);
    targets.push([
      "postgres",
      u.toString(),
      async () => {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
        await c.end();
      },
    ]);
  } else if (!pgUrl) console.log("PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL to measure it too");
  console.log(`bench:scale — ${N.toLocaleString("en")} respondents over ${UNITS} units; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  try {
    for (const [provider, url, drop] of targets) {
      try {
        const rows = await benchProvider(provider, url);
        printTable(provider, rows);
        reportRows(provider, rows);
      } finally {
        await drop();
      }
    }
    if (!only || only.includes("sqlite")) {
      const contention = await measureContention(N, 1);
      console.log(`\nSQLite contention: the bot's answers (two commits each) idle and while a ${N.toLocaleString("en")}-row import runs on the same file from another process; load ${load1().toFixed(1)}`);
      for (const line of contentionTable(contention)) console.log(line);
      reportContention("scale", contention);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

await main();
