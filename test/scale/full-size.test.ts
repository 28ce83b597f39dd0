// A full-size round (issue 10): a generated province (2,300 respondents over 60 units) and a
// national sample (50,000 respondents over 700 units), on SQLite and on PostgreSQL, driven through
// every organiser command that touches respondents, each asserting on its result. Heavy: it runs
// only with SCALE=1 (`.ci/run` sets it; `npm run test:scale` runs it alone); the quick `npm test`
// skips it, saying so. Expected counts come from the seed's fixed pattern (test/support/scale-seed.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, test, vi } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { main } from "../../src/cli/main.js";
import { DigestService } from "../../src/coordinators/index.js";
import { openOutboxStore } from "../../src/db/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { ReminderService } from "../../src/reminders/index.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { AVAILABLE_PROVIDERS, PROVIDER_NAMES, useTestDatabase, type DatabaseContext } from "../support/db.js";
import { expectedScaleCounts, seedChat, seedGroup, seedScaleCampaign, seedStage, seedUnit } from "../support/scale-seed.js";

const SCALE = process.env.SCALE === "1";
const GROUPS = ["leaders", "officials", "deputies"] as const;
const SIZES = [
  { name: "province", respondents: 2_300, units: 60 },
  { name: "national", respondents: 50_000, units: 700 },
] as const;
const ROUND = "test/scale/round.yaml";
/** What each submitted respondent answered: q1 alternates, and a comment that looks like a formula. */
const ANSWERS = (i: number) => ({ q1: JSON.stringify(i % 3 === 0 ? "b" : "a"), q2: JSON.stringify(i % 10 === 0 ? `=HYPERLINK("x${i}")` : `Góp ý số ${i}`) });
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-scale-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const saved = { ...process.env };
/** Runs the khaosat command in this process (spawning costs seconds each), capturing its output. */
async function khaosat(url: string, env: Record<string, string>, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  // PostgreSQL needs the one code secret every instance shares; a test value, never a real one.
  Object.assign(process.env, { DATABASE_URL: url, CODE_SECRET: "scale-test-code-secret-0123456789abcdef", ...env });
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  const t0 = performance.now();
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    // SCALE_TRACE=1: each command's wall time and the worker's peak RSS so far, for finding the slow ones.
    if (process.env.SCALE_TRACE === "1") process.stderr.write(`scale-trace ${argv.slice(0, 2).join(" ")} ${((performance.now() - t0) / 1000).toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
    process.exitCode = undefined;
    for (const key of ["DATABASE_URL", "CODE_SECRET", ...Object.keys(env)]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

async function ok(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<{ stdout: string; stderr: string }> {
  const result = await run;
  if (result.code !== 0) throw new Error(`khaosat failed (${result.code}): ${result.stderr}`);
  return result;
}

function respondentsCsv(n: number, units: number, prefix: string): string {
  const lines = ["external_id,full_name,unit,unit_name,group,language"];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${i},Người số ${i},${seedUnit(i, units)},Đơn vị số ${i % units},${seedGroup(i, GROUPS)},${i % 5 === 0 ? "en" : "vi"}`);
  return `${lines.join("\n")}\n`;
}

