// `khaosat start` with only ZALO_BOT_TOKEN set (what `npm start` runs), against the loopback Zalo
// stub on a SQLite file: killed (SIGKILL) mid-questionnaire and started again, the respondent
// continues at the right question with every accepted answer kept; no token or code in its logs.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hashCode } from "../../../src/access/index.js";
import { Secret } from "../../../src/config/index.js";
import { openDatabase } from "../../../src/db/index.js";
import { parseQuestionnaire } from "../../../src/questionnaire/index.js";
import { ZaloBotApiStub } from "../../support/zalo-stub.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SOURCE = readFileSync(path.join(ROOT, "examples/par-officials.yaml"), "utf8");
const parsed = parseQuestionnaire(SOURCE, "par-officials.yaml");
if (!parsed.ok) throw new Error("example does not load");
const Q = parsed.questionnaire;
const CODE_SECRET = "zalo-kill-resume-secret-0123456789abcdef012345";
const CODE = "ABCDE23456";
const USER = "zalo-user-7";

let dir = "";
let url = "";
const stub = new ZaloBotApiStub({ maxPollMs: 300 });
let child: ChildProcess | undefined;
let stderr = "";

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "khaosat-zalo-kill-"));
  url = `file:${path.join(dir, "bot.db")}`;
  const db = await openDatabase(url);
  try {
    const stored = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: Q.id, version: Q.version, fileName: "par-officials.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!stored.ok) throw new Error("not stored");
    const now = Date.now();
    await db.campaigns.create({ id: "c1", name: "c1", questionnaireVersionPk: stored.record.pk, opensAt: new Date(now - 86_400_000), closesAt: new Date(now + 86_400_000), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await db.respondents.importRespondents("c1", [
      { externalId: "R1", fullName: "Nguyễn Văn An", unitCode: "STP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    const respondent = await db.respondents.getByExternalId("c1", "R1");
    await db.channel.access.insertCodes([{ codeHash: hashCode(CODE, new Secret(CODE_SECRET)), campaignId: "c1", respondentId: respondent!.id, batchId: null, unitCode: null, issuedAt: new Date(now) }]);
  } finally {
    await db.close();
  }
  await stub.start();
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  await stub.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (/^(TELEGRAM_|ZALO_|BOT_MODE|WEBHOOK_|DATABASE_URL|CODE_SECRET|PORT|ADMIN_)/.test(name)) delete env[name];
  const started = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start"], {
    cwd: dir,
    env: { ...env, ZALO_BOT_TOKEN: stub.token, ZALO_API_ROOT: stub.url, DATABASE_URL: url, CODE_SECRET, LOG_LEVEL: "debug" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  started.stdout?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return started;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting; child output:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function say(text: string): Promise<string[]> {
  const before = stub.textsTo(USER).length;
  stub.pushText(USER, text);
  await until(() => stub.textsTo(USER).length > before && stub.pending === 0);
  // Every reply of one message is sent back to back.
  await new Promise((resolve) => setTimeout(resolve, 150));
  return stub.textsTo(USER).slice(before);
}

async function session() {
  const db = await openDatabase(url, { migrate: false });
  try {
    return await db.channel.sessionsOf("zalo").findLatest(`zalo:${USER}`);
  } finally {
    await db.close();
  }
}

test("npm start with only ZALO_BOT_TOKEN serves a respondent; killed and restarted, every answer is kept", async () => {
  child = startChild();
  await until(() => stub.calls.some((c) => c.method === "getUpdates"));
  expect(stub.calls.find((c) => c.method === "getMe")).toBeDefined();
  expect((await say(`ma cua toi ${CODE.toLowerCase()}`))[0]).toContain("Mã hợp lệ");
  await say("1");
  expect((await say("1")).join("\n")).toMatch(/Câu 1\/tối đa 30/);
  for (let i = 0; i < 4; i++) await say("1");
  expect(stub.textsTo(USER).at(-1)).toMatch(/Câu 5\/tối đa 30/);

  child.kill("SIGKILL");
  await new Promise((resolve) => child!.once("exit", resolve));
  const killed = await session();
  expect(killed?.engine?.position).toMatchObject({ kind: "question", questionId: "a2_2" });
  expect(Object.keys(killed!.engine!.responses[0]!.answers)).toEqual(["a1_1", "a1_2", "a1_3", "a2_1"]);

  child = startChild();
  await until(() => stub.calls.filter((c) => c.method === "getMe").length >= 2);
  const back = await say("tiếp tục");
  expect(back[0]).toBe("Chào mừng Ông/Bà quay lại! Ông/Bà đã dừng ở câu 5/tối đa 30; các câu trả lời trước đã được lưu.");
  expect(back[1]).toMatch(/Câu 5\/tối đa 30/);
  child.kill("SIGTERM");
  await new Promise((resolve) => child!.once("exit", resolve));
  expect(stderr).toContain("zalo bot started");
  for (const secret of [stub.token, stub.token.split(":")[1]!, CODE, CODE.toLowerCase(), CODE_SECRET]) expect(stderr).not.toContain(secret);
}, 120_000);
