// The outbox engineer's CLI additions end to end on a fresh SQLite file: campaign create --reminders,
// campaign reminders ID [SCHEDULE], outbox resend-in-doubt, and the reminder figures of the
// participation report.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { formatResendInDoubt, formatSenderStats } from "../../src/cli/commands/outbox.js";
import { resetCliLanguage } from "../../src/cli/i18n.js";
import { openDatabase } from "../../src/db/index.js";
import { seedCampaign } from "../reminders/seed.js";
import { testDb, type TestDb } from "./support.js";

const run = promisify(execFile);
let t: TestDb;
let env: NodeJS.ProcessEnv;
const khaosat = (...args: string[]) => run(process.execPath, ["bin/khaosat.js", ...args], { env });
const fails = (...args: string[]) => khaosat(...args).then(() => expect.unreachable("should fail"), (e: { code: number; stdout: string; stderr: string }) => e);

beforeAll(async () => {
  t = await testDb();
  env = { ...process.env, DATABASE_URL: t.url };
});
afterAll(async () => t.dispose());

async function settings(id: string): Promise<unknown> {
  const db = await openDatabase(t.url);
  try {
    return (await db.campaigns.get(id))?.settings;
  } finally {
    await db.close();
  }
}

describe("reminder schedules from the CLI", () => {
  test("campaign create --reminders stores the canonical schedule in the campaign's settings", async () => {
    const created = await khaosat("campaign", "create", "--questionnaire", "examples/par-officials.yaml", "--name", "PAR", "--opens", "2026-12-01T08:00", "--closes", "2026-12-31", "--reminders", " 7d, 3d,1D@09:30");
    const id = created.stdout.trim();
    expect(created.stderr).toMatch(/, reminders 7d,3d,1d@09:30\n$/);
    expect(await settings(id)).toEqual({ reminders: "7d,3d,1d@09:30" });

    expect((await khaosat("campaign", "reminders", id, "2d,12h")).stdout).toBe(`campaign ${id}: reminders 2d,12h@09:00\n`);
    expect(await settings(id)).toEqual({ reminders: "2d,12h@09:00" });
    // The schedule as the console says it, then each reminder's time for this close (its state depends on today).
    expect((await khaosat("campaign", "reminders", id)).stdout).toMatch(
      new RegExp(
        `^campaign "PAR" \\(${id}\\): reminders 2 days before the close, at 09:00; 12 hours before the close \\(2d,12h@09:00, time zone Asia/Ho_Chi_Minh\\)\n` +
          "  scheduled reminders:\n {4}30/12/2026 09:00  2 days before the close, at 09:00  \\S.*\n {4}31/12/2026 12:00  12 hours before the close {10}\\S.*\n  no reminder sent yet\n$",
      ),
    );
    // The older spelling stays.
    expect((await khaosat("reminders", "set", id, "off")).stdout).toBe(`campaign ${id}: reminders off\n`);
    expect(await settings(id)).toEqual({});
  }, 120_000);

  test("a bad schedule is refused before anything is stored", async () => {
    const before = (await khaosat("campaign", "list")).stdout;
    const error = await fails("campaign", "create", "--questionnaire", "examples/par-officials.yaml", "--name", "X", "--opens", "2026-12-01", "--closes", "2026-12-31", "--reminders", "7d,3x");
    expect(error.code).toBe(1);
    expect(error.stderr).toBe('khaosat: "3x" is not an offset; write a number of days (7d) or hours (12h) before the close, e.g. "7d,3d,1d@09:00" (7, 3 and 1 days before the close at 09:00) or "2d,12h"\n');
    expect((await khaosat("campaign", "list")).stdout).toBe(before);
    expect((await fails("campaign", "reminders", "c-nothere", "1d")).stderr).toMatch(/^khaosat: no campaign "c-nothere" in (SQLite|PostgreSQL) .*; "khaosat campaign list" shows the campaigns\n$/);
    expect((await fails("campaign", "reminders", "c-nothere", "1d@25:00")).stderr).toBe('khaosat: "25:00" is not a time of day; hours go from 00 to 23 and minutes from 00 to 59\n');
  }, 120_000);
});

