// The unit page and "remind exactly these" read one unit only (facts, people and channel counts
// narrowed by the database), and still show what `khaosat participation --format json` says of that
// unit; the unit-narrowed repository reads return that unit's rows and nothing else on a campaign
// of more than 1,000 respondents (no IN list of ids, which SQLite refuses past a few hundred).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import type { RespondentInput } from "../../src/db/index.js";
import { respondentStatus } from "../../src/participation/report.js";
import { addUser } from "../../src/web/accounts.js";
import { createWebServer } from "../../src/web/server.js";
import { describeDatabases } from "../support/db.js";
import { Client } from "./http.js";
import { openBot, PASSWORD, PER_UNIT, seed, UNITS, type Seeded } from "./fixture.js";

const run = promisify(execFile);
const NOW = new Date("2026-12-05T03:00:00Z");
// Opened the bot (code bound, chat known): submitted or not, in two units.
const OPENED = ["SO_TC-1", "SO_TC-7", "SO_TC-9", "SO_TP-10", "SO_YT-8", "UBND_BM-1"];

interface CliRow {
  unit: string;
  group: string;
  sampled: number;
  redeemed: number;
  submitted: number;
  inProgress: number;
  responses: { import: number };
}

/** The figures at the top of a unit page: sampled, submitted, in progress, not opened. */
const stats = (body: string) => [...(/<div class="grid">([\s\S]*?)<\/div>\n<section/.exec(body)?.[1] ?? "").matchAll(/<b>([\d.]+)<\/b>/g)].map((m) => Number(m[1]!.replace(/\./g, ""))); // "1.100": Vietnamese thousands
/** The by-group table's rows: group, sampled, submitted, in progress. */
const groupRows = (body: string) =>
  [...body.matchAll(/<tr><th scope="row">([^<]*)<\/th><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2]), Number(m[3]), Number(m[4])]);
/** Names in the pending table. */
const pendingNames = (body: string) => [...body.matchAll(/<tr><td>(Người [^<]*)<\/td>/g)].map((m) => m[1]!).sort();

