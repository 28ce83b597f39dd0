// The organiser's commands end to end, through the real CLI on a fresh SQLite file.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";

const run = promisify(execFile);
const NO_RESPONSES = { total: 0, telegram: 0, zalo: 0, console: 0, import: 0 };
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-cli-"));
const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, "k.db")}` };
const khaosat = (...args: string[]) => run(process.execPath, ["bin/khaosat.js", ...args], { env });
const fails = (...args: string[]) => khaosat(...args).then(() => expect.unreachable("should fail"), (e: { code: number; stdout: string; stderr: string }) => e);

// Every test spawns the CLI: a generous timeout for a loaded machine (each takes seconds otherwise).
describe("khaosat campaign / respondents / participation", { timeout: 120_000 }, () => {
  let id = "";
  let db: Database | undefined;
  afterAll(async () => db?.close());

  test("campaign create prints the id; campaign list shows it", async () => {
    const created = await khaosat("campaign", "create", "--questionnaire", "examples/par-officials.yaml", "--name", "PAR 2026", "--opens", "2026-12-01T08:00", "--closes", "2026-12-31");
    id = created.stdout.trim();
    expect(id).toMatch(/^c-[a-z2-9]{8}$/);
    expect(created.stderr).toMatch(/^created campaign "PAR 2026": questionnaire par-officials v\d+ \(stored\), open 01\/12\/2026 08:00 until the end of 31\/12\/2026 \(Asia\/Ho_Chi_Minh\)\n$/);
    const list = await khaosat("campaign", "list");
    expect(list.stdout).toMatch(new RegExp(`^id +state +period +questionnaire +name\\n${id}  \\S.*  01/12/2026 08:00 until the end of 31/12/2026  par-officials v\\d+  PAR 2026\\n$`));
  });

  test("respondents import from XLSX, then the same file again", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("mẫu");
    ws.addRow(["external_id", "full_name", "unit", "unit_name", "group", "language"]);
    ws.addRow(["E1", "Nguyễn Văn An", "SO_TP", "Sở Tư pháp", "leaders", "vi"]);
    ws.addRow(["E2", "Trần Thị Bình", "SO_TP", "Sở Tư pháp", "officials", "vi"]);
    const file = path.join(dir, "mau.xlsx");
    await wb.xlsx.writeFile(file);
    expect((await khaosat("respondents", "import", "--campaign", id, file)).stdout).toMatch(
      new RegExp(`^imported 2 respondents into campaign "PAR 2026" \\(${id}, \\d+ units?\\): 2 created, 0 updated, 0 unchanged\\nNext: issue their access codes with khaosat codes issue --campaign ${id} --out codes\\.pdf`),
    );
    expect((await khaosat("respondents", "import", "--campaign", id, file)).stdout).toMatch(/: 0 created, 0 updated, 2 unchanged\n$/);
    db = await openDatabase(env.DATABASE_URL);
    expect((await db.respondents.list(id)).map((r) => [r.externalId, r.fullName, r.unitCode, r.groupId])).toEqual([
      ["E1", "Nguyễn Văn An", "SO_TP", "leaders"],
      ["E2", "Trần Thị Bình", "SO_TP", "officials"],
    ]);
  });

  test("a bad file: every problem with its line, exit 1, nothing stored", async () => {
    const file = path.join(dir, "bad.csv");
    writeFileSync(file, "external_id,full_name,unit,unit_name,group,language\nE3,,SO_TP,Sở Tư pháp,leaders,vi\nE4,Dũng,SO_TP,Sở Tư pháp,boss,vi\n");
    const error = await fails("respondents", "import", "--campaign", id, file);
    expect(error.code).toBe(1);
    expect(error.stderr).toBe(
      `khaosat: 2 rows with problems, nothing imported:\n  ${file}:2: full_name is empty\n  ${file}:3: unknown group "boss" (the questionnaire's groups: leaders, officials, deputies)\n` +
        "fix them and import again, or use --skip-invalid to import the other rows\n",
    );
    expect(await db!.respondents.externalIds(id)).toEqual(new Set(["E1", "E2"]));
  });

  test("campaign show counts by status; participation as JSON and XLSX", async () => {
    const show = await khaosat("campaign", "show", id);
    expect(show.stdout).toContain(
      "respondents    2\n  not redeemed 2\n  redeemed     0\n  declined     0\n  in progress  0\n  submitted    0\n" +
        "responses      0 submitted (every source)\n  telegram     0\n  zalo         0\n  console      0\n  import       0\n",
    );
    const json = JSON.parse((await khaosat("participation", "--campaign", id, "--format", "json")).stdout) as unknown;
    expect(json).toEqual({
      campaignId: id,
      rows: [
        { unit: "SO_TP", unitName: "Sở Tư pháp", group: "leaders", sampled: 1, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, rate: 0, responses: NO_RESPONSES },
        { unit: "SO_TP", unitName: "Sở Tư pháp", group: "officials", sampled: 1, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, rate: 0, responses: NO_RESPONSES },
      ],
      totals: { sampled: 2, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, rate: 0, responses: NO_RESPONSES },
      reminders: { lastReminderAt: null, unreachable: 0 },
    });
    const out = path.join(dir, "participation.xlsx");
    await khaosat("participation", "--campaign", id, "--out", out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    // Headings in Vietnamese with English below, like the score workbook (issue 11 item 13).
    expect(wb.worksheets[0]!.getRow(1).values).toEqual(expect.arrayContaining(["Mã đơn vị", "Tên đơn vị", "Đã gửi phiếu", "Phiếu giấy / nhập từ tệp"]));
    expect(wb.worksheets[0]!.getRow(2).values).toEqual(expect.arrayContaining(["unit", "unit_name", "submitted", "responses_import"]));
    // The group's id, then its label in the organiser's language (KHAOSAT_LANG=en here).
    expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(3, 5)).toEqual(["Nhóm", "Tên nhóm"]);
    expect((wb.worksheets[0]!.getRow(2).values as unknown[]).slice(3, 5)).toEqual(["group", "group_label"]);
    expect(wb.worksheets[0]!.getRow(3).values).toEqual([undefined, "SO_TP", "Sở Tư pháp", "leaders", "Leaders of departments, agencies and commune People's Committees", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(wb.worksheets[0]!.getRow(4).values).toEqual([undefined, "SO_TP", "Sở Tư pháp", "officials", "Civil servants", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("campaign close, and unknown ids", async () => {
    expect((await khaosat("campaign", "close", id)).stdout).toMatch(new RegExp(`^campaign ${id} closed at \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d \\(Asia/Ho_Chi_Minh\\)\\n$`));
    expect((await db!.campaigns.get(id))?.closedAt).toBeInstanceOf(Date);
    // It had not opened yet (opens 2026-12-01): closed now, not "not open yet".
    expect((await khaosat("campaign", "list")).stdout).toMatch(new RegExp(`\\n${id}  closed  `));
    expect((await khaosat("campaign", "show", id)).stdout).toContain("\nstate          closed\n");
    const error = await fails("campaign", "show", "c-nothere");
    expect(error.stderr).toMatch(/^khaosat: no campaign "c-nothere" in SQLite \S+\.db[^;]*; "khaosat campaign list" shows the campaigns\n$/);
  });
});
