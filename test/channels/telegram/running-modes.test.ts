// Integration: the bot started as in production (startBot) against the Bot API stub on 127.0.0.1.
import { afterEach, describe, expect, test } from "vitest";
import { startBot, type RunningBot } from "../../../src/bot/index.js";
import { Secret, type Config } from "../../../src/config/index.js";
import type { Respondent } from "../../../src/demo/index.js";
import { BotApiStub } from "../../support/bot-api-stub.js";
import { UpdateFactory } from "../../support/telegram.js";
import { createMemoryPorts, loadExample, TEST_TOKEN } from "./harness.js";

// The privacy notice a named respondent sees once, with the code accepted.
const NAMED_NOTICE = "🔒 Cơ quan tổ chức khảo sát biết Ông/Bà đã gửi phiếu hay chưa, nhưng không ai xem được câu trả lời của riêng Ông/Bà: kết quả chỉ được công bố dưới dạng tổng hợp, cho những đơn vị có đủ số phiếu tối thiểu. Tài khoản Telegram được lưu cùng phiếu để Ông/Bà có thể làm tiếp và để mã khảo sát không bị người khác dùng; cơ quan tổ chức không xem được tài khoản này và không tệp xuất nào chứa nó.";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const BINH: Respondent = { id: "r2", name: "Trần Thị Bình", unit: { id: "syt", name: "Sở Y tế" }, subjectUnits: [] };
const WEBHOOK_SECRET = "hook-secret_123-of-16+";

let stub: BotApiStub | undefined;
let running: RunningBot | undefined;
afterEach(async () => {
  await running?.stop();
  await stub?.stop();
  running = undefined;
  stub = undefined;
});

function configFor(apiRoot: string, mode: "polling" | "webhook"): Config {
  const common = {
    telegramBotToken: new Secret(TEST_TOKEN),
    telegramApiRoot: apiRoot,
    port: 0,
    adminTelegramIds: [],
    databaseUrl: new Secret("file:./unused.db"),
    databaseKind: "sqlite" as const,
    defaultLanguage: "vi" as const,
    logLevel: "silent" as const,
    outboxRatePerSecond: 25,
    outboxPerChatPerSecond: 1,
  };
  return mode === "polling" ? { ...common, botMode: "polling" } : { ...common, botMode: "webhook", webhookUrl: "https://bot.example.gov.vn/telegram/hook", webhookSecret: new Secret(WEBHOOK_SECRET) };
}

async function until(check: () => boolean, timeoutMs = 8_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function setup(mode: "polling" | "webhook", stubOptions: ConstructorParameters<typeof BotApiStub>[0] = {}) {
  stub = new BotApiStub(stubOptions);
  const apiRoot = await stub.start();
  const memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN, BINH], codes: { ABCDE23456: "r1", HJKMN78923: "r2" } });
  running = await startBot({ config: configFor(apiRoot, mode), ports: memory.ports, logger: memory.logger, now: () => memory.clock.now, host: "127.0.0.1", pollingTimeoutSeconds: 1 });
  return { stub, memory, running };
}

const sentTo = (s: BotApiStub, chat: number) => s.callsOf("sendMessage").filter((c) => c.status === 200 && Number(c.payload.chat_id) === chat).map((c) => String(c.payload.text));

