// `npm run bench:scale`: every organiser command that touches respondents, at 50,000 respondents
// (BENCH_RESPONDENTS) over 700 units, each in its own process, with its wall time and peak RSS
// (/usr/bin/time) next to a plain baseline measured in the same run: SELECT count(*) over the same
// respondents through the same runtime for database commands, reading the same file with no
// validation for file imports. Prints a table with the ratios and, per command, BENCH_RESULT lines
// for the targets (< 10 s, < 512 MiB peak RSS); exits 1 when one is missed. SQLite always;
// PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (a schema is created and dropped).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createCampaign } from "../src/campaigns/index.js";
import { createPrismaClient } from "../src/db/client.js";
import { openDatabase } from "../src/db/index.js";
import { parseDatabaseUrl } from "../src/db/target.js";
import { seedGroup, seedScaleCampaign, seedUnit } from "../test/support/scale-seed.js";
import { ensureBuilt, reportTarget, ROOT } from "./result.js";

const N = Number(process.env.BENCH_RESPONDENTS ?? 50_000);
const UNITS = 700;
const GROUPS = ["leaders", "officials", "deputies"];
const TOKEN = "123456789:AAHbenchTokenBenchTokenBenchTokenBen";
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-scale-"));

interface Measure {
  readonly seconds: number;
  readonly mib: number;
}

