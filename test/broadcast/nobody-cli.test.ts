// `khaosat broadcast` when nobody would receive the message: a dry run has answered its question and
// exits 0, saying nobody would receive it and why; the real broadcast queues nothing and exits 1
// (docs/outbox.md). Other refusals (an unknown unit) stay errors in a dry run too.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { BroadcastService } from "../../src/broadcast/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { problemText } from "../../src/i18n/problem.js";
import { testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign } from "../reminders/seed.js";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-broadcast-nobody-"));
const text = path.join(dir, "message.txt");
let t: TestDb;
let env: NodeJS.ProcessEnv;

type Outcome = { code: number; stdout: string; stderr: string };
const khaosat = (...args: string[]): Promise<Outcome> =>
  run(process.execPath, ["bin/khaosat.js", ...args], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: Outcome) => e,
  );

beforeAll(async () => {
  t = await testDb();
  env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: t.url, KHAOSAT_LANG: "en" };
  writeFileSync(text, "Xin nhắc Ông/Bà hoàn thành phiếu khảo sát.");
  const open = { opensAt: new Date("2026-01-01T00:00:00Z"), closesAt: new Date("2099-01-01T00:00:00Z") };
  await seedCampaign(t.url, { id: "c1", ...open }, [
    { externalId: "a", stage: "submitted", unit: "U1", chatId: "1" },
    { externalId: "b", stage: "not_redeemed", unit: "U3" },
  ]);
  await seedCampaign(t.url, { id: "c2", ...open }, []);
}, 120_000);
afterAll(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test.each([
  ["an audience whose respondents never opened the bot", "c1", "unit:U3", 'unit:U3 has 1 respondent in campaign "c1", but none of them has opened the bot yet (or their chats are unreachable)'],
  ["an audience nobody who opened the bot belongs to", "c1", "not-submitted", 'nobody in campaign "c1" matches the audience not-submitted among the 1 respondent who opened the bot'],
  ["a campaign without respondents", "c2", "all", 'campaign "c2" has no respondents; import them with `khaosat respondents import`'],
])("%s: the dry run exits 0 and says nobody would receive it and why; the real broadcast exits 1; nothing queued", async (_, campaign, audience, reason) => {
  const dry = await khaosat("broadcast", "--campaign", campaign, "--audience", audience, "--text", text, "--dry-run");
  expect(dry).toEqual({ code: 0, stdout: `dry run: nobody would receive this broadcast: ${reason}. Nothing was queued.\n`, stderr: "" });
  const real = await khaosat("broadcast", "--campaign", campaign, "--audience", audience, "--text", text);
  expect(real.code).toBe(1);
  expect(real.stdout).toBe("");
  expect(real.stderr).toContain(`${reason}; nothing to send`);
  expect(await t.store.outbox.counts()).toEqual({});
}, 60_000);

test("other refusals stay errors in a dry run: an unknown unit exits 1", async () => {
  const typo = await khaosat("broadcast", "--campaign", "c1", "--audience", "unit:U9", "--text", text, "--dry-run");
  expect(typo.code).toBe(1);
  expect(typo.stderr).toContain('no unit "U9" in campaign "c1"');
}, 60_000);

test("the reason is keyed: the web console and Telegram can say it in Vietnamese", async () => {
  const refused = await new BroadcastService(t.store.messaging, t.store.outbox).prepare(
    { campaignId: "c1", audience: { kind: "unit", code: "U3" }, text: "x", parseMode: null, split: false, actor: "cli" },
    new Date("2026-06-01T00:00:00Z"),
  );
  if (refused.ok || refused.nobody === undefined) throw new Error("expected nobody to reach");
  const vi = createI18n({ language: "vi" }).getFixedT("vi");
  expect(problemText(vi, refused.nobody.reason)).toBe('nhóm nhận unit:U3 có 1 người trả lời trong đợt khảo sát "c1", nhưng chưa ai mở bot (hoặc không còn liên lạc được qua bot)');
  expect(problemText(vi, { key: "broadcast.dryRunNobody", params: { reason: refused.nobody.reason } })).toMatch(/^chạy thử: sẽ không ai nhận được tin nhắn này: nhóm nhận unit:U3 .*\. Chưa có tin nào được xếp hàng\.$/);
});