describe("long polling through the runner", () => {
  test("fetches with increasing offsets, answers every chat, publishes the menu in vi and en", async () => {
    const { stub, memory } = await setup("polling");
    const updates = new UpdateFactory();
    stub.push(updates.text(701, "/start KS_ABCDE23456"), updates.text(702, "/start KS_HJKMN78923"), updates.text(703, "/help"));
    await until(() => sentTo(stub, 701).length >= 2 && sentTo(stub, 702).length >= 2 && sentTo(stub, 703).length >= 1);
    expect(sentTo(stub, 701)).toEqual([`Mã hợp lệ. Xin chào Ông/Bà!\n\n${NAMED_NOTICE}`, "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?"]);
    expect(sentTo(stub, 702)[1]).toBe("Theo danh sách khảo sát, mã này được cấp cho: Trần Thị Bình, Sở Y tế. Ông/Bà có đúng là người này không?");
    stub.push(updates.text(701, "/status"));
    await until(() => sentTo(stub, 701).length >= 3);
    // Each batch is confirmed by the next call's offset: last id + 1.
    await until(() => stub.callsOf("getUpdates").some((c) => Number(c.payload.offset) === 5));
    const offsets = stub.callsOf("getUpdates").map((c) => Number(c.payload.offset ?? 0));
    expect(offsets[0]).toBe(0);
    expect(offsets).toContain(4);
    expect(offsets.filter((o, i) => i > 0 && o < offsets[i - 1]!)).toEqual([]);
    expect(stub.callsOf("getUpdates")[0]!.payload.allowed_updates).toEqual(["message", "callback_query"]);
    expect(stub.callsOf("deleteWebhook")).toHaveLength(1);
    await until(() => stub.callsOf("setMyCommands").length === 3);
    const menus = stub.callsOf("setMyCommands").map((c) => [c.payload.language_code ?? "default", (c.payload.commands as { command: string; description: string }[])[0]]);
    expect(menus).toEqual([
      ["default", { command: "start", description: "Bắt đầu hoặc tiếp tục khảo sát" }],
      ["vi", { command: "start", description: "Bắt đầu hoặc tiếp tục khảo sát" }],
      ["en", { command: "start", description: "Start or resume the survey" }],
    ]);
    expect(await memory.sessions.findLatest("telegram:701")).toMatchObject({ stage: "identity", respondentId: "r1" });
  });

  test("a failing setMyCommands (500) neither blocks start-up nor is retried; a warning is logged", async () => {
    stub = new BotApiStub();
    const apiRoot = await stub.start();
    const memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN, BINH], codes: { ABCDE23456: "r1" } });
    let menuCalls = 0;
    // The stub itself answers every setMyCommands with 200: this answers 500 for it, everything else passes through.
    const failingMenu: typeof fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith("/setMyCommands")) {
        menuCalls++;
        return new Response(JSON.stringify({ ok: false, error_code: 500, description: "Internal Server Error" }), { status: 500, headers: { "content-type": "application/json" } });
      }
      return fetch(input, init);
    };
    const started = Date.now();
    running = await startBot({ config: configFor(apiRoot, "polling"), ports: memory.ports, logger: memory.logger, now: () => memory.clock.now, fetch: failingMenu, pollingTimeoutSeconds: 1 });
    stub.push(new UpdateFactory().text(731, "/help"));
    await until(() => sentTo(stub!, 731).length === 1, 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    await until(() => memory.logs.some((l) => l.message.startsWith("could not publish the command menu")), 2_000);
    expect(memory.logs.filter((l) => l.level === "warn").map((l) => l.message)).toEqual(["could not publish the command menu; continuing without it"]);
    expect(menuCalls).toBe(1);
  });

  test("a 429 with retry_after is waited out by auto-retry and the message still arrives", async () => {
    const { stub } = await setup("polling", { tooManyEvery: 1, retryAfter: 1 });
    stub.options.tooManyEvery = 1;
    const updates = new UpdateFactory();
    stub.push(updates.text(711, "/start"));
    await until(() => stub.callsOf("sendMessage").length >= 1);
    stub.options.tooManyEvery = undefined;
    await until(() => sentTo(stub, 711).length === 1);
    const attempts = stub.callsOf("sendMessage").map((c) => c.status);
    expect(attempts[0]).toBe(429);
    expect(attempts.at(-1)).toBe(200);
    const [first, last] = [stub.callsOf("sendMessage")[0]!, stub.callsOf("sendMessage").at(-1)!];
    expect(last.at - first.at).toBeGreaterThanOrEqual(950);
  });

  test("a chat that blocked the bot (403) is logged with its update id; other chats are served", async () => {
    const { stub, memory } = await setup("polling");
    stub.blockedChats.add(721);
    const updates = new UpdateFactory();
    const blocked = updates.text(721, "/start");
    stub.push(blocked, updates.text(722, "/start"));
    await until(() => sentTo(stub, 722).length === 1 && memory.logs.some((l) => l.level === "error"));
    const errors = memory.logs.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.data.updateId).toBe(blocked.update_id);
    expect(String(errors[0]!.data.error)).toContain("403");
    expect(JSON.stringify(memory.logs)).not.toContain(TEST_TOKEN);
  });
});