describeDatabases("web unit page, one unit read", (ctx) => {
  let app: FastifyInstance;
  let s: Seeded;
  let admin: Client;
  let cli: CliRow[];
  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    await openBot(ctx.prisma(), s.campaignId, OPENED, NOW);
    // One respondent of SO_NV declined: not submitted, counted as pending.
    const declined = await ctx.prisma().respondent.findFirstOrThrow({ where: { campaignId: s.campaignId, externalId: "SO_NV-10" } });
    const campaign = await ctx.prisma().campaign.findUniqueOrThrow({ where: { id: s.campaignId } });
    await ctx.prisma().response.create({
      data: { campaignId: s.campaignId, questionnaireVersionPk: campaign.questionnaireVersionPk, respondentId: declined.id, source: "telegram", subjectUnit: "SO_NV", groupId: "officials", status: "declined", startedAt: NOW },
    });
    app = await createWebServer({ db: ctx.db(), now: () => NOW });
    admin = new Client(app);
    expect((await admin.login(s.users.admin)).statusCode).toBe(302);
    const { stdout } = await run(process.execPath, ["bin/khaosat.js", "participation", "--campaign", s.campaignId, "--format", "json"], { env: { ...process.env, DATABASE_URL: ctx.url() } });
    cli = (JSON.parse(stdout) as { rows: CliRow[] }).rows;
  }, 120_000);
  afterAll(async () => app?.close());

  const c = () => `/campaigns/${s.campaignId}`;

  test("each unit's page shows that unit's figures, groups and pending people as `khaosat participation` counts them", async () => {
    for (const unit of UNITS) {
      const rows = cli.filter((r) => r.unit === unit.code);
      const sum = (k: "sampled" | "redeemed" | "submitted" | "inProgress") => rows.reduce((n, r) => n + r[k], 0);
      const page = await admin.get(`${c()}/units/${unit.code}`);
      expect(page.statusCode, unit.code).toBe(200);
      // The fifth figure, shown when there are any: responses imported from files (paper forms), outside the sample.
      const imported = rows.reduce((n, r) => n + r.responses.import, 0);
      expect(stats(page.body), unit.code).toEqual([sum("sampled"), sum("submitted"), sum("inProgress"), sum("sampled") - sum("redeemed"), ...(imported > 0 ? [imported] : [])]);
      // Groups by their label in the console's language (the questionnaire's `groups`), not their ids.
      const labels: Record<string, string> = { leaders: "Lãnh đạo sở, ban, ngành, UBND cấp xã", officials: "Công chức" };
      expect(groupRows(page.body), unit.code).toEqual(rows.map((r) => [labels[r.group] ?? r.group, r.sampled, r.submitted, r.inProgress]));
      // Pending: the unit's own respondents past the ones the fixture submitted, nobody else's.
      const names = pendingNames(page.body);
      expect(names.length, unit.code).toBe(sum("sampled") - sum("submitted"));
      const expected = Array.from({ length: PER_UNIT - unit.submitted }, (_, i) => `Người ${unit.code} ${unit.submitted + i + 1}`).sort();
      expect(names, unit.code).toEqual(expected);
      expect(page.body, unit.code).toContain(`Chưa nộp (${expected.length})`);
    }
    // The figures that make the units differ are there: SO_TC has two in progress and three who opened the bot; two of its responses came from a file.
    expect(stats((await admin.get(`${c()}/units/SO_TC`)).body)).toEqual([10, 6, 2, 7, 2]);
    expect((await admin.get(`${c()}/units/NOPE`)).statusCode).toBe(404);
  });

  test("the unit reminder preview counts that unit's people who have not submitted, and those it can reach", async () => {
    for (const unit of UNITS) {
      const rows = cli.filter((r) => r.unit === unit.code);
      const waiting = rows.reduce((n, r) => n + r.sampled - r.submitted, 0);
      const reachable = OPENED.filter((e) => e.startsWith(`${unit.code}-`) && Number(e.split("-").pop()) > unit.submitted).length;
      const preview = await admin.post(`${c()}/units/${unit.code}/remind/preview`, {});
      expect(preview.statusCode, unit.code).toBe(200);
      expect(preview.body, unit.code).toContain(`Đơn vị này còn ${waiting} người chưa nộp phiếu.`);
      expect(/id="remind-count"><b>Có thể nhắc ngay (\d+) người/.exec(preview.body)?.[1], unit.code).toBe(String(reachable));
    }
    expect(await ctx.prisma().outboxMessage.count()).toBe(0);
  });
});

// 1,250 respondents in three units, the largest over 1,000 alone.
const SIZES = { BIG: 1_100, MID: 90, SMALL: 60 } as const;