describe("outbox resend-in-doubt and the participation report's reminder figures", () => {
  const OPENS = new Date("2026-12-01T01:00:00Z");
  const CLOSES = new Date("2026-12-31T10:00:00Z");

  beforeAll(async () => {
    await seedCampaign(t.url, { id: "cr", opensAt: OPENS, closesAt: CLOSES }, [
      { externalId: "A", stage: "in_progress", chatId: "501" },
      { externalId: "B", stage: "redeemed", chatId: "502" },
      { externalId: "C", stage: "submitted", chatId: "503" },
      { externalId: "D", stage: "not_redeemed" },
    ]);
    const msg = (n: number, extra: object = {}) => ({ kind: "broadcast" as const, campaignId: "cr", chatId: String(500 + n), dedupeKey: `k${n}`, text: `m${n}`, notBefore: new Date(0), ...extra });
    await t.store.outbox.enqueue([msg(1), msg(2), msg(3), { ...msg(4), campaignId: "other" }]);
    // Every row is claimed and marked sending, then its sender "dies": all four end in doubt.
    const claimed = await t.store.outbox.claim("dead", new Date(0), 10);
    expect([...(await t.store.outbox.markSendingMany(claimed, new Date(0)))].sort()).toEqual(claimed.map((c) => c.id).sort());
    expect(await t.store.outbox.recover(new Date(1000), new Date(0), new Date(500))).toEqual({ requeued: 0, inDoubt: 4 });
    // Chat 502 turns out to be blocked: its row stays in doubt (not resent) and B counts as unreachable.
    await t.store.outbox.enqueue([{ ...msg(2), dedupeKey: "k2b" }]);
    const [again] = await t.store.outbox.claim("live", new Date(0), 1);
    await t.store.outbox.markSendingMany([again!], new Date(0));
    await t.store.outbox.markUnreachable(again!.id, "502", "Forbidden: bot was blocked by the user", new Date(2000));
    await t.store.messaging.recordReminderRun({ campaignId: "cr", slotAt: new Date("2026-12-24T02:00:00Z"), label: "7d@09:00", trigger: "scheduled", ranAt: new Date("2026-12-24T02:00:05Z") }, () => []);
  });

  test("a dry run counts, --confirm queues; unreachable chats and other campaigns are left alone", async () => {
    expect((await khaosat("outbox", "resend-in-doubt", "--campaign", "cr")).stdout).toBe(formatResendInDoubt(2, false, "cr"));
    expect(formatResendInDoubt(2, false, "cr")).toBe(
      "dry run: 2 in-doubt messages of campaign cr would be queued again; each may already have reached its recipient, who would then get it twice; add --confirm to queue them\n",
    );
    expect((await t.store.outbox.counts({ campaignId: "cr" })).broadcast).toEqual({ in_doubt: 3, unreachable: 1 });
    expect((await khaosat("outbox", "resend-in-doubt", "--campaign", "cr", "--confirm")).stdout).toBe("queued 2 in-doubt messages of campaign cr again; `khaosat outbox send` (or the bot) sends them\n");
    expect((await t.store.outbox.counts({ campaignId: "cr" })).broadcast).toEqual({ queued: 2, in_doubt: 1, unreachable: 1 });
    expect((await t.store.outbox.counts({ campaignId: "other" })).broadcast).toEqual({ in_doubt: 1 });
    expect((await khaosat("outbox", "resend-in-doubt", "--campaign", "cr")).stdout).toBe("no in-doubt messages of campaign cr to resend (rows of cancelled broadcasts and unreachable chats are left alone)\n");
    expect((await khaosat("outbox", "resend-in-doubt")).stdout).toBe(formatResendInDoubt(1, false));
  }, 120_000);

  test("outbox status prints its table in KHAOSAT_LANG: Vietnamese when unset, English with en", async () => {
    const vietnamese = { ...env };
    delete vietnamese.KHAOSAT_LANG;
    const status = async (language: NodeJS.ProcessEnv, ...args: string[]) => (await run(process.execPath, ["bin/khaosat.js", "outbox", "status", ...args], { env: language })).stdout;
    expect(await status(env, "--campaign", "cr")).toBe(["kind       queued  unreachable  in_doubt  total", "broadcast       2            1         1      4", "unreachable chats: 1", ""].join("\n"));
    expect(await status(vietnamese, "--campaign", "cr")).toBe(
      ["loại       chờ gửi  không liên lạc được  chưa rõ  tổng", "thông báo        2                    1        1     4", "cuộc trò chuyện không liên lạc được: 1", ""].join("\n"),
    );
    expect(await status(env, "--campaign", "none")).toBe("the outbox is empty\nunreachable chats: 1\n");
    expect(await status(vietnamese, "--campaign", "none")).toBe("hàng đợi tin nhắn trống\ncuộc trò chuyện không liên lạc được: 1\n");
  }, 120_000);

  test("resend-in-doubt and outbox send's summary say it in KHAOSAT_LANG: Vietnamese when unset, English with en", async () => {
    const vietnamese = { ...env };
    delete vietnamese.KHAOSAT_LANG;
    const resend = async (language: NodeJS.ProcessEnv, ...args: string[]) => (await run(process.execPath, ["bin/khaosat.js", "outbox", "resend-in-doubt", ...args], { env: language })).stdout;
    expect(await resend(vietnamese, "--campaign", "cr")).toBe(
      "không có tin nào chưa chắc đã tới của đợt khảo sát cr cần gửi lại (tin của các đợt gửi đã hủy và của các cuộc trò chuyện không liên lạc được thì để nguyên)\n",
    );
    expect(await resend(vietnamese)).toBe(
      "chạy thử: 1 tin chưa chắc đã tới sẽ được xếp hàng gửi lại; mỗi tin có thể đã tới người nhận, khi đó họ sẽ nhận hai lần; hãy thêm --confirm để xếp hàng gửi lại\n",
    );
    expect(await resend(env)).toBe(
      "dry run: 1 in-doubt message would be queued again; each may already have reached its recipient, who would then get it twice; add --confirm to queue them\n",
    );
    const stats = { sent: 78, failed: 0, unreachable: 1, skipped: 0, inDoubt: 0, retries: 0, rateLimited: 6 };
    expect(formatSenderStats(stats)).toBe("sent 78, failed 0, unreachable 1, skipped (chat not found) 0, in doubt 0, retries 0, 429 answers 6");
    delete process.env.KHAOSAT_LANG;
    resetCliLanguage();
    try {
      expect(formatSenderStats(stats)).toBe(
        "đã gửi 78, thất bại 0, không liên lạc được 1, bỏ qua (không tìm thấy cuộc trò chuyện) 0, chưa chắc đã tới 0, gửi lại 0, bị từ chối 429 6",
      );
      expect(formatResendInDoubt(2, true, "cr")).toBe("đã xếp hàng gửi lại 2 tin chưa chắc đã tới của đợt khảo sát cr; `khaosat outbox send` (hoặc bot) sẽ gửi các tin này\n");
    } finally {
      process.env.KHAOSAT_LANG = "en";
      resetCliLanguage();
    }
  }, 120_000);

  test("participation shows the last reminder and the unreachable respondents", async () => {
    const json = JSON.parse((await khaosat("participation", "--campaign", "cr", "--format", "json")).stdout) as { reminders: unknown };
    expect(json.reminders).toEqual({ lastReminderAt: "2026-12-24T02:00:05.000Z", unreachable: 1 });
    const table = (await khaosat("participation", "--campaign", "cr")).stdout;
    expect(table.split("\n").slice(-3)).toEqual(["last reminder: 24/12/2026 09:00 (Asia/Ho_Chi_Minh)", "unreachable (blocked the bot or deactivated): 1", ""]);
  }, 120_000);
});
