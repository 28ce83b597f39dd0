// The conversation host on its own thread (src/bot/host-thread.ts), as `khaosat start` runs it for
// Zalo: the worker opens the database by its URL, answers with the replies once each step is stored,
// ignores a redelivered message, sends its log lines to the main thread's logger, and a worker that
// dies costs only the messages it held: the next message starts a new one and the respondent goes on.
import { afterAll, beforeAll, expect, test } from "vitest";
import { HostThread } from "../../src/bot/index.js";
import type { BotLogger } from "../../src/channels/telegram/index.js";
import type { TextMessage } from "../../src/conversation/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { describeDatabases, type DatabaseContext } from "../support/db.js";
import { seedParCampaign } from "../support/par-campaign.js";

const SECRET = "host-thread-secret-0123456789abcdef0123456789";
const CODES = { an: "ABCDE23456", binh: "BCDEF34567" };

describeDatabases("the conversation host on its own thread", (ctx: DatabaseContext) => {
  const logs: string[] = [];
  const log = (level: string) => (data: Record<string, unknown>, message: string) => void logs.push(`${level} ${message} ${JSON.stringify(data)}`);
  const logger: BotLogger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  let host: HostThread;
  let n = 0;
  const say = (user: string, text: string, key = `message.text.received:${user}-${++n}`): Promise<string[]> => host.handle({ key, account: `zalo:${user}`, chatId: user, text } satisfies TextMessage);
  const session = (user: string) => ctx.db().channel.sessionsOf("zalo").findLatest(`zalo:${user}`);

  beforeAll(async () => {
    await seedParCampaign(ctx.db(), [["R1", "Nguyễn Văn An"], ["R2", "Trần Thị Bình"]], [CODES.an, CODES.binh], SECRET);
    // A chat the outbox found unreachable (read by the worker's host when it starts taking messages).
    await ctx.prisma().unreachableChat.create({ data: { chatId: "zalo:u3", reason: "blocked", at: new Date() } });
    host = await HostThread.start({ channel: "zalo", databaseUrl: ctx.url(), codeSecret: SECRET, allowDelegation: false, defaultLanguage: "vi", logger, i18n: createI18n() });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
  });

  test("from the code to the first question: each step stored before its replies come back; a redelivered message changes nothing", async () => {
    const identity = await say("u1", `mã của tôi là ${CODES.an.toLowerCase()}`);
    expect(identity.join("\n")).toContain("Nguyễn Văn An");
    expect(identity.join("\n")).toContain("  1. Đúng, tôi là người này");
    expect((await session("u1"))?.stage).toBe("identity");
    await say("u1", "1");
    const key = "message.text.received:u1-attest";
    const first = await say("u1", "1", key);
    const stored = await session("u1");
    expect(stored?.stage).toBe("survey");
    expect(stored?.engine?.position).toMatchObject({ kind: "question" });
    expect(first.join("\n")).toContain("Câu 1/tối đa 30");
    // The same message again (Zalo redelivers): no reply, nothing stored.
    expect(await say("u1", "1", key)).toEqual([]);
    expect(await session("u1")).toEqual(stored);
  });

  test("a worker that dies: what it held gets an error, the next message starts a new worker and the respondent goes on where they were", async () => {
    await say("u2", CODES.binh);
    await say("u2", "1");
    await say("u2", "1");
    const before = await session("u2");
    const position = before?.engine?.position;
    expect(position).toMatchObject({ kind: "question" });
    const held = say("u2", "1");
    await host.kill();
    await expect(held).rejects.toThrow(/conversation thread ended/);
    expect(logs.some((line) => line.startsWith("error conversation thread ended"))).toBe(true);
    // A new worker: the answer is given again (it was stored or not, never half) and the survey goes on.
    const again = await say("u2", "1");
    expect(again.length).toBeGreaterThan(0);
    const after = await session("u2");
    expect(after?.engine?.position).not.toEqual(position);
    expect(Object.keys(after?.engine?.responses[0]?.answers ?? {}).length).toBeGreaterThanOrEqual(1);
  });

  test("with idleMs the worker starts with the first message and ends when idle, quietly; the next message starts another", async () => {
    const lazy = await HostThread.start({ channel: "zalo", databaseUrl: ctx.url(), codeSecret: SECRET, allowDelegation: false, defaultLanguage: "vi", logger, i18n: createI18n(), idleMs: 300 });
    try {
      expect(lazy.running).toBe(false);
      const before = logs.length;
      const ask = (text: string) => lazy.handle({ key: `message.text.received:idle-${++n}`, account: "zalo:u4", chatId: "u4", text });
      expect((await ask("xin chào")).length).toBeGreaterThan(0);
      expect(lazy.running).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(lazy.running).toBe(false);
      expect((await ask("xin chào")).length).toBeGreaterThan(0);
      expect(logs.slice(before).filter((line) => line.startsWith("error"))).toEqual([]);
    } finally {
      await lazy.stop();
    }
  });

  test("the worker's log lines reach the main thread's logger, without codes", async () => {
    await say("u3", `xin chào ${CODES.an}`);
    expect(logs.some((line) => line.startsWith("info an unreachable chat wrote again: reachable"))).toBe(true);
    for (const line of logs) {
      expect(line).not.toContain(CODES.an);
      expect(line).not.toContain(SECRET);
    }
  });
});

test("a database the worker cannot reach: start fails with the reason, never the password or the secret", async () => {
  const logs: string[] = [];
  const logger: BotLogger = { debug: () => {}, info: () => {}, warn: (_d, m) => void logs.push(m), error: (_d, m) => void logs.push(m) };
  const start = HostThread.start({ channel: "zalo", databaseUrl: "postgresql://postgres:pw-not-to-show@127.0.0.1:1/khaosat", codeSecret: SECRET, allowDelegation: false, defaultLanguage: "vi", logger, i18n: createI18n() });
  await expect(start).rejects.toThrow(/127\.0\.0\.1:1/);
  await start.catch((error: Error) => {
    expect(error.message).not.toContain("pw-not-to-show");
    expect(error.message).not.toContain(SECRET);
  });
});