describeDatabases("unit-narrowed reads at more than 1,000 respondents", (ctx) => {
  let campaignId = "";
  const ids = new Map<string, string[]>();
  beforeAll(async () => {
    const db = ctx.db();
    const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "Lớn", opens: "2026-12-01T08:00", closes: "2026-12-10" });
    campaignId = campaign.id;
    const rows: RespondentInput[] = [];
    for (const [unit, size] of Object.entries(SIZES)) {
      for (let i = 1; i <= size; i++) {
        rows.push({ externalId: `${unit}-${String(i).padStart(5, "0")}`, fullName: `Người ${unit} ${i}`, unitCode: unit, unitName: `Đơn vị ${unit}`, groupId: i % 2 ? "leaders" : "officials", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false });
      }
    }
    await db.respondents.importRespondents(campaignId, rows);
    const stored = await ctx.prisma().respondent.findMany({ where: { campaignId }, orderBy: { externalId: "asc" } });
    for (const r of stored) ids.set(r.unitCode, [...(ids.get(r.unitCode) ?? []), r.id]);
    // Every third respondent submitted, every seventh is in progress (a few do both: submitted wins).
    const responses = stored.flatMap((r, i) => [
      ...(i % 3 === 0 ? [{ status: "submitted", source: i % 2 ? "zalo" : "telegram" }] : []),
      ...(i % 7 === 0 ? [{ status: "in_progress", source: "telegram" }] : []),
    ].map((x) => ({ campaignId, questionnaireVersionPk: campaign.questionnaireVersionPk, respondentId: r.id, subjectUnit: r.unitCode, groupId: r.groupId, startedAt: NOW, ...x })));
    for (let i = 0; i < responses.length; i += 200) await ctx.prisma().response.createMany({ data: responses.slice(i, i + 200) });
    await addUser(db, { email: "big-admin@example.org", role: "admin", password: PASSWORD }, "test", NOW);
  }, 180_000);

  test("facts, list and submitted-by-channel of one unit are that unit's rows only, the same as the whole campaign's narrowed", async () => {
    const db = ctx.db();
    const all = await db.participation.facts(campaignId);
    expect(all.length).toBe(1_250);
    const allChannels = await db.participation.submittedByChannel(campaignId);
    for (const unit of Object.keys(SIZES)) {
      const facts = await db.participation.facts(campaignId, { unitCode: unit });
      expect(facts.map((f) => f.respondentId).sort(), unit).toEqual([...ids.get(unit)!].sort());
      expect(facts, unit).toEqual(all.filter((f) => f.unitCode === unit));
      const people = await db.respondents.list(campaignId, { unitCode: unit });
      expect(people.map((p) => p.id).sort(), unit).toEqual([...ids.get(unit)!].sort());
      expect(new Set(people.map((p) => p.unitCode)), unit).toEqual(new Set([unit]));
      const channels = await db.participation.submittedByChannel(campaignId, { unitCode: unit });
      expect(channels.length, unit).toBeGreaterThan(0);
      const key = (r: { unit: string; groupId: string; channel: string }) => `${r.unit}|${r.groupId}|${r.channel}`;
      expect([...channels].sort((a, b) => key(a).localeCompare(key(b))), unit).toEqual(allChannels.filter((r) => r.unit === unit).sort((a, b) => key(a).localeCompare(key(b))));
      // The database's own per-unit counts agree with the facts' statuses.
      const counted = (await db.participation.statusCounts(campaignId, { unitCode: unit })).reduce((n, r) => n + r.status.submitted, 0);
      expect(facts.filter((f) => respondentStatus(f) === "submitted").length, unit).toBe(counted);
    }
    expect((await db.participation.facts(campaignId, { unitCode: "BIG" })).length).toBe(1_100);
    expect(await db.participation.facts(campaignId, { unitCode: "NONE" })).toEqual([]);
    expect(await db.respondents.list(campaignId, { unitCode: "NONE" })).toEqual([]);
    expect(await db.participation.submittedByChannel(campaignId, { unitCode: "NONE" })).toEqual([]);
  });

  describe("through the console", () => {
    test("the pages of the 1,100-respondent unit and of a small one show their own counts", async () => {
      const app = await createWebServer({ db: ctx.db(), now: () => NOW });
      try {
        const admin = new Client(app);
        expect((await admin.login("big-admin@example.org")).statusCode).toBe(302);
        for (const unit of ["BIG", "SMALL"]) {
          const counts = await ctx.db().participation.statusCounts(campaignId, { unitCode: unit });
          const sampled = counts.reduce((n, r) => n + r.sampled, 0);
          const submitted = counts.reduce((n, r) => n + r.status.submitted, 0);
          const inProgress = counts.reduce((n, r) => n + r.status.in_progress, 0);
          expect(sampled).toBe(SIZES[unit as keyof typeof SIZES]);
          const page = await admin.get(`/campaigns/${campaignId}/units/${unit}`);
          expect(page.statusCode).toBe(200);
          expect(stats(page.body).slice(0, 3), unit).toEqual([sampled, submitted, inProgress]);
          const names = pendingNames(page.body);
          expect(names.length, unit).toBe(sampled - submitted);
          expect(names.every((n) => n.startsWith(`Người ${unit} `)), unit).toBe(true);
          const preview = await admin.post(`/campaigns/${campaignId}/units/${unit}/remind/preview`, {});
          expect(preview.body, unit).toContain(`Đơn vị này còn ${sampled - submitted} người chưa nộp phiếu.`);
        }
      } finally {
        await app.close();
      }
    }, 60_000);
  });
});
