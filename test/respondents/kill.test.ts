// Killing the process in the middle of an import leaves nothing half-imported: the rows become visible
// in one transaction (on SQLite, the promotion of the staged rows), so after SIGKILL the campaign has
// either none or all of the file's respondents.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { openDatabase } from "../../src/db/index.js";

test("SIGKILL during respondents import: nothing half-imported, and a re-run imports everything", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-kill-"));
  const dbFile = path.join(dir, "k.db");
  const url = `file:${dbFile}`;
  const db = await openDatabase(url);
  try {
    const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "kill", opens: "2026-12-01", closes: "2026-12-31" });
    const csv = path.join(dir, "big.csv");
    const rows = Array.from({ length: 8_000 }, (_, i) => `K${i},Người số ${i},U${i % 50},Đơn vị ${i % 50},officials,vi,,,,`);
    writeFileSync(csv, `external_id,full_name,unit,unit_name,group,language,phone,email,subject_units,coordinator\n${rows.join("\n")}\n`);

    const child = spawn(process.execPath, ["bin/khaosat.js", "respondents", "import", "--campaign", campaign.id, csv], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // The transaction's pages reach the write-ahead log before it commits: kill as soon as they do.
    const wal = `${dbFile}-wal`;
    const baseline = existsSync(wal) ? statSync(wal).size : 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null && (!existsSync(wal) || statSync(wal).size <= baseline + 64 * 1024)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const killedMidway = child.exitCode === null;
    child.kill("SIGKILL");
    const signal = await exited;
    expect(killedMidway).toBe(true);
    expect(signal).toBe("SIGKILL");

    // Usually 0; 8,000 when the commit won the race against the kill; never anything in between.
    const count = await db.respondents.externalIds(campaign.id);
    expect([0, 8_000]).toContain(count.size);
    const report = await import("../../src/respondents/index.js").then((m) => m.importRespondentsFile(db, campaign.id, csv));
    expect(report.counts.created + report.counts.unchanged).toBe(8_000);
    expect((await db.respondents.externalIds(campaign.id)).size).toBe(8_000);
  } finally {
    await db.close();
  }
}, 120_000); // spawns the CLI: generous under a loaded machine, fast otherwise
