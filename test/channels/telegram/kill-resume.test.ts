// A bot process on a SQLite file, killed (SIGKILL) mid-questionnaire and started again: the
// respondent continues at the right question with every answer kept.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hashCode } from "../../../src/access/index.js";
import { encodeCallback, sessionTag, type CallbackAction } from "../../../src/channels/telegram/index.js";
import { Secret } from "../../../src/config/index.js";
import { openDatabase } from "../../../src/db/index.js";
import { parseQuestionnaire } from "../../../src/questionnaire/index.js";
import { BotApiStub } from "../../support/bot-api-stub.js";
import { UpdateFactory } from "../../support/telegram.js";
import { TEST_TOKEN } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const EXAMPLE = path.join(ROOT, "examples/par-officials.yaml");
const SOURCE = readFileSync(EXAMPLE, "utf8");
const parsed = parseQuestionnaire(SOURCE, "par-officials.yaml");
if (!parsed.ok) throw new Error("example does not load");
const Q = parsed.questionnaire;
const CODE_SECRET = "kill-resume-secret-0123456789abcdef0123456789";
const USER = 801;

let dir = "";
let url = "";
let stub: BotApiStub;
let child: ChildProcess | undefined;
const updates = new UpdateFactory();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "khaosat-kill-"));
  url = `file:${path.join(dir, "bot.db")}`;
  const db = await openDatabase(url);
  try {
    const stored = await db.campaigns.storeQuestionnaireVersion({
      questionnaireId: Q.id,
      version: Q.version,
      fileName: "par-officials.yaml",
      source: SOURCE,
      sourceHash: createHash("sha256").update(SOURCE).digest("hex"),
    });
    if (!stored.ok) throw new Error("not stored");
    // Open around the real clock, whenever the test runs.
    const now = Date.now();
    await db.campaigns.create({ id: "c1", name: "c1", questionnaireVersionPk: stored.record.pk, opensAt: new Date(now - 86_400_000), closesAt: new Date(now + 86_400_000), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await db.respondents.importRespondents("c1", [
      { externalId: "R1", fullName: "Nguyễn Văn An", unitCode: "STP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    const respondent = await db.respondents.getByExternalId("c1", "R1");
    await db.channel.access.insertCodes([
      { codeHash: hashCode("ABCDE23456", new Secret(CODE_SECRET)), campaignId: "c1", respondentId: respondent!.id, batchId: null, unitCode: null, issuedAt: new Date(now) },
    ]);
  } finally {
    await db.close();
  }
  stub = new BotApiStub();
  await stub.start();
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  await stub.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (/^(TELEGRAM_|BOT_MODE|WEBHOOK_|DATABASE_URL|CODE_SECRET|PORT|ADMIN_)/.test(name)) delete env[name];
  const started = spawn(process.execPath, [path.join(ROOT, "bin/run-ts.js"), path.join(ROOT, "test/channels/telegram/fixtures/run-bot.ts")], {
    cwd: dir,
    env: { ...env, TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: stub.apiRoot, DATABASE_URL: url, CODE_SECRET, LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  started.stderr?.on("data", () => undefined);
  return started;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Messages the stub accepted for the chat, with the ids it gave them (1000 + order of sending). */
function sent(): { id: number; text: string }[] {
  let next = 1000;
  const out: { id: number; text: string }[] = [];
  for (const call of stub.calls) {
    if (call.status !== 200 || call.method !== "sendMessage") continue;
    out.push({ id: next++, text: String(call.payload.text) });
  }
  return out;
}

async function session() {
  const db = await openDatabase(url, { migrate: false });
  try {
    return await db.channel.sessions.findLatest(`telegram:${USER}`);
  } finally {
    await db.close();
  }
}

async function pressOn(action: CallbackAction, expectMessages: number): Promise<void> {
  const s = await session();
  const live = sent().at(-1)!;
  stub.push(updates.callback(USER, encodeCallback(sessionTag(s!.id), action), live.id));
  await until(() => sent().length >= expectMessages);
}

const index = (id: string) => Q.byId.get(id)!.index;

test("killed mid-questionnaire and restarted, the respondent continues at the right question with all answers", async () => {
  child = startChild();
  await until(() => stub.callsOf("getUpdates").length > 0);
  stub.push(updates.text(USER, "/start KS_ABCDE23456"));
  await until(() => sent().length >= 2);
  await pressOn({ kind: "identity", confirm: true }, 4);
  await pressOn({ kind: "attestation", accept: true }, 6);
  expect(sent().at(-1)!.text).toMatch(/(^|\n)Câu 1\/tối đa 30\n/);
  let count = 6;
  for (const id of ["a1_1", "a1_2", "a1_3", "a2_1"]) await pressOn({ kind: "option", question: index(id), option: 1 }, ++count);
  expect(sent().at(-1)!.text).toMatch(/(^|\n)Câu 5\/tối đa 30\n/);

  child.kill("SIGKILL");
  await new Promise((resolve) => child!.once("exit", resolve));
  const killed = await session();
  expect(killed?.engine?.position).toMatchObject({ kind: "question", questionId: "a2_2" });
  expect(Object.keys(killed!.engine!.responses[0]!.answers)).toEqual(["a1_1", "a1_2", "a1_3", "a2_1"]);

  child = startChild();
  stub.push(updates.text(USER, "/start"));
  await until(() => sent().length >= count + 2);
  expect(sent().slice(-2).map((m) => m.text.split("\n").slice(0, 2).join("\n"))).toEqual(["Chào mừng Ông/Bà quay lại. Xin tiếp tục từ chỗ đã dừng.", "Câu 5/tối đa 30\nÔng/Bà đánh giá thế nào về việc tổ chức thực hiện và theo dõi thi hành pháp luật trong lĩnh vực cơ quan, đơn vị quản lý?"]);
  count += 2;
  await pressOn({ kind: "option", question: index("a2_2"), option: 0 }, count + 1);
  expect(sent().at(-1)!.text).toMatch(/(^|\n)Câu 6\/tối đa 30\n/);
  const resumed = await session();
  expect(Object.fromEntries(Object.entries(resumed!.engine!.responses[0]!.answers).map(([id, a]) => [id, a.value]))).toEqual({ a1_1: "2", a1_2: "2", a1_3: "2", a2_1: "2", a2_2: "1" });
  child.kill("SIGTERM");
}, 90_000);