describe("webhook", () => {
  test("registers with the secret; only requests carrying it reach the bot", async () => {
    const { stub, running } = await setup("webhook");
    expect(running.mode).toBe("webhook");
    expect(stub.callsOf("setWebhook").map((c) => [c.payload.url, c.payload.secret_token])).toEqual([["https://bot.example.gov.vn/telegram/hook", WEBHOOK_SECRET]]);
    const base = `http://127.0.0.1:${running.port}`;
    const updates = new UpdateFactory();
    const post = (update: unknown, headers: Record<string, string>, path = "/telegram/hook") =>
      fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(update) });

    const forged = await post(updates.text(731, "/start KS_ABCDE23456"), {});
    expect(forged.status).toBe(401);
    const wrong = await post(updates.text(731, "/start KS_ABCDE23456"), { "x-telegram-bot-api-secret-token": "nope" });
    expect(wrong.status).toBe(401);
    expect(stub.callsOf("sendMessage")).toHaveLength(0);

    const elsewhere = await post(updates.text(731, "/help"), { "x-telegram-bot-api-secret-token": WEBHOOK_SECRET }, "/other");
    expect(elsewhere.status).toBe(404);

    const started = Date.now();
    const ok = await post(updates.text(731, "/start KS_ABCDE23456"), { "x-telegram-bot-api-secret-token": WEBHOOK_SECRET });
    expect(ok.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    await until(() => sentTo(stub, 731).length === 2);
    expect(sentTo(stub, 731)).toEqual([`Mã hợp lệ. Xin chào Ông/Bà!\n\n${NAMED_NOTICE}`, "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?"]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
  test("a body over 1 MiB is answered 413 unread; {} and non-JSON 400, each with one clear log line; the bot goes on", async () => {
    const { stub, running, memory } = await setup("webhook");
    const url = `http://127.0.0.1:${running.port}/telegram/hook`;
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET };
    const updates = new UpdateFactory();
    const huge = updates.text(751, "x".repeat(1024 * 1024));
    const tooLarge = await fetch(url, { method: "POST", headers, body: JSON.stringify(huge) });
    expect(tooLarge.status).toBe(413);
    // Chunked (no content-length): cut off while reading.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(100_000)));
        controller.close();
      },
    });
    const streamed = await fetch(url, { method: "POST", headers, body: chunks, duplex: "half" } as RequestInit).catch(() => undefined);
    if (streamed) expect(streamed.status).toBe(413);
    const empty = await fetch(url, { method: "POST", headers, body: "{}" });
    expect(empty.status).toBe(400);
    const junk = await fetch(url, { method: "POST", headers, body: "not json" });
    expect(junk.status).toBe(400);
    const warnings = memory.logs.filter((l) => l.message === "webhook refused a request").map((l) => l.data);
    expect(warnings).toContainEqual({ status: 413, reason: `body of ${Buffer.byteLength(JSON.stringify(huge))} bytes is over the 1048576-byte limit` });
    expect(warnings).toContainEqual({ status: 400, reason: "malformed update: no integer update_id" });
    expect(warnings).toContainEqual({ status: 400, reason: "body is not JSON" });
    expect(JSON.stringify(memory.logs)).not.toContain("BigInt");
    expect(memory.logs.filter((l) => l.level === "error")).toEqual([]);
    const ok = await fetch(url, { method: "POST", headers, body: JSON.stringify(updates.text(752, "/start KS_ABCDE23456")) });
    expect(ok.status).toBe(200);
    await until(() => sentTo(stub, 752).length === 2);
  });

  test("WEBHOOK_HOST is the address listened on", async () => {
    stub = new BotApiStub();
    const apiRoot = await stub.start();
    const memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { ABCDE23456: "r1" } });
    running = await startBot({ config: { ...configFor(apiRoot, "webhook"), webhookHost: "127.0.0.2" }, ports: memory.ports, logger: memory.logger });
    expect((await fetch(`http://127.0.0.2:${running.port}/healthz`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${running.port}/healthz`)).rejects.toThrow();
  });

  test("with 1 s Bot API latency the 200 comes after about a second and the update is still fully handled", async () => {
    const { stub, running, memory } = await setup("webhook", { latencyMs: 1_000 });
    const update = new UpdateFactory().text(741, "/start KS_ABCDE23456");
    const started = Date.now();
    const ok = await fetch(`http://127.0.0.1:${running.port}/telegram/hook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: JSON.stringify(update),
    });
    expect(ok.status).toBe(200);
    const answeredAfter = Date.now() - started;
    expect(answeredAfter).toBeLessThan(1_800);
    // Two replies at 1 s each: still being sent when Telegram got its 200.
    expect(sentTo(stub, 741).length).toBeLessThan(2);
    await until(() => sentTo(stub, 741).length === 2, 6_000);
    expect(sentTo(stub, 741)[1]).toBe("Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?");
    // The stub records the call before its delayed answer reaches the bot, which then stores the prompt.
    const deadline = Date.now() + 6_000;
    while (!(await memory.sessions.findLatest("telegram:741"))?.prompt && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await memory.sessions.findLatest("telegram:741")).toMatchObject({ stage: "identity", respondentId: "r1", prompt: { kind: "identity" } });
  }, 15_000);
});
