// `npm start` with a bot token serves the web console in the same process as the bot: started as
// a real process (node bin/khaosat.js start) against the loopback Bot API stub, then an organiser
// logs in over HTTP and sees the campaign, while the bot polls the stub.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { openDatabase } from "../../src/db/index.js";
import { addUser } from "../../src/web/accounts.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { TEST_TOKEN } from "../channels/telegram/harness.js";
import { UpdateFactory } from "../support/telegram.js";
import { PASSWORD } from "./fixture.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-botweb-"));
const url = `file:${path.join(dir, "bot.db")}`;
let stub: BotApiStub;
let child: ChildProcess | undefined;
let campaignId = "";

beforeAll(async () => {
  stub = new BotApiStub();
  await stub.start();
  const db = await openDatabase(url);
  campaignId = (await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "Đợt khảo sát Sở Nội vụ", opens: "2026-12-01T08:00", closes: "2026-12-31" })).campaign.id;
  await addUser(db, { email: "admin@example.org", role: "admin", password: PASSWORD }, "test", new Date());
  await db.close();
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child!.once("exit", resolve));
  }
  await stub.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The console's address, from the line `npm start` prints on stderr. */
function consoleAddress(process: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no console address within 60 s; stderr:\n${err}`)), 60_000);
    process.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      const match = /web console: (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    process.once("exit", (code) => reject(new Error(`exited with ${code}; stderr:\n${err}`)));
  });
}

test("npm start with a bot token: the bot polls the stub and the console serves the campaign in the same process", { timeout: 120_000 }, async () => {
  child = spawn(process.execPath, ["bin/khaosat.js", "start"], {
    env: {
      PATH: process.env.PATH ?? "",
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_API_ROOT: stub.apiRoot,
      DATABASE_URL: url,
      CODE_SECRET: "bot-web-secret-0123456789abcdef0123456789",
      WEB_HOST: "127.0.0.1",
      WEB_PORT: "0",
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const base = await consoleAddress(child);
  // The bot side is up too: it asks the stub for updates.
  const start = Date.now();
  while (stub.callsOf("getUpdates").length === 0 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 50));
  expect(stub.callsOf("getUpdates").length).toBeGreaterThan(0);

  const loginPage = await fetch(`${base}/login`);
  const cookies = loginPage.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const token = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ email: "admin@example.org", password: PASSWORD, next: "/campaigns", _csrf: token }).toString(),
  });
  expect(login.status).toBe(302);
  const session = login.headers.getSetCookie().find((c) => c.startsWith("ks_session="))!.split(";")[0]!;
  const campaigns = await fetch(`${base}/campaigns`, { headers: { cookie: session } });
  expect(campaigns.status).toBe(200);
  const body = await campaigns.text();
  expect(body).toContain("Đợt khảo sát Sở Nội vụ");
  expect(body).toContain(`href="/campaigns/${campaignId}"`);
  const overview = await fetch(`${base}/campaigns/${campaignId}`, { headers: { cookie: session } });
  expect(overview.status).toBe(200);
  expect(await overview.text()).toContain("<svg");
  // Stopping the process stops both.
  child.kill("SIGTERM");
  const code = await new Promise<number | null>((resolve) => child!.once("exit", resolve));
  expect(code).toBe(0);
  await expect(fetch(`${base}/login`)).rejects.toThrow();
});

test("started with V8's options (node --max-old-space-size=… bin/khaosat.js start), the bot's thread answers: workers refuse those options", { timeout: 120_000 }, async () => {
  const bot = spawn(process.execPath, ["--max-old-space-size=1024", "--stack-trace-limit=20", "bin/khaosat.js", "start"], {
    env: { PATH: process.env.PATH ?? "", TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: stub.apiRoot, DATABASE_URL: url, CODE_SECRET: "bot-web-secret-0123456789abcdef0123456789", WEB_HOST: "127.0.0.1", WEB_PORT: "0", LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child = bot;
  try {
    const chat = 777_001;
    stub.push(new UpdateFactory().text(chat, "/help", { updateId: 900_001 }));
    const sent = () => stub.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) === chat);
    const start = Date.now();
    while (sent().length === 0 && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 50));
    expect(sent().map((c) => String(c.payload.text).split("\n")[0])).toEqual(["Hướng dẫn:"]);
  } finally {
    bot.kill("SIGTERM");
    await new Promise((resolve) => (bot.exitCode === null ? bot.once("exit", resolve) : resolve(undefined)));
  }
});
