// SQLite write contention: imports take the write lock up front and wait for it asynchronously; a long
// import stages its rows without the lock and promotes them in one short transaction, so two imports
// at once both succeed and the bot's answers are stored while an import runs.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import type { BotSession } from "../../src/channels/telegram/ports.js";
import { openDatabase, type Database } from "../../src/db/index.js";
import { startSurvey, step, type EngineInput, type SurveyState } from "../../src/engine/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";

const HEADER = "external_id,full_name,unit,unit_name,group,language,phone,email,subject_units,coordinator";
const FIXTURE = fileURLToPath(new URL("../channels/console/fixtures/preview.yaml", import.meta.url));
const SOURCE = readFileSync(FIXTURE, "utf8");

let dir: string;
let url: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "khaosat-contention-"));
  url = `file:${path.join(dir, "c.db")}`;
  db = await openDatabase(url);
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeCsv(name: string, prefix: string, rows: number): string {
  const file = path.join(dir, name);
  const lines = Array.from({ length: rows }, (_, i) => `${prefix}${i},Người số ${i},U${i % 60},Đơn vị ${i % 60},officials,vi,,,,`);
  writeFileSync(file, `${HEADER}\n${lines.join("\n")}\n`);
  return file;
}

/** Runs `khaosat respondents import` on the test database. */
function importCli(campaignId: string, file: string): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; running(): boolean } {
  const child = spawn(process.execPath, ["bin/khaosat.js", "respondents", "import", "--campaign", campaignId, file], { env: { ...process.env, DATABASE_URL: url } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => {
      exited = true;
      resolve({ code, stdout, stderr });
    }),
  );
  return { done, running: () => !exited };
}

async function parCampaign(name: string): Promise<string> {
  const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name, opens: "2026-12-01", closes: "2026-12-31" });
  return campaign.id;
}

describe("SQLite: imports and the bot at the same time", () => {
  test("two imports started together into one database both succeed; one waits for the other's final step", async () => {
    const a = await parCampaign("import-a");
    const b = await parCampaign("import-b");
    const first = importCli(a, writeCsv("a.csv", "A", 15_000));
    const second = importCli(b, writeCsv("b.csv", "B", 15_000));
    const [ra, rb] = await Promise.all([first.done, second.done]);
    expect({ code: ra.code, stderr: ra.stderr }).toEqual({ code: 0, stderr: "" });
    expect({ code: rb.code, stderr: rb.stderr }).toEqual({ code: 0, stderr: "" });
    expect((await db.respondents.externalIds(a)).size).toBe(15_000);
    expect((await db.respondents.externalIds(b)).size).toBe(15_000);
    expect((await db.respondents.units(a)).length).toBe(60);
  }, 300_000);

  test("while a large import runs, every answer the bot commits is stored (never 'database is locked')", async () => {
    // The bot's side: a respondent in the survey, as the Telegram channel stores it.
    const parsed = parseQuestionnaire(SOURCE, "preview.yaml");
    if (!parsed.ok) throw new Error("fixture does not load");
    const Q = parsed.questionnaire;
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: Q.id, version: Q.version, fileName: "preview.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "bot", name: "bot", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2027-01-01T00:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await db.respondents.importRespondents("bot", [{ externalId: "R1", fullName: "An", unitCode: "SO_TP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false }]);
    const respondentId = (await db.respondents.getByExternalId("bot", "R1"))!.id;
    const store = db.channel.sessions;
    const started = startSurvey(Q, { units: ["SO_TP"], language: "vi", now: new Date().toISOString() });
    let session: BotSession = { id: store.newId(), account: "telegram:7", chatId: 7, campaignId: "bot", codeId: null, respondentId, units: [{ id: "SO_TP", name: "Sở Tư pháp" }], stage: "survey", language: "vi", identityConfirmedAt: new Date().toISOString(), engine: started.state };
    let state: SurveyState = started.state;
    let updateId = 1;
    const commit = async (input: EngineInput) => {
      const result = step(Q, state, input, { now: new Date().toISOString() });
      session = { ...session, engine: result.state };
      const outcome = await store.commit(updateId++, { session, step: result });
      state = result.state;
      return outcome;
    };
    expect(await store.commit(updateId++, { session, step: started })).toBe("stored");
    expect(await commit({ type: "accept_attestation" })).toBe("stored");

    const campaign = await parCampaign("big");
    const big = importCli(campaign, writeCsv("big.csv", "K", 40_000));
    const outcomes: string[] = [];
    const failures: string[] = [];
    let duringImport = 0;
    let choice = "yes";
    // The bot's event loop must keep turning: a writer sleeping in SQLite's busy handler stopped it for
    // as long as the import held the lock (a loose bound; the latencies are measured in bench:contention).
    let last = Date.now();
    let longestStallMs = 0;
    const ticker = setInterval(() => {
      longestStallMs = Math.max(longestStallMs, Date.now() - last);
      last = Date.now();
    }, 10);
    while (big.running()) {
      try {
        expect(await commit({ type: "edit", questionId: "q1" })).toBe("stored");
        choice = choice === "yes" ? "no" : "yes";
        outcomes.push(await commit({ type: "choose", questionId: "q1", choice: { kind: "option", optionId: choice } }));
        // Stored before it is acknowledged: read back what the respondent would be told was saved.
        const stored = await db.channel.sessions.findLatest("telegram:7");
        expect(stored?.engine).toEqual(state);
        if (big.running()) duringImport++;
      } catch (error) {
        failures.push(String(error));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await big.done;
    clearInterval(ticker);
    expect(failures).toEqual([]);
    expect(longestStallMs).toBeLessThan(3_000);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    expect(outcomes.every((o) => o === "stored")).toBe(true);
    // The import took long enough for answers to land while it ran.
    expect(duringImport).toBeGreaterThanOrEqual(3);
    expect((await db.respondents.externalIds(campaign)).size).toBe(40_000);
  }, 300_000);
});
