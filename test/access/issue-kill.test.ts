// `codes issue` killed with SIGKILL at any point (issue 10 item 5): the issued file and the stored
// hashes never diverge. The next run finds the unfinished issue, finishes it (codes stored: the file
// is put in place) or rolls it back (codes not stored: the partial file is deleted), and says so.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashCode, normalizeCode } from "../../src/access/index.js";
import { createCampaign } from "../../src/campaigns/index.js";
import { issueCommand } from "../../src/cli/commands/codes.js";
import { Secret } from "../../src/config/index.js";
import { openDatabase, type Database } from "../../src/db/index.js";
import { importRespondentsFile } from "../../src/respondents/index.js";

const SECRET = "issue-kill-secret-0123456789abcdef0123456789";
const ROOT = new URL("../..", import.meta.url).pathname;
const COUNT = 500;
const saved = { DATABASE_URL: process.env.DATABASE_URL, CODE_SECRET: process.env.CODE_SECRET };

let db: Database;
let url = "";
let base = "";

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "khaosat-issue-kill-"));
  url = `file:${path.join(base, "k.db")}`;
  db = await openDatabase(url);
  process.env.DATABASE_URL = url;
  process.env.CODE_SECRET = SECRET;
}, 120_000);

afterAll(async () => {
  await db.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** A campaign of COUNT respondents and an empty folder for its files. */
async function freshCampaign(name: string): Promise<{ campaignId: string; dir: string }> {
  const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name, opens: "2026-12-01", closes: "2026-12-31" });
  const dir = mkdtempSync(path.join(base, `${name}-`));
  const csv = path.join(dir, "..", `${name}.csv`);
  const rows = Array.from({ length: COUNT }, (_, i) => `K${i},Người số ${i},U${i % 20},Đơn vị ${i % 20},officials,vi,,,,`);
  writeFileSync(csv, `external_id,full_name,unit,unit_name,group,language,phone,email,subject_units,coordinator\n${rows.join("\n")}\n`);
  await importRespondentsFile(db, campaign.id, csv);
  return { campaignId: campaign.id, dir };
}

/** Runs `codes issue` in a child process and SIGKILLs it at `pause` (a named point) or as soon as `when` holds. */
async function issueAndKill(campaignId: string, out: string, stop: { pause: string } | { when: () => boolean }): Promise<void> {
  const env = { ...process.env, DATABASE_URL: url, CODE_SECRET: SECRET, ...("pause" in stop ? { KHAOSAT_TEST_PAUSE_AT: stop.pause } : {}) };
  const child = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "codes", "issue", "--campaign", campaignId, "--out", out, "--bot", "khaosat_bot"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const ready = "pause" in stop ? () => stderr.includes(`paused at ${stop.pause}`) : stop.when;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && child.exitCode === null && !ready()) await new Promise((r) => setTimeout(r, 2));
  const alive = child.exitCode === null;
  child.kill("SIGKILL");
  expect(await exited, stderr).toBe("SIGKILL");
  expect(alive, `the command ended before the kill: ${stderr}`).toBe(true);
}

async function activeHashes(campaignId: string): Promise<Set<string>> {
  const holding = await db.access.respondentsWithActiveCode(campaignId);
  return new Set([...holding]);
}

/** The codes of a written CSV file, as keyed hashes. */
function fileHashes(file: string): string[] {
  const lines = readFileSync(file, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n").slice(1);
  return lines.map((line) => {
    const code = normalizeCode(line.split(",")[4]!);
    if (!code.ok) throw new Error(`bad code in ${file}: ${line}`);
    return hashCode(code.code, new Secret(SECRET));
  });
}

/** Every active code of the campaign is in the file and every code of the file is stored and active. */
async function expectFileMatchesStore(campaignId: string, file: string): Promise<void> {
  const hashes = fileHashes(file);
  expect(hashes).toHaveLength(COUNT);
  for (const hash of [hashes[0]!, hashes[Math.floor(COUNT / 2)]!, hashes[COUNT - 1]!]) {
    expect(await db.access.findCodeByHash(hash)).toMatchObject({ status: "active" });
  }
  expect((await activeHashes(campaignId)).size).toBe(COUNT);
}

/** Nothing hidden left next to the files: no partial file, no journal. */
function expectNoLeftovers(dir: string): void {
  expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
}

describe("codes issue killed with SIGKILL", () => {
  test.each([
    ["journal", "rolled_back"],
    ["file", "rolled_back"],
    ["stored", "finished"],
    ["linked", "finished"],
  ] as const)("killed at %s: the next run settles it (%s) and says so", async (point, outcome) => {
    const { campaignId, dir } = await freshCampaign(`kill-${point}`);
    const out = path.join(dir, "codes.csv");
    await issueAndKill(campaignId, out, { pause: point });
    const stored = (await activeHashes(campaignId)).size;
    expect(stored).toBe(outcome === "finished" ? COUNT : 0);
    if (point === "file") {
      // The plain codes wait in an owner-only hidden file, announced by the next run.
      const partial = readdirSync(dir).find((n) => n.endsWith(".partial"))!;
      expect(partial).toBeDefined();
      expect(statSync(path.join(dir, partial)).mode & 0o777).toBe(0o600);
    }

    const printed = await issueCommand({ campaign: campaignId, out, bot: "khaosat_bot" }, new Date("2026-12-02T00:00:00Z"));
    if (outcome === "rolled_back") {
      expect(printed).toMatch(new RegExp(`^found an unfinished issue of ${COUNT} codes \\(started [^)]+\\) that was interrupted before the codes were stored: rolled it back`));
      if (point === "file") expect(printed.split("\n")[0]).toMatch(/deleted .*\.partial \(those codes never worked\)$/);
      expect(printed).toContain(`issued ${COUNT} codes for campaign "kill-${point}" (${campaignId})`);
    } else {
      expect(printed).toBe(`found an unfinished issue of ${COUNT} codes (started DATE) whose codes were stored: finished it; ${out} holds them\n`.replace("DATE", printed.match(/started ([^)]+)\)/)![1]!));
      // Started: the wall clock of the campaign's zone, as organisers read it (the journal keeps ISO 8601).
      expect(printed).toMatch(/\(started \d\d\/\d\d\/\d{4} \d\d:\d\d\)/);
    }
    await expectFileMatchesStore(campaignId, out);
    expectNoLeftovers(dir);
  }, 180_000);

  test("killed as soon as the partial file appears (a random point of the write): the next run settles it", async () => {
    const { campaignId, dir } = await freshCampaign("kill-random");
    const out = path.join(dir, "codes.csv");
    await issueAndKill(campaignId, out, { when: () => readdirSync(dir).some((n) => n.endsWith(".partial")) });
    const printed = await issueCommand({ campaign: campaignId, out, bot: "khaosat_bot" }, new Date("2026-12-02T00:00:00Z"));
    expect(printed).toMatch(/^found an unfinished issue of 500 codes/);
    await expectFileMatchesStore(campaignId, out);
    expectNoLeftovers(dir);
    expect(existsSync(out)).toBe(true);
  }, 180_000);
});
