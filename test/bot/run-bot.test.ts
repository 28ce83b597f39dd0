// The bot process as `npm start` runs it with a token: besides answering updates, it drains the
// outbox through the rate-limited sender and answers organisers' commands, all on one database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { runBot } from "../../src/bot/index.js";
import type { BotLogger } from "../../src/channels/telegram/index.js";
import { loadConfig } from "../../src/config/index.js";
import { openDatabase } from "../../src/db/index.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { UpdateFactory } from "../support/telegram.js";
import { TEST_TOKEN } from "../channels/telegram/harness.js";

const ADMIN = 555;
const STRANGER = 556;
const silent: BotLogger = { debug() {}, info() {}, warn() {}, error() {} };

let dir = "";
let url = "";
let stub: BotApiStub;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "khaosat-runbot-"));
  url = `file:${path.join(dir, "bot.db")}`;
  stub = new BotApiStub();
  await stub.start();
});

afterEach(async () => {
  await stub.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const textsTo = (chat: number) =>
  stub
    .callsOf("sendMessage")
    .filter((c) => c.status === 200 && Number(c.payload.chat_id) === chat)
    .map((c) => String(c.payload.text));

test("runBot sends queued outbox messages and answers admins, on one database", async () => {
  const db = await openDatabase(url);
  await db.outbox.enqueue([
    { kind: "broadcast", chatId: "9001", dedupeKey: "run-bot-test:1", text: "Nhắc: hạn chót 20/12", notBefore: new Date(0) },
  ]);
  await db.close();

  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_API_ROOT: stub.apiRoot,
    DATABASE_URL: url,
    CODE_SECRET: "run-bot-secret-0123456789abcdef0123456789",
    ADMIN_TELEGRAM_IDS: String(ADMIN),
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running = runBot(config, { logger: silent, until: stopped, pollingTimeoutSeconds: 1 });

  await waitFor(() => textsTo(9001).length > 0);
  expect(textsTo(9001)).toEqual(["Nhắc: hạn chót 20/12"]);

  const updates = new UpdateFactory();
  stub.push(updates.text(ADMIN, "/stats"), updates.text(STRANGER, "/stats"));
  await waitFor(() => textsTo(ADMIN).length > 0 && textsTo(STRANGER).length > 0);
  // No campaign exists yet: the admin is told so; the stranger gets the respondents' answer.
  expect(textsTo(ADMIN)).toEqual(["Chưa có đợt khảo sát nào."]);
  expect(textsTo(STRANGER)).toHaveLength(1);
  expect(textsTo(STRANGER)[0]).toMatch(/^Hướng dẫn:\n• Trả lời bằng cách bấm nút/);

  stop();
  await running;

  const after = await openDatabase(url, { migrate: false });
  try {
    expect(await after.outbox.counts()).toEqual({ broadcast: { sent: 1 } });
    const refused = (await after.audit.list({ kind: "admin.refused" })).length;
    expect(refused).toBe(1);
  } finally {
    await after.close();
  }
});