function scaleSuite(size: (typeof SIZES)[number], provider: "sqlite" | "postgres"): void {
  describe(`${size.name}: ${size.respondents.toLocaleString("en")} respondents over ${size.units} units (${PROVIDER_NAMES[provider]})`, { timeout: 900_000 }, () => {
    const ctx: DatabaseContext = useTestDatabase(provider);
    const all = expectedScaleCounts({ respondents: size.respondents, units: size.units, groups: GROUPS });
    const reached = all.sampled - all.status.not_redeemed;
    const open = all.status.redeemed + all.status.in_progress;
    let campaignId = "";

    test("respondents import (CSV twice, then XLSX) and codes issue", async () => {
      const { campaign } = await createCampaign(ctx.db().campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "import", opens: "2026-12-01", closes: "2026-12-31" });
      const csv = path.join(dir, `${size.name}-${provider}.csv`);
      writeFileSync(csv, respondentsCsv(size.respondents, size.units, "I"));
      expect((await ok(khaosat(ctx.url(), {}, "respondents", "import", "--campaign", campaign.id, csv))).stdout).toContain(`${size.respondents} created, 0 updated, 0 unchanged`);
      expect((await ok(khaosat(ctx.url(), {}, "respondents", "import", "--campaign", campaign.id, csv))).stdout).toContain(`0 created, 0 updated, ${size.respondents} unchanged`);
      // The streaming writer: a 50,000-row workbook built in memory would weigh on the test's worker.
      const xlsx = path.join(dir, `${size.name}-${provider}.xlsx`);
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsx, useSharedStrings: true });
      const ws = wb.addWorksheet("mẫu");
      for (const line of respondentsCsv(size.respondents, size.units, "X").trim().split("\n")) ws.addRow(line.split(",")).commit();
      await wb.commit();
      expect((await ok(khaosat(ctx.url(), {}, "respondents", "import", "--campaign", campaign.id, xlsx))).stdout).toContain(`${size.respondents} created, 0 updated, 0 unchanged`);
      const codes = path.join(dir, `${size.name}-${provider}-codes.csv`);
      await ok(khaosat(ctx.url(), {}, "codes", "issue", "--campaign", campaign.id, "--out", codes, "--bot", "khaosat_test_bot"));
      const issued = readFileSync(codes, "utf8").trim().split("\n").length - 1;
      expect(issued).toBe(2 * size.respondents);
      expect(await ctx.prisma().accessCode.count({ where: { campaignId: campaign.id, status: "active" } })).toBe(issued);
    });

    test("participation in every format and campaign show", async () => {
      const { campaign } = await createCampaign(ctx.db().campaigns, { questionnaireFile: ROUND, name: "round", opens: "2026-12-01", closes: "2099-12-31" });
      campaignId = campaign.id;
      await ctx.db().campaigns.updateSettings(campaign.id, { reminders: "1d@09:00", coordinatorDigestAt: "08:00" });
      await seedScaleCampaign(ctx.prisma(), { campaignId, questionnaireVersionPk: campaign.questionnaireVersionPk, respondents: size.respondents, units: size.units, groups: GROUPS, coordinatorEvery: 50, answers: ANSWERS });
      const json = JSON.parse((await ok(khaosat(ctx.url(), {}, "participation", "--campaign", campaignId, "--format", "json"))).stdout) as {
        rows: { unit: string; group: string; sampled: number; submitted: number }[];
        totals: { sampled: number; redeemed: number; inProgress: number; submitted: number; responses: Record<string, number> };
      };
      expect(json.totals).toMatchObject({ sampled: all.sampled, redeemed: reached, inProgress: all.status.in_progress, submitted: all.status.submitted });
      expect(json.totals.responses).toEqual({ total: all.status.submitted, ...all.channels });
      expect(json.rows).toHaveLength(size.units * GROUPS.length);
      const cell = expectedScaleCounts({ respondents: size.respondents, units: size.units, groups: GROUPS }, (i) => seedUnit(i, size.units) === "U007" && seedGroup(i, GROUPS) === "deputies");
      expect(json.rows.find((r) => r.unit === "U007" && r.group === "deputies")).toMatchObject({ sampled: cell.sampled, submitted: cell.status.submitted });
      const csv = (await ok(khaosat(ctx.url(), {}, "participation", "--campaign", campaignId, "--format", "csv"))).stdout.trim().split("\n");
      expect(csv).toHaveLength(size.units * GROUPS.length + 2);
      expect(csv.at(-1)).toBe(`TOTAL,,,${all.sampled},${reached},${reached - all.status.declined - all.status.redeemed},${all.status.in_progress},${all.status.submitted},${Math.round((all.status.submitted / all.sampled) * 1000) / 10},${all.status.submitted},${all.channels.telegram},${all.channels.zalo},${all.channels.console},0`);
      const table = (await ok(khaosat(ctx.url(), {}, "participation", "--campaign", campaignId))).stdout;
      expect(table).toMatch(new RegExp(`\\nTOTAL +${all.sampled} +${reached} `));
      const xlsxFile = path.join(dir, `${size.name}-${provider}-participation.xlsx`);
      await ok(khaosat(ctx.url(), {}, "participation", "--campaign", campaignId, "--out", xlsxFile));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(xlsxFile);
      // Two heading rows (Vietnamese, then the machine names), a row per unit and group, then the totals.
      expect(wb.worksheets[0]!.getRow(size.units * GROUPS.length + 3).getCell(5).value).toBe(all.sampled);
      const show = (await ok(khaosat(ctx.url(), {}, "campaign", "show", campaignId))).stdout;
      expect(show).toContain(`respondents    ${all.sampled}\n  not redeemed ${all.status.not_redeemed}\n  redeemed     ${all.status.redeemed}\n  declined     ${all.status.declined}\n  in progress  ${all.status.in_progress}\n  submitted    ${all.status.submitted}\n`);
      expect(show).toContain(`responses      ${all.status.submitted} submitted (every source)\n  telegram     ${all.channels.telegram}\n  zalo         ${all.channels.zalo}\n`);
    });

    test("broadcast: dry run to everyone, a typo, and a real run to one unit through the Telegram stub", async () => {
      const text = path.join(dir, "broadcast.txt");
      writeFileSync(text, "Xin nhắc: đợt khảo sát sắp kết thúc.");
      const dry = await ok(khaosat(ctx.url(), {}, "broadcast", "--campaign", campaignId, "--audience", "all", "--text", text, "--dry-run"));
      expect(dry.stdout).toBe(`dry run: would queue ${reached} recipients, 1 message each (nothing queued)\n`);
      const typo = await khaosat(ctx.url(), {}, "broadcast", "--campaign", campaignId, "--audience", "group:leader", "--text", text, "--dry-run");
      expect([typo.code, typo.stderr]).toEqual([1, expect.stringContaining(`no group "leader" in campaign "${campaignId}" (did you mean "leaders"?); its groups: deputies, leaders, officials`) as unknown as string]);
      const unit = "U007";
      const inUnit = Array.from({ length: size.respondents }, (_, i) => i).filter((i) => seedUnit(i, size.units) === unit && seedStage(i) !== "not_redeemed");
      const queued = await ok(khaosat(ctx.url(), {}, "broadcast", "--campaign", campaignId, "--audience", `unit:${unit}`, "--text", text));
      expect(queued.stdout).toMatch(new RegExp(`^queued broadcast \\S+: ${inUnit.length} recipients, 1 message each`));
      const stub = new BotApiStub();
      const apiRoot = await stub.start();
      try {
        await ok(khaosat(ctx.url(), { TELEGRAM_BOT_TOKEN: "123456789:AAHtestTokenTestTokenTestTokenTestTok", TELEGRAM_API_ROOT: apiRoot }, "outbox", "send", "--rate", "1000", "--per-chat-rate", "30"));
      } finally {
        await stub.stop();
      }
      const sent = stub.callsOf("sendMessage").map((c) => String(c.payload.chat_id));
      expect(sent.sort()).toEqual(inUnit.map(seedChat).sort());
    });

    test("reminders tick and coordinators' digests", async () => {
      const store = await openOutboxStore(ctx.url(), { migrate: false });
      try {
        const campaign = (await ctx.db().campaigns.get(campaignId))!;
        // The 1d@09:00 slot is due the day before the close.
        const now = new Date(campaign.closesAt.getTime() - 3_600_000);
        const outcomes = await new ReminderService(store.messaging, createI18n()).tick(now);
        expect(outcomes).toEqual([expect.objectContaining({ campaignId, result: "queued", run: expect.objectContaining({ recipients: open }) })]);
        const coordinators = Array.from({ length: size.respondents }, (_, i) => i).filter((i) => i % 50 === 0);
        const digests = new DigestService({ campaigns: ctx.db().campaigns, respondents: ctx.db().respondents, participation: ctx.db().participation, messaging: store.messaging, outbox: store.outbox, i18n: createI18n() });
        const outcome = await digests.queue(campaign, now, "2099-12-30");
        // Every coordinator who opened the bot gets one; the others cannot be reached.
        const reachable = coordinators.filter((i) => seedStage(i) !== "not_redeemed").length;
        expect(outcome).toMatchObject({ queued: reachable, unreachable: coordinators.length - reachable });
      } finally {
        await store.close();
      }
    });

    test("responses export (streamed, with channels) imports into another campaign, which counts them; score --campaign", async () => {
      const file = path.join(dir, `${size.name}-${provider}-responses.csv`);
      const exported = await ok(khaosat(ctx.url(), {}, "responses", "export", file, "--campaign", campaignId));
      const lines = readFileSync(file, "utf8").trimEnd().split("\n");
      expect(lines[0]).toMatch(/^\uFEFFresponse_id,subject_unit,group,started_at,submitted_at,channel,/);
      // The seed stores no answers: rows are written only for cells of at least minResponses.
      const written = lines.length - 1;
      expect(exported.stderr).toContain(`wrote ${written} responses to ${file}`);
      expect(lines.filter((l) => l.split(",")[5] === "zalo").length).toBeGreaterThan(0);
      const { campaign: copy } = await createCampaign(ctx.db().campaigns, { questionnaireFile: ROUND, name: "copy", opens: "2026-12-01", closes: "2099-12-31" });
      const imported = await ok(khaosat(ctx.url(), {}, "responses", "import", "--campaign", copy.id, file));
      expect(imported.stdout).toBe(`${written} created, 0 updated, 0 unchanged\nsubmitted responses: 0 → ${written} (import 0 → ${written}); \`khaosat participation\` and \`campaign show\` count them per channel\n`);
      // Round trip: the copy exports the same answers (formula-like comments included), now as imported responses.
      const again = path.join(dir, `${size.name}-${provider}-again.csv`);
      await ok(khaosat(ctx.url(), {}, "responses", "export", again, "--campaign", copy.id));
      const strip = (l: string) => l.split(",").toSpliced(5, 1).join(",");
      const back = readFileSync(again, "utf8").trimEnd().split("\n");
      expect(back.slice(1).map(strip).sort()).toEqual(lines.slice(1).map(strip).sort());
      expect(back.slice(1).every((l) => l.split(",")[5] === "import")).toBe(true);
      const score = JSON.parse((await ok(khaosat(ctx.url(), {}, "score", "--campaign", campaignId, "--format", "json"))).stdout) as { units: { unit: string }[] };
      expect(score.units.length).toBeGreaterThan(0);
    });
  });
}

if (SCALE) {
  // SCALE_SIZES=province, national, or both (the default, and what .ci/run runs).
  const wanted = (process.env.SCALE_SIZES ?? "province,national").split(",");
  for (const size of SIZES) if (wanted.includes(size.name)) for (const provider of AVAILABLE_PROVIDERS) scaleSuite(size, provider);
} else {
  describe.skip("full-size rounds (province 2,300 and national 50,000 respondents): set SCALE=1 to run (`npm run test:scale`; .ci/run does)", () => {
    test("skipped", () => {});
  });
}
