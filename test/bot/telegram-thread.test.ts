// The Telegram bot's work on its own thread (host-thread.ts), as `khaosat start` runs it: the main
// thread polls the Bot API stub and makes every call the worker's bot asks for, handing back the
// Bot API's answers (message ids, refusals) as if the worker had called itself. Steps are stored
// before anything is sent; a worker that dies costs only the update it held (apologised for on the
// main thread), and the next update starts a new one.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startBot, telegramThread, type RunningBot } from "../../src/bot/index.js";
import type { HostThread } from "../../src/bot/host-thread.js";
import { encodeCallback, sessionTag, type BotLogger } from "../../src/channels/telegram/index.js";
import { loadConfig } from "../../src/config/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { describeDatabases, type DatabaseContext } from "../support/db.js";
import { seedParCampaign } from "../support/par-campaign.js";
import { TEST_BOT_INFO, UpdateFactory } from "../support/telegram.js";
import { TEST_TOKEN } from "../channels/telegram/harness.js";

const SECRET = "telegram-thread-secret-0123456789abcdef0123";
const CODES = { an: "ABCDE23456", binh: "BCDEF34567", chi: "CDEFG45678" };
const CHATS = { an: 7001, binh: 7002, chi: 7003 };
const ADMIN = 7100;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeDatabases("the Telegram bot on its own thread", (ctx: DatabaseContext) => {
  const logs: string[] = [];
  const log = (level: string) => (data: Record<string, unknown>, message: string) => void logs.push(`${level} ${message} ${JSON.stringify(data)}`);
  const logger: BotLogger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  const stub = new BotApiStub();
  const updates = new UpdateFactory();
  let running: RunningBot;
  let thread: HostThread | undefined;
  const session = (chat: number) => ctx.db().channel.sessions.findLatest(`telegram:${chat}`);
  const sent = (chat: number) => stub.calls.filter((c) => c.status === 200 && Number(c.payload.chat_id) === chat && c.method === "sendMessage");
  /** The message id the stub gave each successful sendMessage (it counts from 1000 over sendMessage, sendDocument and copyMessage). */
  const messageIdOf = (call: (typeof stub.calls)[number]) => 1000 + stub.calls.filter((c) => c.status === 200 && ["sendMessage", "sendDocument", "copyMessage"].includes(c.method)).indexOf(call);

  beforeAll(async () => {
    await stub.start();
    await seedParCampaign(ctx.db(), [["R1", "Nguyễn Văn An"], ["R2", "Trần Thị Bình"], ["R3", "Lê Văn Chí"]], [CODES.an, CODES.binh, CODES.chi], SECRET);
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: stub.apiRoot, DATABASE_URL: ctx.url(), CODE_SECRET: SECRET, ADMIN_TELEGRAM_IDS: String(ADMIN) });
    const i18n = createI18n();
    const start = telegramThread(config, SECRET, logger, i18n);
    running = await startBot({
      config,
      logger,
      i18n,
      botInfo: TEST_BOT_INFO,
      pollingTimeoutSeconds: 1,
      ports: undefined as never,
      thread: async (info) => (thread = await start(info)),
    });
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await stub.stop();
  });

  /** Code, identity and attestation: the respondent at the first question. */
  async function toFirstQuestion(chat: number, code: string): Promise<void> {
    stub.push(updates.text(chat, `/start KS_${code}`));
    await waitFor("the identity prompt", async () => (await session(chat))?.prompt?.kind === "identity");
    const identity = (await session(chat))!;
    stub.push(updates.callback(chat, encodeCallback(sessionTag(identity.id), { kind: "identity", confirm: true }), identity.prompt!.messageId));
    await waitFor("the attestation", async () => (await session(chat))?.prompt?.kind === "attestation");
    const attestation = (await session(chat))!;
    stub.push(updates.callback(chat, encodeCallback(sessionTag(attestation.id), { kind: "attestation", accept: true }), attestation.prompt!.messageId));
    await waitFor("the first question", async () => (await session(chat))?.prompt?.kind === "question");
  }

  test("code to first question and an answer: the Bot API's answers reach the worker (the live prompt is the message Telegram numbered)", async () => {
    await toFirstQuestion(CHATS.an, CODES.an);
    const texts = sent(CHATS.an).map((c) => String(c.payload.text));
    expect(texts.some((t) => t.includes("Nguyễn Văn An"))).toBe(true);
    const first = (await session(CHATS.an))!;
    const question = sent(CHATS.an).at(-1)!;
    expect(String(question.payload.text)).toContain("Câu 1/");
    expect(first.prompt!.messageId).toBe(messageIdOf(question));

    stub.push(updates.text(CHATS.an, "1"));
    await waitFor("the second question", async () => (await session(CHATS.an))?.prompt?.messageId !== first.prompt!.messageId);
    const second = (await session(CHATS.an))!;
    expect(Object.keys(second.engine!.responses[0]!.answers)).toHaveLength(1);
    // The answered question shows its answer (edited by the id the worker learnt), the next one is the live prompt.
    const edit = stub.calls.find((c) => c.method === "editMessageText" && Number(c.payload.chat_id) === CHATS.an && Number(c.payload.message_id) === first.prompt!.messageId);
    expect(String(edit?.payload.text)).toContain("✓");
    expect(second.prompt!.messageId).toBe(messageIdOf(sent(CHATS.an).at(-1)!));
    expect(String(sent(CHATS.an).at(-1)!.payload.text)).toContain("Câu 2/");
  });

  test("a refusal from the Bot API reaches the worker as Telegram's error (its code and words), after the answer was stored", async () => {
    await toFirstQuestion(CHATS.chi, CODES.chi);
    stub.blockedChats.add(CHATS.chi);
    const failures = logs.length;
    stub.push(updates.text(CHATS.chi, "1"));
    await waitFor("the refusal logged", () => logs.slice(failures).some((l) => l.includes("403")));
    expect(logs.slice(failures).find((l) => l.includes("403"))).toContain("bot was blocked by the user");
    await waitFor("the answer stored", async () => Object.keys((await session(CHATS.chi))?.engine?.responses[0]?.answers ?? {}).length === 1);
    stub.blockedChats.delete(CHATS.chi);
  });

  test("an organiser's /export: the files go from the worker itself (a file does not cross threads), the words through the main thread", async () => {
    stub.push(updates.text(ADMIN, "/export c1"));
    await waitFor("the two files", () => stub.calls.filter((c) => c.method === "sendDocument" && c.status === 200 && Number(c.payload.chat_id) === ADMIN).length === 2);
    const captions = stub.calls.filter((c) => c.method === "sendDocument" && Number(c.payload.chat_id) === ADMIN).map((c) => String(c.payload.caption));
    expect(captions[0]).toContain("Tình hình tham gia: PAR 2026");
    expect(captions[1]).toContain("Phiếu trả lời: PAR 2026");
  });

  test("a worker that dies with an update in hand: the respondent gets the apology, the next message a new worker, and goes on", async () => {
    await toFirstQuestion(CHATS.binh, CODES.binh);
    const before = (await session(CHATS.binh))!;
    // Held at the network: the worker's first call for this answer waits in the stub.
    stub.options.latencyMs = 1_500;
    stub.push(updates.text(CHATS.binh, "1"));
    // Half a second: the update handed out and its step stored, its first call held by the stub's latency.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await thread!.kill();
    stub.options.latencyMs = 0;
    await waitFor("the apology", () => sent(CHATS.binh).some((c) => String(c.payload.text).startsWith("Xin lỗi, đã có lỗi")));
    expect(logs.some((line) => line.startsWith("error conversation thread ended"))).toBe(true);
    // The answer was stored or not, never half. The next message goes to a new worker: a question the
    // respondent never saw is shown first (a "1" typed under the old question is not taken as its
    // answer), and the next "1" answers it.
    const stored = Object.keys((await session(CHATS.binh))!.engine!.responses[0]!.answers).length;
    expect([0, 1]).toContain(stored);
    const answers = async () => Object.keys((await session(CHATS.binh))?.engine?.responses[0]?.answers ?? {}).length;
    const shown = sent(CHATS.binh).length;
    stub.push(updates.text(CHATS.binh, "1"));
    await waitFor("a reply from the new worker", () => sent(CHATS.binh).length > shown);
    if (stored === 1) {
      expect(await answers()).toBe(1);
      expect(String(sent(CHATS.binh).at(-1)!.payload.text)).toContain("Câu 2/");
      stub.push(updates.text(CHATS.binh, "1"));
    }
    await waitFor("the next answer stored", async () => (await answers()) === stored + 1);
    await waitFor("the next question", async () => (await session(CHATS.binh))?.prompt?.messageId === messageIdOf(sent(CHATS.binh).at(-1)!));
    expect((await session(CHATS.binh))!.prompt!.messageId).not.toBe(before.prompt!.messageId);
  });
});