/** Runs a command in its own process under /usr/bin/time: wall seconds and peak RSS. */
function measure(args: readonly string[], env: Record<string, string> = {}): Measure {
  const timing = path.join(dir, "time.txt");
  try {
    execFileSync("/usr/bin/time", ["-o", timing, "-f", "%e %M", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  } catch (error) {
    throw new Error(`${args.join(" ")} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
  const [seconds, kib] = execFileSync("tail", ["-n", "1", timing], { encoding: "utf8" }).trim().split(/\s+/).map(Number) as [number, number];
  return { seconds, mib: kib / 1024 };
}

const khaosat = (url: string, ...argv: string[]) => measure([process.execPath, "bin/khaosat.js", ...argv], { DATABASE_URL: url, TELEGRAM_BOT_TOKEN: TOKEN });
const step = (...argv: string[]) => measure([process.execPath, "bin/run-ts.js", "bench/scale-step.ts", ...argv]);

function respondentsCsv(file: string): void {
  const lines = ["external_id,full_name,unit,unit_name,group,language"];
  for (let i = 0; i < N; i++) lines.push(`I${i},Người số ${i},${seedUnit(i, UNITS)},Đơn vị số ${i % UNITS},${seedGroup(i, GROUPS)},vi`);
  writeFileSync(file, `${lines.join("\n")}\n`);
}

interface Row {
  readonly command: string;
  readonly run: Measure;
  readonly baseline: Measure;
  readonly baselineName: string;
}

async function benchProvider(provider: string, url: string): Promise<Row[]> {
  const db = await openDatabase(url);
  const round = await createCampaign(db.campaigns, { questionnaireFile: "test/scale/round.yaml", name: "bench", opens: "2026-12-01", closes: "2099-12-31" });
  const importing = await createCampaign(db.campaigns, { questionnaireFile: "test/scale/round.yaml", name: "import", opens: "2026-12-01", closes: "2099-12-31" });
  const copy = await createCampaign(db.campaigns, { questionnaireFile: "test/scale/round.yaml", name: "copy", opens: "2026-12-01", closes: "2099-12-31" });
  const c = round.campaign.id;
  await db.campaigns.updateSettings(c, { reminders: "1d@09:00", coordinatorDigestAt: "08:00" });
  const { prisma, close } = createPrismaClient(parseDatabaseUrl(url));
  await seedScaleCampaign(prisma, {
    campaignId: c,
    questionnaireVersionPk: round.campaign.questionnaireVersionPk,
    respondents: N,
    units: UNITS,
    groups: GROUPS,
    coordinatorEvery: 70,
    answers: (i) => ({ q1: JSON.stringify(i % 3 === 0 ? "b" : "a"), q2: JSON.stringify(`Góp ý số ${i}`) }),
  });
  await close();
  const closesAt = round.campaign.closesAt;
  await db.close();

  const csv = path.join(dir, `${provider}-respondents.csv`);
  respondentsCsv(csv);
  const text = path.join(dir, "text.txt");
  writeFileSync(text, "Xin nhắc: đợt khảo sát sắp kết thúc.");
  const exported = path.join(dir, `${provider}-responses.csv`);
  const count = () => step("count", url, c);
  const readFile = (file: string) => measure([process.execPath, "-e", `process.stdout.write(String(require("fs").readFileSync(${JSON.stringify(file)}).length))`]);
  const at = new Date(closesAt.getTime() - 3_600_000).toISOString();

  const rows: Row[] = [];
  const db_ = (command: string, run: () => Measure) => {
    const baseline = count();
    rows.push({ command, run: run(), baseline, baselineName: "count(*)" });
  };
  const file = (command: string, input: string, run: () => Measure) => {
    const baseline = readFile(input);
    rows.push({ command, run: run(), baseline, baselineName: "read file" });
  };
  file("respondents import (CSV)", csv, () => khaosat(url, "respondents", "import", "--campaign", importing.campaign.id, csv));
  db_("codes issue", () => khaosat(url, "codes", "issue", "--campaign", importing.campaign.id, "--out", path.join(dir, `${provider}-codes.csv`), "--bot", "khaosat_bot"));
  for (const format of ["table", "csv", "json"]) db_(`participation --format ${format}`, () => khaosat(url, "participation", "--campaign", c, "--format", format));
  db_("participation --format xlsx", () => khaosat(url, "participation", "--campaign", c, "--out", path.join(dir, `${provider}-participation.xlsx`)));
  db_("campaign show", () => khaosat(url, "campaign", "show", c));
  db_("broadcast --dry-run (all)", () => khaosat(url, "broadcast", "--campaign", c, "--audience", "all", "--text", text, "--dry-run"));
  db_("broadcast (all, queued)", () => khaosat(url, "broadcast", "--campaign", c, "--audience", "all", "--text", text));
  db_("reminders tick", () => step("tick", url, c, at));
  db_("coordinators' digests", () => step("digest", url, c, at));
  db_("responses export", () => khaosat(url, "responses", "export", exported, "--campaign", c));
  file("responses import", exported, () => khaosat(url, "responses", "import", "--campaign", copy.campaign.id, exported));
  db_("score --campaign", () => khaosat(url, "score", "--campaign", c, "--format", "json"));
  return rows;
}

async function main(): Promise<void> {
  ensureBuilt();
  const targets: [string, string, () => Promise<void>][] = [["sqlite", `file:${path.join(dir, "bench.db")}`, async () => {}]];
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl) {
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
  } else console.log("PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL to measure it too");
  console.log(`bench:scale — ${N.toLocaleString("en")} respondents over ${UNITS} units; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  try {
    for (const [provider, url, drop] of targets) {
      try {
        const rows = await benchProvider(provider, url);
        console.log(`\n${provider}`);
        console.log(`${"command".padEnd(32)} ${"time s".padStart(8)} ${"RSS MiB".padStart(8)}  ${"baseline".padEnd(10)} ${"time s".padStart(7)} ${"RSS MiB".padStart(8)} ${"time ×".padStart(7)} ${"RSS ×".padStart(6)}`);
        for (const r of rows) {
          console.log(
            `${r.command.padEnd(32)} ${r.run.seconds.toFixed(2).padStart(8)} ${r.run.mib.toFixed(0).padStart(8)}  ${r.baselineName.padEnd(10)} ${r.baseline.seconds.toFixed(2).padStart(7)} ${r.baseline.mib.toFixed(0).padStart(8)} ${(r.run.seconds / r.baseline.seconds).toFixed(1).padStart(7)} ${(r.run.mib / r.baseline.mib).toFixed(1).padStart(6)}`,
          );
        }
        for (const r of rows) {
          reportTarget("scale", `${r.command} at ${N / 1000}k, ${provider}: time (${(r.run.seconds / r.baseline.seconds).toFixed(1)}x ${r.baselineName})`, r.run.seconds, "s", "< 10");
          reportTarget("scale", `${r.command} at ${N / 1000}k, ${provider}: peak RSS (${(r.run.mib / r.baseline.mib).toFixed(1)}x ${r.baselineName})`, r.run.mib, "MiB", "< 512");
        }
      } finally {
        await drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

await main();
