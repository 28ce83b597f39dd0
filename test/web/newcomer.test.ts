// What a newcomer walking the product read, fixed: groups named by the questionnaire's label (the
// broadcast page's audiences, `khaosat participation`'s table, in vi and en), flagged responses
// named by a short reference the console and `khaosat flags` share (and accept|reject take), the
// broadcast form's checkbox on one line with its words, "nothing imported" said once, and help
// texts that speak to an official instead of quoting CLI commands.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { responseReference } from "../../src/flags/index.js";
import { createWebServer } from "../../src/web/server.js";
import { describeDatabases } from "../support/db.js";
import { clientsInBothLanguages, type Client } from "./http.js";
import { openBot, respondentsCsv, seed, type Seeded } from "./fixture.js";

const run = promisify(execFile);
const NOW = new Date("2026-12-05T03:00:00Z");

/** What a page says, without its markup. */
const text = (body: string) => body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");

describeDatabases("what the newcomer read", (ctx) => {
  let app: FastifyInstance;
  let s: Seeded;
  let vi: Client;
  let en: Client;
  let flagged = "";
  const env = (lang?: "en") => {
    const e: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: ctx.url() };
    if (lang) e.KHAOSAT_LANG = lang;
    else delete e.KHAOSAT_LANG;
    return e;
  };
  const khaosat = async (lang: "vi" | "en", ...args: string[]) => (await run(process.execPath, ["bin/khaosat.js", ...args], { env: env(lang === "en" ? "en" : undefined) })).stdout;

  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    // One response of Sở Tư pháp taken in a minute (the others take 20): a speeder, as the bot would have collected it.
    const one = await ctx.prisma().response.findFirstOrThrow({ where: { campaignId: s.campaignId, subjectUnit: "SO_TP", status: "submitted", source: "telegram", groupId: "officials" }, orderBy: { id: "asc" } });
    await ctx.prisma().response.update({ where: { id: one.id }, data: { submittedAt: new Date(one.startedAt!.getTime() + 60_000) } });
    flagged = one.id;
    app = await createWebServer({ db: ctx.db(), now: () => NOW });
    ({ vi, en } = await clientsInBothLanguages(app, s.users.admin));
  }, 120_000);
  afterAll(async () => app?.close());

  const c = () => `/campaigns/${s.campaignId}`;

  test("the broadcast page's 'who' lists groups by their label, in the reader's language; the value stays the id", async () => {
    const groups = (body: string) => /<optgroup label="(?:Một nhóm|One group)">([\s\S]*?)<\/optgroup>/.exec(body)?.[1] ?? "";
    const viPage = (await vi.get(`${c()}/broadcast`)).body;
    expect(groups(viPage)).toBe('<option value="group:leaders">Lãnh đạo sở, ban, ngành, UBND cấp xã</option><option value="group:officials">Công chức</option>');
    const enPage = (await en.get(`${c()}/broadcast`)).body;
    expect(groups(enPage)).toBe(`<option value="group:leaders">Leaders of departments, agencies and commune People&#39;s Committees</option><option value="group:officials">Civil servants</option>`);
  });

  test("a broadcast to a group: the preview, the progress page and the recent list name the group by its label", async () => {
    await openBot(ctx.prisma(), s.campaignId, ["SO_TC-9", "SO_TC-10"], NOW);
    const preview = await vi.post(`${c()}/broadcast/preview`, { audience: "group:officials", text: "Nhắc công chức" });
    expect(preview.statusCode).toBe(200);
    expect(text(/<p id="audience-count">[\s\S]*?<\/p>/.exec(preview.body)![0])).toMatch(/· Một nhóm: Công chức ·/);
    const upload = /name="upload" value="([^"]+)"/.exec(preview.body)![1]!;
    const sent = await vi.post(`${c()}/broadcast/send`, { upload });
    expect(sent.statusCode).toBe(303);
    const progress = text((await en.get(sent.headers.location as string)).body);
    expect(progress).toContain("One group: Civil servants");
    expect(progress).not.toContain("group:officials");
    expect(text((await vi.get(`${c()}/broadcast`)).body)).toContain("Một nhóm: Công chức");
  });

  test("khaosat participation's table names groups by their label, in Vietnamese and English; CSV keeps the ids", async () => {
    const viTable = await khaosat("vi", "participation", "--campaign", s.campaignId);
    const enTable = await khaosat("en", "participation", "--campaign", s.campaignId);
    const groupsOf = (table: string) => new Set(table.split("\n").filter((l) => /^(SO|UBND)_/.test(l)).map((l) => (/(Lãnh đạo sở, ban, ngành, UBND cấp xã|Công chức|Leaders of departments, agencies and commune People's Committees|Civil servants|leaders|officials)/.exec(l) ?? [""])[0]));
    expect(groupsOf(viTable)).toEqual(new Set(["Lãnh đạo sở, ban, ngành, UBND cấp xã", "Công chức"]));
    expect(groupsOf(enTable)).toEqual(new Set(["Leaders of departments, agencies and commune People's Committees", "Civil servants"]));
    expect(viTable).not.toMatch(/ (leaders|officials) /);
    expect(viTable).toMatch(/^SO_TP +Sở Tư pháp +Công chức +\d/m);
    const csv = await khaosat("vi", "participation", "--campaign", s.campaignId, "--format", "csv");
    expect(csv).toMatch(/^SO_TP,Sở Tư pháp,officials,/m);
  });

  test("the flags page names a response by the reference khaosat flags prints, with its unit's name; accept takes that reference", async () => {
    const ref = responseReference(flagged);
    const page = (await vi.get(`${c()}/flags`)).body;
    expect(page).toContain(`<b class="response-ref">${ref}</b>`);
    const shown = text(page);
    expect(shown).not.toContain(flagged); // the internal id is not what the official reads
    expect(shown).toMatch(new RegExp(`${ref} response_id trong tệp: R-SO_TP-\\d+ Sở Tư pháp \\(SO_TP\\) Công chức trả lời quá nhanh`));
    expect(shown).toContain(`khaosat flags accept SỐ --campaign ${s.campaignId}`);
    expect(text((await en.get(`${c()}/flags`)).body)).toContain(`khaosat flags accept REF --campaign ${s.campaignId}`);
    // The same reference in the CLI's list, and accept|reject --campaign take it.
    const list = await khaosat("en", "flags", "--campaign", s.campaignId);
    expect(list.split("\n").find((l) => l.includes(flagged))).toMatch(new RegExp(`^${ref} +${flagged.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +SO_TP `));
    expect(await khaosat("en", "flags", "reject", ref, "--campaign", s.campaignId, "--reason", "một phút cho cả phiếu")).toContain(`rejected response ${ref} (speeder)`);
    expect((await ctx.prisma().response.findUniqueOrThrow({ where: { id: flagged } })).flagDecision).toBe("rejected");
    expect(text((await vi.get(`${c()}/flags`)).body)).toContain("loại: một phút cho cả phiếu");
  });

  test("the broadcast form: the split checkbox sits in its label, on one line; help speaks to an official", async () => {
    const page = (await vi.get(`${c()}/broadcast`)).body;
    expect(page).toMatch(/<label class="check" for="broadcast-split"><input type="checkbox" id="broadcast-split" name="split" value="1"> <span>Gửi văn bản dài thành nhiều tin<\/span><\/label>/);
    const css = (await vi.get("/static/app.css")).body;
    expect(css).toContain("form.stack label.check { display: flex;");
    expect(page).not.toContain("Như lệnh khaosat");
    expect(text(page)).toContain("Văn bản thường, hoặc văn bản có định dạng của Telegram");
    expect((await en.get(`${c()}/broadcast`)).body).not.toContain("As khaosat broadcast");
    const act = text((await vi.get(`${c()}/act`)).body);
    expect(act).not.toMatch(/như lệnh khaosat/i);
    expect(text((await vi.get(`${c()}/reminders`)).body)).not.toMatch(/như lệnh khaosat/i);
  });

  test("a bad respondents file: 'nothing was imported' said once, above the list", async () => {
    const bad = respondentsCsv(["NEW-2,,SO_TP,Sở Tư pháp,nobody,vi"]);
    const vis = text((await vi.upload(`${c()}/respondents/check`, {}, { field: "file", name: "bad.csv", content: bad })).body);
    expect(vis.match(/(Chưa|Không) có gì được nhập/g)).toEqual(["Chưa có gì được nhập"]);
    const ens = text((await en.upload(`${c()}/respondents/check`, {}, { field: "file", name: "bad.csv", content: bad })).body);
    expect(ens.match(/Nothing was imported/g)).toHaveLength(1);
  });
});
