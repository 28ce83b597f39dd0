// The Zalo webhook server: the secret header is checked, the body is the update itself or wrapped
// as {ok, result}, the URL is registered with setWebhook, and a redelivery gets no second reply.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startZaloWebhook, ZaloChannel, ZaloClient, type ZaloReceiver } from "../../../src/channels/zalo/index.js";
import { TextConversationHost } from "../../../src/conversation/index.js";
import { createI18n } from "../../../src/i18n/index.js";
import { ZaloBotApiStub } from "../../support/zalo-stub.js";
import { createMemoryPorts, loadExample } from "../telegram/harness.js";

const SECRET = "webhook-secret-0123456789abcdef";
const stub = new ZaloBotApiStub();
let receiver: ZaloReceiver;
let base = "";

beforeAll(async () => {
  await stub.start();
  const memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [], codes: {} });
  const { ports, clock } = memory;
  const host = new TextConversationHost({ channel: "zalo", codes: ports.codes, campaigns: ports.campaigns, respondents: ports.respondents, sessions: ports.sessions, i18n: createI18n(), now: () => clock.now, defaultLanguage: "vi" });
  const client = new ZaloClient({ token: stub.token, apiRoot: stub.url });
  const channel = new ZaloChannel({ client, host, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  receiver = await startZaloWebhook(client, channel, { logger: { debug() {}, info() {}, warn() {}, error() {} }, url: "https://bot.example.gov.vn/zalo/hook", secret: SECRET, host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${receiver.port}`;
});

afterAll(async () => {
  await receiver.stop();
  await stub.stop();
});

const update = (id: string, text: string) => ({ event_name: "message.text.received", message: { message_id: id, from: { id: "w1", display_name: "W" }, chat: { id: "w1", chat_type: "PRIVATE" }, date: Date.now(), text } });
const post = (body: unknown, secret = SECRET, path = "/zalo/hook") =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-bot-api-secret-token": secret }, body: JSON.stringify(body) });

test("registered with setWebhook; wrong secret 401, wrong path 404, not an update 400", async () => {
  expect(stub.webhook).toEqual({ url: "https://bot.example.gov.vn/zalo/hook", secret: SECRET });
  expect((await post(update("a", "xin chào"), "wrong-secret-0123456789")).status).toBe(401);
  expect((await post(update("a", "xin chào"), SECRET, "/other")).status).toBe(404);
  expect((await post({ hello: 1 })).status).toBe(400);
  expect(stub.sent).toEqual([]);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
});

test("an update, plain or wrapped, is answered; its redelivery is not", async () => {
  expect((await post(update("m1", "xin chào"))).status).toBe(200);
  await stub.waitForTexts("w1", 1);
  expect((await post({ ok: true, result: update("m2", "help") })).status).toBe(200);
  await stub.waitForTexts("w1", 2);
  expect((await post(update("m2", "help"))).status).toBe(200);
  await new Promise((r) => setTimeout(r, 100));
  expect(stub.textsTo("w1")).toHaveLength(2);
  expect(stub.textsTo("w1")[1]).toContain("Các lệnh");
});
