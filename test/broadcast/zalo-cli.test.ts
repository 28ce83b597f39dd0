// `khaosat broadcast` and `khaosat outbox send` end to end for a campaign answered on Zalo (issue 12
// items 4 and 6), on SQLite and on PostgreSQL (TEST_DATABASE_URL): the CLI as organisers run it, with
// only ZALO_BOT_TOKEN set, against the loopback Zalo Bot API stub: dry-run counts, the real run with
// 429s and a user who blocked the bot (403 → unreachable), HTML made plain and split at 2,000
// characters into ordered messages.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { htmlToPlain } from "../../src/outbox/plain-text.js";
import { ZaloBotApiStub } from "../support/zalo-stub.js";
import { PG_URL, testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign, type SeedRespondent } from "../reminders/seed.js";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-zalo-broadcast-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// About 2,600 characters of HTML: two Zalo messages, each made of whole lines.
const LINES = Array.from({ length: 24 }, (_, i) => `<b>Mục ${i + 1}.</b> Ông/Bà vui lòng hoàn thành phiếu khảo sát trước ngày 15/12 &amp; giữ mã của mình.`);
const HTML = [...LINES, 'Xem <a href="https://sonoivu.example.vn/huong-dan">hướng dẫn</a>.'].join("\n");
const PLAIN = htmlToPlain(HTML);

const ZALO_USERS = 40;
const BLOCKED = "zu7";

if (!PG_URL) console.warn("test/broadcast/zalo-cli.test.ts: TEST_DATABASE_URL is not set; the PostgreSQL round is skipped");

for (const kind of ["sqlite", "postgres"] as const) {
  describe.skipIf(kind === "postgres" && !PG_URL)(`broadcast to Zalo respondents from the CLI (${kind})`, () => {
    let t: TestDb;
    let stub: ZaloBotApiStub;
    let env: NodeJS.ProcessEnv;
    const khaosat = (...args: string[]) => run(process.execPath, ["bin/khaosat.js", ...args], { env, timeout: 120_000 });

    beforeAll(async () => {
      t = await testDb(kind);
      stub = new ZaloBotApiStub();
      await stub.start();
      // The CLI process sees only what it is given: Zalo configured, no Telegram.
      env = { PATH: process.env.PATH, HOME: process.env.HOME, KHAOSAT_LANG: "en", DATABASE_URL: t.url, ZALO_BOT_TOKEN: stub.token, ZALO_API_ROOT: stub.url, ZALO_RATE_PER_SECOND: "50" };
      const respondents: SeedRespondent[] = Array.from({ length: ZALO_USERS }, (_, i) => ({
        externalId: `r${i}`,
        stage: i % 4 === 0 ? ("submitted" as const) : i % 4 === 1 ? ("redeemed" as const) : ("in_progress" as const),
        chatId: `zu${i}`,
        channel: "zalo" as const,
        unit: i < 10 ? "U2" : "U1",
      }));
      respondents.push({ externalId: "never", stage: "not_redeemed" });
      await seedCampaign(t.url, { id: "c1", name: "PAR 2026", opensAt: new Date("2026-01-01T00:00:00Z"), closesAt: new Date("2099-01-01T00:00:00Z") }, respondents);
      writeFileSync(path.join(dir, `${kind}.html`), HTML);
    }, 120_000);
    afterAll(async () => {
      await stub.stop();
      await t.dispose();
    });

    test("dry runs count the Zalo recipients and their messages and queue nothing; the real run queues them", async () => {
      const text = path.join(dir, `${kind}.html`);
      const all = await khaosat("broadcast", "--campaign", "c1", "--audience", "all", "--text", text, "--parse-mode", "HTML", "--dry-run");
      expect(all.stdout).toBe(`dry run: would queue ${ZALO_USERS} recipients on Zalo, 2 messages each (plain text) (nothing queued)\n`);
      const pending = await khaosat("broadcast", "--campaign", "c1", "--audience", "not-submitted", "--text", text, "--parse-mode", "HTML", "--dry-run");
      expect(pending.stdout).toBe(`dry run: would queue ${ZALO_USERS * 0.75} recipients on Zalo, 2 messages each (plain text) (nothing queued)\n`);
      const unit = await khaosat("broadcast", "--campaign", "c1", "--audience", "unit:U2", "--text", text, "--parse-mode", "HTML", "--dry-run");
      expect(unit.stdout).toBe("dry run: would queue 10 recipients on Zalo, 2 messages each (plain text) (nothing queued)\n");
      expect(await t.store.outbox.counts()).toEqual({});

      const queued = await khaosat("broadcast", "--campaign", "c1", "--audience", "all", "--text", text, "--parse-mode", "HTML");
      expect(queued.stdout).toMatch(new RegExp(`^queued broadcast \\S+: ${ZALO_USERS} recipients on Zalo, 2 messages each \\(plain text\\); run \`khaosat outbox send\``));
      expect(await t.store.outbox.counts()).toEqual({ broadcast: { queued: ZALO_USERS * 2 } });
    }, 120_000);

    test("outbox send with only ZALO_BOT_TOKEN delivers through the stub: 429s waited out, the blocked user unreachable, parts in order", async () => {
      stub.throttleNext = 6;
      stub.throttleRetryAfter = 1;
      stub.failingChats.set(BLOCKED, { code: 403, description: "User has blocked the bot" });
      const sent = await khaosat("outbox", "send");
      expect(sent.stdout).toBe("sent 78, failed 0, unreachable 1, skipped (chat not found) 0, in doubt 0, retries 0, 429 answers 6\n");
      expect(sent.stderr).toContain("429 from Zalo: pausing its messages 1 s");
      const parts = PLAIN.split("\n");
      for (let i = 0; i < ZALO_USERS; i++) {
        const chat = `zu${i}`;
        const got = stub.textsTo(chat);
        if (chat === BLOCKED) {
          expect(got).toEqual([]);
          continue;
        }
        // Two messages, in order, each within Zalo's limit, no markup, every line whole.
        expect(got).toHaveLength(2);
        for (const m of got) expect(m.length).toBeLessThanOrEqual(2000);
        expect(got.join("\n")).toBe(PLAIN);
        expect(got[0]!.split("\n")[0]).toBe(parts[0]);
        expect(got[1]!.endsWith("Xem hướng dẫn (https://sonoivu.example.vn/huong-dan).")).toBe(true);
        expect(got.join("")).not.toMatch(/<\/?b>|&amp;/);
      }
      expect(await t.store.outbox.counts()).toEqual({ broadcast: { sent: 78, unreachable: 2 } });
      const status = await khaosat("outbox", "status");
      expect(status.stdout).toContain("unreachable chats: 1");
      // Queued again, the blocked chat is left out: it is recorded unreachable under its zalo: id.
      expect((await t.store.outbox.unreachableAmong([`zalo:${BLOCKED}`, "zalo:zu1"]))).toEqual(new Set([`zalo:${BLOCKED}`]));
      const again = await khaosat("broadcast", "--campaign", "c1", "--audience", "all", "--text", path.join(dir, `${kind}.html`), "--parse-mode", "HTML", "--dry-run");
      expect(again.stdout).toBe(`dry run: would queue ${ZALO_USERS - 1} recipients on Zalo, 2 messages each (plain text) (nothing queued)\n`);
    }, 120_000);
  });
}
