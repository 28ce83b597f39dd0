import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { decideFlagCommand, listFlagsCommand } from "../../src/cli/commands/flags.js";
import { CliError } from "../../src/cli/errors.js";
import { resetCliLanguage } from "../../src/cli/i18n.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { flagsRepository } from "../../src/db/flags-repository.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { flagListRows, flagSubmittedResponse, formatDuration, MemoryFlagsRepository, scoringDecision } from "../../src/flags/index.js";
import { parseQuestionnaire, type Questionnaire } from "../../src/questionnaire/index.js";

const SOURCE = readFileSync("examples/sipas-citizens.yaml", "utf8");
const parsed = parseQuestionnaire(SOURCE, "sipas-citizens.yaml");
if (!parsed.ok) throw new Error("example does not load");
const questionnaire: Questionnaire = parsed.questionnaire;
const SCALES = questionnaire.questions.filter((q) => q.question.type === "scale").map((q) => q.question.id);
const T0 = new Date("2026-03-10T02:00:00Z").getTime();

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-flags-"));
const url = `file:${path.join(dir, "khaosat.db")}`;
const saved = process.env.DATABASE_URL;
let prisma: Prisma;
let close: () => Promise<void>;

// Ten ordinary responses of 10 minutes with varied answers, then a 1-minute straight-liner.
async function seed(): Promise<void> {
  const version = await prisma.questionnaireVersion.create({ data: { questionnaireId: "sipas-citizens", version: 1, fileName: "sipas-citizens.yaml", source: SOURCE, sourceHash: "h" } });
  await prisma.campaign.create({ data: { id: "sipas", name: "SIPAS", questionnaireVersionPk: version.pk, opensAt: new Date(T0 - 86_400_000), closesAt: new Date(T0 + 86_400_000 * 30) } });
  const add = async (id: string, seconds: number, values: (i: number) => number, unit = "UB_BD") => {
    await prisma.response.create({
      data: {
        id,
        campaignId: "sipas",
        questionnaireVersionPk: version.pk,
        subjectUnit: unit,
        groupId: "citizens",
        status: "submitted",
        startedAt: new Date(T0),
        submittedAt: new Date(T0 + seconds * 1000),
        answers: { create: SCALES.map((q, i) => ({ questionId: q, value: JSON.stringify(values(i)), answeredAt: new Date(T0) })) },
      },
    });
  };
  for (let n = 0; n < 10; n++) await add(`r${String(n).padStart(2, "0")}`, 600 + n, (i) => 1 + ((i + n) % 5));
  await add("rz", 61, () => 5, "UB_HK");
  await prisma.response.create({ data: { id: "open", campaignId: "sipas", questionnaireVersionPk: version.pk, subjectUnit: "UB_BD", groupId: "citizens", status: "in_progress" } });
}

beforeAll(async () => {
  process.env.DATABASE_URL = url;
  await migrateDatabase(url);
  ({ prisma, close } = createPrismaClient(parseDatabaseUrl(url)));
  await seed();
}, 120_000);

afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
});

describe("flags on submit", () => {
  test("the submitted response gets the scoring module's flags, stored on its row", async () => {
    expect(await flagSubmittedResponse(flagsRepository(prisma), questionnaire, "sipas", "rz")).toEqual(["speeder", "straightliner"]);
    expect(await flagSubmittedResponse(flagsRepository(prisma), questionnaire, "sipas", "r03")).toEqual([]);
    expect((await prisma.response.findUniqueOrThrow({ where: { id: "rz" } })).flags).toBe('["speeder","straightliner"]');
  });

  test("delegation: one account answering for two named respondents", async () => {
    const repo = new MemoryFlagsRepository();
    const base = { unit: "U", group: "g", startedAt: null, submittedAt: null, flags: [], decision: null, reason: null, campaignId: "c", status: "submitted" } as const;
    repo.rows.push({ ...base, id: "a", respondentId: "p1", account: "k1" }, { ...base, id: "b", respondentId: "p2", account: "k1" }, { ...base, id: "c1", respondentId: "p3", account: "k2" });
    expect(await flagSubmittedResponse(repo, questionnaire, "c", "b")).toEqual(["delegation"]);
    expect(await flagSubmittedResponse(repo, questionnaire, "c", "c1")).toEqual([]);
  });
});

