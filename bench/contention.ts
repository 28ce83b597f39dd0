// SQLite contention benchmark: `npm run bench:contention`. The bot's answer commit (the session
// store's commit of one engine step, as the Telegram channel runs it) is timed on one SQLite file,
// first idle, then while `khaosat respondents import` writes BENCH_IMPORT_ROWS (50,000) respondents
// into the same file from another process; alternated BENCH_REPEAT (3) times. Prints p50/p99 of
// both, their ratio, and BENCH_RESULT lines (target: p99 under 100 ms during the import, no commit
// failing); exits 1 when a target is missed. `npm run bench:scale` runs the same measurement once
// (measureContention) beside its per-command figures.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createCampaign } from "../src/campaigns/index.js";
import type { BotSession } from "../src/channels/telegram/ports.js";
import { openDatabase } from "../src/db/index.js";
import { startSurvey, step, type EngineInput, type SurveyState } from "../src/engine/index.js";
import { parseQuestionnaire } from "../src/questionnaire/index.js";
import { reportTarget } from "./result.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = readFileSync(path.join(root, "test/channels/console/fixtures/preview.yaml"), "utf8");
const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

/** What one contention run measured: answer times (ms) idle and during imports. */
export interface Contention {
  readonly rows: number;
  readonly repeat: number;
  readonly idle: readonly number[];
  readonly busy: readonly number[];
  /** The longest event-loop stall seen during an import, ms. */
  readonly stallMs: number;
  readonly failures: number;
  /** Wall seconds of each import run. */
  readonly importSeconds: readonly number[];
  /** The p99 of the answers during the imports, ms. */
  readonly p99: number;
  readonly idleP99: number;
}

/**
 * Times the bot's answers on a fresh SQLite file, idle and while `respondents import` writes `rows`
 * respondents into the same file from another process, `repeat` times.
 */
export async function measureContention(rows: number, repeat: number): Promise<Contention> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-contention-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  const db = await openDatabase(url);
  try {
    const parsed = parseQuestionnaire(SOURCE, "preview.yaml");
    if (!parsed.ok) throw new Error("fixture does not load");
    const Q = parsed.questionnaire;
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: Q.id, version: Q.version, fileName: "preview.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "bot", name: "bot", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-01-01T00:00:00Z"), closesAt: new Date("2030-01-01T00:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await db.respondents.importRespondents("bot", [{ externalId: "R1", fullName: "An", unitCode: "SO_TP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false }]);
    const respondentId = (await db.respondents.getByExternalId("bot", "R1"))!.id;
    const store = db.channel.sessions;
    const started = startSurvey(Q, { units: ["SO_TP"], language: "vi", now: new Date().toISOString() });
    let session: BotSession = { id: store.newId(), account: "telegram:7", chatId: 7, campaignId: "bot", codeId: null, respondentId, units: [{ id: "SO_TP", name: "Sở Tư pháp" }], stage: "survey", language: "vi", identityConfirmedAt: new Date().toISOString(), engine: started.state };
    let state: SurveyState = started.state;
    let updateId = 1;
    let failures = 0;
    const commit = async (input: EngineInput): Promise<number> => {
      const t0 = performance.now();
      const result = step(Q, state, input, { now: new Date().toISOString() });
      session = { ...session, engine: result.state };
      try {
        if ((await store.commit(updateId++, { session, step: result })) !== "stored") failures++;
      } catch {
        failures++;
      }
      state = result.state;
      return performance.now() - t0;
    };
    await store.commit(updateId++, { session, step: started });
    await commit({ type: "accept_attestation" });
    let choice = "yes";
    /** One answer: edit q1, choose the other option (two commits, timed together as the respondent waits for both). */
    const answer = async () => {
      choice = choice === "yes" ? "no" : "yes";
      return (await commit({ type: "edit", questionId: "q1" })) + (await commit({ type: "choose", questionId: "q1", choice: { kind: "option", optionId: choice } }));
    };

    const header = "external_id,full_name,unit,unit_name,group,language,phone,email,subject_units,coordinator";
    const idle: number[] = [];
    const busy: number[] = [];
    const stalls: number[] = [];
    const importSeconds: number[] = [];
    for (let r = 0; r < repeat; r++) {
      // Idle: as many answers as the import run will take, roughly.
      for (let i = 0; i < 100; i++) {
        idle.push(await answer());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: path.join(root, "examples/par-officials.yaml"), name: `big-${r}`, opens: "2026-12-01", closes: "2026-12-31" });
      const csv = path.join(dir, `big-${r}.csv`);
      writeFileSync(csv, `${header}\n${Array.from({ length: rows }, (_, i) => `K${r}-${i},Người số ${i},U${i % 700},Đơn vị ${i % 700},officials,vi,,,,`).join("\n")}\n`);
      const t0 = performance.now();
      const child = spawn(process.execPath, [path.join(root, "bin/khaosat.js"), "respondents", "import", "--campaign", campaign.id, csv], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore" });
      let running = true;
      const done = new Promise<number | null>((resolve) => child.on("exit", (code) => ((running = false), resolve(code))));
      let last = performance.now();
      let stall = 0;
      const ticker = setInterval(() => {
        stall = Math.max(stall, performance.now() - last);
        last = performance.now();
      }, 5);
      while (running) {
        busy.push(await answer());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      clearInterval(ticker);
      stalls.push(stall);
      importSeconds.push((performance.now() - t0) / 1000);
      if ((await done) !== 0) throw new Error("the import failed");
    }
    return { rows, repeat, idle, busy, stallMs: Math.max(...stalls), failures, importSeconds, p99: quantile(busy, 0.99), idleP99: quantile(idle, 0.99) };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The human-readable lines of a contention run. */
export function contentionTable(c: Contention): string[] {
  const row = (name: string, xs: readonly number[]) => `${name.padEnd(28)} ${String(xs.length).padStart(6)} ${quantile(xs, 0.5).toFixed(1).padStart(8)} ${quantile(xs, 0.99).toFixed(1).padStart(8)}`;
  return [
    `${"".padEnd(28)} ${"n".padStart(6)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`,
    row("idle", c.idle),
    row("during the import", c.busy),
    `import run${c.repeat === 1 ? "" : "s"}: ${c.importSeconds.map((s) => `${s.toFixed(1)} s`).join(", ")}; longest event-loop stall during an import: ${c.stallMs.toFixed(0)} ms; failed commits: ${c.failures}`,
  ];
}

/** Prints the BENCH_RESULT lines of a contention run under `bench`; returns whether every target was met. */
export function reportContention(bench: string, c: Contention): boolean {
  const rows = `${c.rows.toLocaleString("en")}-row`;
  const p99 = reportTarget(bench, `answer p99 during a ${rows} import on the same SQLite file (${(c.p99 / c.idleP99).toFixed(1)}x idle p99 ${c.idleP99.toFixed(1)} ms)`, c.p99, "ms", "< 100");
  const failed = reportTarget(bench, `answer commits failed during ${rows} imports`, c.failures, "commits", "<= 0");
  return p99 && failed;
}

async function main(): Promise<void> {
  const c = await measureContention(Number(process.env.BENCH_IMPORT_ROWS ?? 50_000), Number(process.env.BENCH_REPEAT ?? 3));
  console.log(`SQLite contention: answer commits idle vs during a ${c.rows.toLocaleString("en")}-row import (another process), ${c.repeat} alternations; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const line of contentionTable(c)) console.log(line);
  reportContention("contention", c);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
