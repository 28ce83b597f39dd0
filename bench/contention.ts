// SQLite contention benchmark: `npm run bench:contention`. The bot's answer commit (the session
// store's commit of one engine step, as the Telegram channel runs it) is timed on one SQLite file,
// first idle, then while `khaosat respondents import` writes BENCH_IMPORT_ROWS (50,000) respondents
// into the same file from another process; alternated BENCH_REPEAT (3) times. Prints p50/p99 of
// both, their ratio, and BENCH_RESULT lines (target: p99 under 100 ms during the import, no commit
// failing); exits 1 when a target is missed.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCampaign } from "../src/campaigns/index.js";
import type { BotSession } from "../src/channels/telegram/ports.js";
import { openDatabase } from "../src/db/index.js";
import { startSurvey, step, type EngineInput, type SurveyState } from "../src/engine/index.js";
import { parseQuestionnaire } from "../src/questionnaire/index.js";

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = readFileSync(path.join(root, "test/channels/console/fixtures/preview.yaml"), "utf8");

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-contention-"));
const url = `file:${path.join(dir, "bench.db")}`;
const db = await openDatabase(url);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

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
  for (let r = 0; r < REPEAT; r++) {
    // Idle: as many answers as the import run will take, roughly.
    for (let i = 0; i < 100; i++) {
      idle.push(await answer());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: path.join(root, "examples/par-officials.yaml"), name: `big-${r}`, opens: "2026-12-01", closes: "2026-12-31" });
    const csv = path.join(dir, `big-${r}.csv`);
    writeFileSync(csv, `${header}\n${Array.from({ length: ROWS }, (_, i) => `K${r}-${i},Người số ${i},U${i % 700},Đơn vị ${i % 700},officials,vi,,,,`).join("\n")}\n`);
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
    if ((await done) !== 0) throw new Error("the import failed");
  }
  const row = (name: string, xs: number[]) => `${name.padEnd(28)} ${String(xs.length).padStart(6)} ${quantile(xs, 0.5).toFixed(1).padStart(8)} ${quantile(xs, 0.99).toFixed(1).padStart(8)}`;
  console.log(`SQLite contention: answer commits idle vs during a ${ROWS.toLocaleString("en")}-row import (another process), ${REPEAT} alternations; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`${"".padEnd(28)} ${"n".padStart(6)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`);
  console.log(row("idle", idle));
  console.log(row("during the import", busy));
  console.log(`longest event-loop stall during an import: ${Math.max(...stalls).toFixed(0)} ms; failed commits: ${failures}`);
  const p99 = quantile(busy, 0.99);
  const results = [
    { name: "answer p99 during a 50k-row import", figure: p99, unit: "ms", target: "< 100", pass: p99 < 100 },
    { name: "answer p99 during import ÷ idle p99", figure: p99 / quantile(idle, 0.99), unit: "x", target: "report", pass: true },
    { name: "answer commits failed during imports", figure: failures, unit: "commits", target: "0", pass: failures === 0 },
  ];
  for (const r of results) console.log(`BENCH_RESULT ${JSON.stringify({ bench: "contention", ...r, figure: Math.round(r.figure * 1000) / 1000 })}`);
  if (results.some((r) => !r.pass)) process.exitCode = 1;
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