describe("khaosat flags", () => {
  test("lists flagged responses anonymously: response id, unit, group, flag, duration, the file's response_id and the evidence", async () => {
    const speeder = "finished in 1m 01s, under a third of the median 10m 04s";
    const straight = "the same answer position on all 23 single and scale questions; the same answer on 22 of 22 judgement questions (limit 70%); 22 judgement questions in a row with the same answer (limit 12); about 1 in 29000 of the unit's genuine respondents (generous and strict ones included) would answer so uniformly (limit 1 in 200)";
    expect(await listFlagsCommand({ campaign: "sipas", format: "table" })).toBe(
      [
        "ref     response_id  unit   group     flag           duration  decision  reason  file_response_id  evidence",
        `B6ZC3F  rz           UB_HK  citizens  speeder        1m 01s    -                 -                 ${speeder}`,
        `B6ZC3F  rz           UB_HK  citizens  straightliner  1m 01s    -                 -                 ${straight}`,
        "",
      ].join("\n"),
    );
    expect(await listFlagsCommand({ campaign: "sipas", format: "csv" })).toBe(
      `response_id,unit,group,flag,duration_seconds,decision,reason,file_response_id,evidence,reference\nrz,UB_HK,citizens,speeder,61,,,,"${speeder}",B6ZC3F\nrz,UB_HK,citizens,straightliner,61,,,,${straight},B6ZC3F\n`,
    );
    expect(JSON.parse(await listFlagsCommand({ campaign: "sipas", format: "json" }))).toEqual([
      { responseId: "rz", reference: "B6ZC3F", unit: "UB_HK", group: "citizens", flag: "speeder", durationSeconds: 61, decision: null, reason: null, fileResponseId: null, evidence: speeder },
      { responseId: "rz", reference: "B6ZC3F", unit: "UB_HK", group: "citizens", flag: "straightliner", durationSeconds: 61, decision: null, reason: null, fileResponseId: null, evidence: straight },
    ]);
  });

  test("the table speaks KHAOSAT_LANG (Vietnamese when unset): titles, flag names, durations and the evidence's keyed parts; CSV and JSON stay as they are", async () => {
    const csv = await listFlagsCommand({ campaign: "sipas", format: "csv" });
    const json = await listFlagsCommand({ campaign: "sipas", format: "json" });
    delete process.env.KHAOSAT_LANG;
    resetCliLanguage();
    try {
      expect(await listFlagsCommand({ campaign: "sipas", format: "table" })).toBe(
        [
          "mã tham chiếu  mã phiếu  đơn vị  nhóm      dấu hiệu           thời gian      quyết định  lý do  mã trong tệp  căn cứ",
          "B6ZC3F         rz        UB_HK   citizens  trả lời quá nhanh  1 phút 1 giây  -                  -             hoàn thành trong 1 phút 1 giây, dưới một phần ba trung vị 10 phút 4 giây",
          "B6ZC3F         rz        UB_HK   citizens  trả lời một kiểu   1 phút 1 giây  -                  -             " +
            "cùng một vị trí đáp án ở cả 23 câu một lựa chọn và câu thang đo; cùng một đáp án ở 22/22 câu đánh giá (giới hạn 70%); 22 câu đánh giá liền nhau có cùng một đáp án (giới hạn 12); " +
            "khoảng 1 trên 29.000 người trả lời thực sự của đơn vị (kể cả người dễ tính và người khắt khe) trả lời đồng đều như vậy (giới hạn 1 trên 200)",
          "",
        ].join("\n"),
      );
      expect(await listFlagsCommand({ campaign: "sipas", format: "csv" })).toBe(csv);
      expect(await listFlagsCommand({ campaign: "sipas", format: "json" })).toBe(json);
    } finally {
      process.env.KHAOSAT_LANG = "en";
      resetCliLanguage();
    }
  });

  test("accept and reject record the decision and an audit event; scoring gets it as decision", async () => {
    const now = new Date(T0 + 3_600_000);
    expect(await decideFlagCommand({ responseId: "rz", decision: "rejected", reason: "61 giây cho 23 câu" }, now)).toBe("rejected response rz (speeder, straightliner): it no longer counts in scoring\n");
    expect(await decideFlagCommand({ responseId: "rz", decision: "accepted", reason: "checked with the desk" }, now)).toBe(
      "accepted response rz (speeder, straightliner), was rejected: it counts in scoring\n",
    );
    const row = await prisma.response.findUniqueOrThrow({ where: { id: "rz" } });
    expect([row.flagDecision, row.flagReason, scoringDecision(row.flagDecision)]).toEqual(["accepted", "checked with the desk", "accept"]);
    const audit = await prisma.auditEvent.findMany({ where: { kind: "flags.decision" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => ({ actor: a.actor, campaignId: a.campaignId, data: JSON.parse(a.data) }))).toEqual([
      { actor: "cli", campaignId: "sipas", data: { responseId: "rz", decision: "rejected", reason: "61 giây cho 23 câu", previous: null, flags: ["speeder", "straightliner"] } },
      { actor: "cli", campaignId: "sipas", data: { responseId: "rz", decision: "accepted", reason: "checked with the desk", previous: "rejected", flags: ["speeder", "straightliner"] } },
    ]);
    expect((await listFlagsCommand({ campaign: "sipas", format: "csv" })).split("\n")[1]).toBe('rz,UB_HK,citizens,speeder,61,accepted,checked with the desk,,"finished in 1m 01s, under a third of the median 10m 04s",B6ZC3F');
    expect((await listFlagsCommand({ campaign: "sipas", format: "table" })).split("\n")[1]).toMatch(/^B6ZC3F +rz +UB_HK +citizens +speeder +1m 01s +accepted +checked with the desk +- +finished in 1m 01s/);
    delete process.env.KHAOSAT_LANG;
    resetCliLanguage();
    try {
      expect((await listFlagsCommand({ campaign: "sipas", format: "table" })).split("\n")[0]).toMatch(/^mã tham chiếu +/);
      expect((await listFlagsCommand({ campaign: "sipas", format: "table" })).split("\n")[1]).toMatch(/^B6ZC3F +rz +UB_HK +citizens +trả lời quá nhanh +1 phút 1 giây +chấp nhận +checked with the desk +- +hoàn thành/);
    } finally {
      process.env.KHAOSAT_LANG = "en";
      resetCliLanguage();
    }
    // The confirmation in the organiser's language: Vietnamese when KHAOSAT_LANG is unset (the flags' names as the table says them).
    delete process.env.KHAOSAT_LANG;
    resetCliLanguage();
    try {
      expect(await decideFlagCommand({ responseId: "rz", decision: "rejected", reason: "xem lại" }, now)).toBe(
        "đã loại phiếu rz (trả lời quá nhanh, trả lời một kiểu), trước đó là chấp nhận: phiếu không còn được tính điểm\n",
      );
      expect(await decideFlagCommand({ responseId: "rz", decision: "accepted", reason: "checked with the desk" }, now)).toBe(
        "đã chấp nhận phiếu rz (trả lời quá nhanh, trả lời một kiểu), trước đó là loại: phiếu được tính điểm\n",
      );
    } finally {
      process.env.KHAOSAT_LANG = "en";
      resetCliLanguage();
    }
  });

  test("accept and reject take the reference the list and the console show, with the campaign (any case, with or without #)", async () => {
    const now = new Date(T0 + 7_200_000);
    expect(await decideFlagCommand({ responseId: "B6ZC3F", campaignId: "sipas", decision: "rejected", reason: "xem lại" }, now)).toBe("rejected response B6ZC3F (speeder, straightliner), was accepted: it no longer counts in scoring\n");
    expect((await prisma.response.findUniqueOrThrow({ where: { id: "rz" } })).flagDecision).toBe("rejected");
    expect(await decideFlagCommand({ responseId: "#b6zc3f", campaignId: "sipas", decision: "accepted", reason: "đã gọi điện" }, now)).toBe("accepted response #b6zc3f (speeder, straightliner), was rejected: it counts in scoring\n");
    expect((await prisma.response.findUniqueOrThrow({ where: { id: "rz" } })).flagDecision).toBe("accepted");
    const audit = await prisma.auditEvent.findMany({ where: { kind: "flags.decision" }, orderBy: { id: "desc" }, take: 1 });
    expect(JSON.parse(audit[0]!.data)).toMatchObject({ responseId: "rz", decision: "accepted" });
    // Without the campaign a reference names nothing; an unflagged response's reference is no flagged response.
    await expect(decideFlagCommand({ responseId: "B6ZC3F", decision: "rejected", reason: "x" }, now)).rejects.toThrow(new CliError('no response "B6ZC3F"; "khaosat flags --campaign ID" lists the flagged responses'));
    await expect(decideFlagCommand({ responseId: "95Z8US", campaignId: "sipas", decision: "rejected", reason: "x" }, now)).rejects.toThrow(new CliError('no response "95Z8US" in campaign "sipas"; "khaosat flags --campaign ID" lists the flagged responses'));
  });

  test.each([
    [{ responseId: "nope", reason: "x" }, 'no response "nope"; "khaosat flags --campaign ID" lists the flagged responses'],
    [{ responseId: "r01", reason: "x" }, 'response "r01" carries no flag; only flagged responses need a decision'],
    [{ responseId: "open", reason: "x" }, 'response "open" is not submitted (in progress); only submitted responses are scored'],
    [{ responseId: "rz", reason: "  " }, "--reason must say why (it is kept in the audit log)"],
  ])("refuses %j", async (options, message) => {
    await expect(decideFlagCommand({ ...options, decision: "rejected" }, new Date(T0))).rejects.toThrow(new CliError(message));
  });

  test("refusals in the organiser's language: Vietnamese when KHAOSAT_LANG is unset", async () => {
    delete process.env.KHAOSAT_LANG;
    resetCliLanguage();
    try {
      await expect(decideFlagCommand({ responseId: "nope", campaignId: "sipas", decision: "rejected", reason: "x" }, new Date(T0))).rejects.toThrow(
        new CliError('không có phiếu "nope" trong đợt khảo sát "sipas"; "khaosat flags --campaign ID" liệt kê các phiếu có dấu hiệu'),
      );
      await expect(decideFlagCommand({ responseId: "r01", decision: "rejected", reason: "x" }, new Date(T0))).rejects.toThrow(
        new CliError('phiếu "r01" không có dấu hiệu nào; chỉ phiếu có dấu hiệu mới cần quyết định'),
      );
      await expect(decideFlagCommand({ responseId: "rz", decision: "rejected", reason: "  " }, new Date(T0))).rejects.toThrow(
        new CliError("--reason cần nêu lý do (lý do được lưu trong nhật ký kiểm tra)"),
      );
    } finally {
      process.env.KHAOSAT_LANG = "en";
      resetCliLanguage();
    }
  });

  test("bad campaign and format", async () => {
    await expect(listFlagsCommand({ campaign: "nope", format: "table" })).rejects.toThrow(/^no campaign "nope" in SQLite \S+\.db[^;]*; "khaosat campaign list" shows the campaigns$/);
    await expect(listFlagsCommand({ campaign: "sipas", format: "xml" })).rejects.toThrow(new CliError('--format: "xml" is not one of table, csv, json'));
  });

  test("the command line as docs/flags.md writes it: an imported response named by the file's response_id with --campaign", async () => {
    await prisma.response.update({ where: { id: "rz" }, data: { source: "import", externalId: "P-27" } });
    let out = "";
    const write = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
    try {
      expect(await main(["flags", "reject", "P-27", "--campaign", "sipas", "--reason", "bấm cho xong"])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(out).toBe("rejected response P-27 (speeder, straightliner), was accepted: it no longer counts in scoring\n");
    expect((await prisma.response.findUniqueOrThrow({ where: { id: "rz" } })).flagDecision).toBe("rejected");
  });
});

describe("helpers", () => {
  test.each([
    [null, "-"],
    [45, "45s"],
    [61, "1m 01s"],
    [600, "10m 00s"],
  ])("duration %s", (seconds, text) => expect(formatDuration(seconds)).toBe(text));

  test.each([
    ["accepted", "accept"],
    ["rejected", "reject"],
    [null, undefined],
    ["maybe", undefined],
  ])("decision %s", (stored, decision) => expect(scoringDecision(stored)).toBe(decision));

  test("rows sort by unit, response, flag", () => {
    const s = (id: string, unit: string, flags: ("speeder" | "delegation")[]) => ({ id, unit, group: "g", startedAt: null, submittedAt: null, respondentId: null, account: null, flags, decision: null, reason: null });
    expect(flagListRows([s("b", "U2", ["speeder"]), s("a", "U2", ["speeder", "delegation"]), s("c", "U1", [])]).map((r) => `${r.unit}/${r.responseId}/${r.flag}`)).toEqual([
      "U2/a/delegation",
      "U2/a/speeder",
      "U2/b/speeder",
    ]);
  });
});
