// The proof for several instances: TWO real bot processes (`khaosat start`, webhook mode) on one
// PostgreSQL database behind a pretend load balancer, with the loopback Bot API stub. Respondents'
// updates alternate between the instances, several chats at once; some updates reach both
// instances at the same moment (a redelivery racing the first delivery) and a multi-choice question
// gets three ticks at once, split over both instances. Then a broadcast is drained by both senders.
// Asserted on what was stored and what the stub received: no answer lost, none doubled, every
// broadcast message delivered once, and the combined send rate within the limit.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashCode } from "../../src/access/index.js";
import { parseCallback, type CallbackAction } from "../../src/channels/telegram/callback-data.js";
import { openDatabase, type Database } from "../../src/db/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { BotApiStub, type StubCall } from "../support/bot-api-stub.js";
import { createEmptyDatabase, TEST_DATABASE_URL, type EmptyDatabase } from "../support/db.js";
import { TEST_TOKEN } from "../channels/telegram/harness.js";
import { UpdateFactory } from "../support/telegram.js";
import { peakInWindow } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "two-processes-secret-0123456789abcdef0123";
const WEBHOOK_SECRET = "two-processes-webhook-secret";
const CHATS = 10;
const BROADCAST = 60;
/** The sender's budget (OUTBOX_RATE_PER_SECOND) and the limit the stub enforces, as Telegram's 25 and 30. */
const RATE = 10;
const LIMIT = 12;

const QUESTIONNAIRE = `schemaVersion: 1
id: multi-instance
version: 1
languages: [vi, en]
title: { vi: "Khảo sát thử", en: "Test survey" }
intro: { vi: "Xin chào", en: "Hello" }
attestation: { vi: "Tôi xác nhận tự trả lời", en: "I confirm I answer myself" }
groups:
  - { id: staff, label: { vi: "Cán bộ", en: "Staff" } }
sections:
  - id: s1
    title: { vi: "Phần 1", en: "Part 1" }
    questions:
      - id: q1
        type: single
        text: { vi: "Đánh giá chung?", en: "Overall?" }
        options:
          - { id: good, label: { vi: "Tốt", en: "Good" } }
          - { id: poor, label: { vi: "Kém", en: "Poor" } }
      - id: q2
        type: multi
        text: { vi: "Chọn", en: "Choose" }
        minSelect: 1
        maxSelect: 3
        options:
          - { id: a, label: { vi: "A", en: "A" } }
          - { id: b, label: { vi: "B", en: "B" } }
          - { id: c, label: { vi: "C", en: "C" } }
      - id: q3
        type: single
        text: { vi: "Lần nữa?", en: "Again?" }
        options:
          - { id: yes, label: { vi: "Có", en: "Yes" } }
          - { id: no, label: { vi: "Không", en: "No" } }
`;

const CODE_CHARS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const codeOf = (i: number) => `ABCDE${CODE_CHARS[Math.floor(i / CODE_CHARS.length)]}${CODE_CHARS[i % CODE_CHARS.length]}234`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One bot process: `khaosat start` in webhook mode on its own port. */
interface Instance {
  readonly port: number;
  readonly child: ChildProcess;
  readonly output: string[];
}

async function startInstance(env: Record<string, string>, port: number): Promise<Instance> {
  const output: string[] = [];
  const child = spawn(process.execPath, ["bin/khaosat.js", "start"], {
    cwd: ROOT,
    // Each its own web console port too (it is served in the same process).
    env: { ...process.env, ...env, PORT: String(port), WEBHOOK_URL: `http://127.0.0.1:${port}/telegram`, WEB_HOST: "127.0.0.1", WEB_PORT: String(await freePort()) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  await waitFor(`instance on port ${port} to start (output: ${output.join("")})`, () => (output.join("").includes("bot started") ? true : child.exitCode !== null ? Promise.reject(new Error(`exited: ${output.join("")}`)) : undefined), 90_000);
  return { port, child, output };
}

async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once("exit", resolve));
  instance.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (instance.child.exitCode === null) instance.child.kill("SIGKILL");
}

/** Posts an update to an instance's webhook, as Telegram (through the load balancer) would. */
async function deliver(instance: Instance, update: Update): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${instance.port}/telegram`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    body: JSON.stringify(update),
  });
  await response.arrayBuffer();
  return response.status;
}

type Button = { readonly text: string; readonly callback_data: string };

/** The bot's messages with buttons in a chat, oldest first, with their parsed actions. */
function keyboardsTo(stub: BotApiStub, chat: number): { call: StubCall; messageId: number; buttons: { data: string; action: CallbackAction }[] }[] {
  const out: { call: StubCall; messageId: number; buttons: { data: string; action: CallbackAction }[] }[] = [];
  stub.calls.forEach((call, index) => {
    if (call.method !== "sendMessage" || call.status !== 200 || Number(call.payload.chat_id) !== chat) return;
    const markup = call.payload.reply_markup as { inline_keyboard?: Button[][] } | undefined;
    const buttons = (markup?.inline_keyboard ?? []).flat().flatMap((b) => {
      const parsed = parseCallback(b.callback_data);
      return parsed ? [{ data: b.callback_data, action: parsed.action }] : [];
    });
    // The stub numbers its answers from 1000 in the order of the sending calls it records.
    if (buttons.length > 0) out.push({ call, messageId: messageIdOf(stub, index), buttons });
  });
  return out;
}

function messageIdOf(stub: BotApiStub, index: number): number {
  let id = 1000;
  for (let i = 0; i < index; i++) {
    const call = stub.calls[i]!;
    if (call.status === 200 && (call.method === "sendMessage" || call.method === "sendDocument" || call.method === "copyMessage")) id++;
  }
  return id;
}

describe.skipIf(!TEST_DATABASE_URL)("two bot processes in webhook mode on one PostgreSQL database (needs TEST_DATABASE_URL)", () => {
  let empty: EmptyDatabase;
  let db: Database;
  let stub: BotApiStub;
  let dir: string;
  const instances: Instance[] = [];

  beforeAll(async () => {
    empty = await createEmptyDatabase("postgres");
    db = await openDatabase(empty.url);
    const parsed = parseQuestionnaire(QUESTIONNAIRE, "multi-instance.yaml");
    if (!parsed.ok) throw new Error(`questionnaire does not load: ${parsed.issues[0]?.message}`);
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: parsed.questionnaire.id, version: 1, fileName: "multi-instance.yaml", source: QUESTIONNAIRE, sourceHash: createHash("sha256").update(QUESTIONNAIRE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    const opensAt = new Date(Date.now() - 86_400_000);
    await db.campaigns.create({ id: "c1", name: "c1", questionnaireVersionPk: version.record.pk, opensAt, closesAt: new Date(Date.now() + 7 * 86_400_000), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await db.respondents.importRespondents(
      "c1",
      Array.from({ length: CHATS }, (_, i) => ({ externalId: `R${i}`, fullName: `Người ${i}`, unitCode: "stp", unitName: "Sở Tư pháp", groupId: "staff", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false })),
    );
    const codes = [];
    for (let i = 0; i < CHATS; i++) {
      const respondent = await db.respondents.getByExternalId("c1", `R${i}`);
      codes.push({ codeHash: hashCode(codeOf(i), { reveal: () => SECRET }), campaignId: "c1", respondentId: respondent!.id, batchId: null, unitCode: null, issuedAt: new Date() });
    }
    await db.channel.access.insertCodes(codes);

    stub = new BotApiStub();
    await stub.start();
    dir = mkdtempSync(path.join(tmpdir(), "khaosat-multi-"));
    writeFileSync(path.join(dir, ".keep"), "");
    const env = {
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_API_ROOT: stub.apiRoot,
      DATABASE_URL: empty.url,
      CODE_SECRET: SECRET,
      BOT_MODE: "webhook",
      WEBHOOK_SECRET,
      WEBHOOK_HOST: "127.0.0.1",
      OUTBOX_RATE_PER_SECOND: String(RATE),
      LOG_LEVEL: "info",
    };
    const ports = [await freePort(), await freePort()];
    // One after the other: the first migrates, the second finds the schema current.
    instances.push(await startInstance(env, ports[0]!));
    instances.push(await startInstance(env, ports[1]!));
  }, 240_000);

  afterAll(async () => {
    for (const instance of instances) await stopInstance(instance);
    await stub?.stop();
    await db?.close();
    await empty?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test("interleaved updates of the same chats on both instances: every answer stored once; then a broadcast drained by both within the limit", async () => {
    const updates = new UpdateFactory();
    const [one, two] = instances as [Instance, Instance];

    async function respondent(i: number): Promise<void> {
      const user = 7_000 + i;
      // Alternate instances per update, starting on a different one per chat.
      let turn = i % 2;
      const next = () => (turn++ % 2 === 0 ? one : two);
      const other = (instance: Instance) => (instance === one ? two : one);
      const keyboards = () => keyboardsTo(stub, user);
      const waitKeyboard = (kind: CallbackAction["kind"], after: number) =>
        waitFor(`chat ${user}: a keyboard with ${kind}`, () => keyboards().find((k, n) => n >= after && k.buttons.some((b) => b.action.kind === kind)));
      const press = async (kind: CallbackAction["kind"], pick: (action: CallbackAction) => boolean = () => true, both = false) => {
        const shown = keyboards();
        const keyboard = [...shown].reverse().find((k) => k.buttons.some((b) => b.action.kind === kind && pick(b.action)))!;
        const button = keyboard.buttons.find((b) => b.action.kind === kind && pick(b.action))!;
        const update = updates.callback(user, button.data, keyboard.messageId);
        const target = next();
        // `both`: the same update reaches both instances at once (a redelivery racing the first).
        await Promise.all([deliver(target, update), ...(both ? [deliver(other(target), update)] : [])]);
        await answered([update]);
        return shown.length;
      };
      // The webhook may answer before the update is handled (after 1 s): wait for the button's answer.
      const answered = (sent: readonly Update[]) =>
        waitFor(`chat ${user}: buttons answered`, () => {
          const ids = new Set(stub.callsOf("answerCallbackQuery").map((c) => String(c.payload.callback_query_id)));
          return sent.every((u) => ids.has(u.callback_query!.id)) ? true : undefined;
        });

      const start = updates.text(user, `/start KS_${codeOf(i)}`);
      const first = next();
      await Promise.all([deliver(first, start), deliver(other(first), start)]);
      await waitKeyboard("identity", 0);
      let seen = await press("identity", (a) => a.kind === "identity" && a.confirm, true);
      await waitKeyboard("attestation", seen);
      seen = await press("attestation", (a) => a.kind === "attestation" && a.accept);
      await waitKeyboard("option", seen);
      seen = await press("option", (a) => a.kind === "option" && a.option === 0, true);
      await waitKeyboard("toggle", seen);
      // Three ticks of one question at once, over both instances: each must be kept.
      const q2 = keyboards().at(-1)!;
      const ticks = [0, 1, 2].map((option) => updates.callback(user, q2.buttons.find((b) => b.action.kind === "toggle" && b.action.option === option)!.data, q2.messageId));
      await Promise.all(ticks.map((tick, n) => deliver(n === 1 ? two : one, tick)));
      await answered(ticks);
      seen = await press("done");
      await waitKeyboard("option", seen);
      seen = await press("option", (a) => a.kind === "option" && a.option === 1);
      await waitKeyboard("submit", seen);
      await press("submit", () => true, true);
    }

    try {
      await Promise.all(Array.from({ length: CHATS }, (_, i) => respondent(i)));
    } catch (error) {
      // What the instances logged and what the chats received, to tell why.
      console.error(instances.map((x) => x.output.join("").slice(-3000)).join("\n-----\n"));
      console.error(JSON.stringify(stub.calls.filter((c) => Number(c.payload.chat_id) === 7_000).map((c) => [c.method, c.status, c.payload.text])));
      throw error;
    }

    // No answer lost, none doubled: three Answer rows per respondent, each with what was chosen.
    const submitted = await waitFor("every response submitted", async () => {
      const count = await countRows(empty.url, `SELECT COUNT(*) AS n FROM "Response" WHERE "status" = 'submitted'`);
      return count === CHATS ? count : undefined;
    });
    expect(submitted).toBe(CHATS);
    const answers = await queryAll<{ questionId: string; value: string }>(empty.url, `SELECT a."questionId", a."value" FROM "Answer" a JOIN "Response" r ON r."id" = a."responseId" WHERE r."campaignId" = 'c1'`);
    expect(answers).toHaveLength(CHATS * 3);
    const values = (q: string) => answers.filter((a) => a.questionId === q).map((a) => JSON.parse(a.value) as unknown);
    expect(values("q1")).toEqual(Array(CHATS).fill("good"));
    expect(values("q2").map((v) => [...(v as string[])].sort())).toEqual(Array(CHATS).fill(["a", "b", "c"]));
    expect(values("q3")).toEqual(Array(CHATS).fill("no"));
    expect(await countRows(empty.url, `SELECT COUNT(*) AS n FROM "Response"`)).toBe(CHATS);
    expect(await countRows(empty.url, `SELECT COUNT(*) AS n FROM "Session"`)).toBe(CHATS);
    // Each update that reached both instances was answered once: one identity prompt per chat, one thanks.
    for (let i = 0; i < CHATS; i++) {
      const shown = keyboardsTo(stub, 7_000 + i);
      for (const kind of ["identity", "attestation", "toggle", "submit"] as const) expect(shown.filter((k) => k.buttons.some((b) => b.action.kind === kind))).toHaveLength(1);
    }
    // Neither instance failed an update.
    for (const instance of instances) expect(instance.output.join("")).not.toMatch(/"level":"error"/);

    // A broadcast drained by both senders: each message once, within the limit.
    stub.options = { globalRate: LIMIT };
    const before = stub.calls.length;
    await db.outbox.enqueue(Array.from({ length: BROADCAST }, (_, i) => ({ kind: "broadcast" as const, batchId: "multi", chatId: String(9_000 + i), dedupeKey: `multi:${i}`, text: `Nhắc ${i}`, notBefore: new Date(0) })));
    await waitFor("the broadcast sent", async () => ((await db.outbox.pending("multi")) === 0 ? true : undefined), 120_000);
    const sends = stub.calls.slice(before).filter((c) => c.method === "sendMessage");
    expect(sends.every((c) => c.status === 200)).toBe(true);
    expect(sends.map((c) => Number(c.payload.chat_id)).sort((a, b) => a - b)).toEqual(Array.from({ length: BROADCAST }, (_, i) => 9_000 + i));
    expect(await db.outbox.counts({ batchId: "multi" })).toEqual({ broadcast: { sent: BROADCAST } });
    const seconds = (sends.at(-1)!.at - sends[0]!.at) / 1000;
    // MULTI_REPORT=1 prints what was measured (for a report; the assertions below are the test).
    if (process.env.MULTI_REPORT) console.log(JSON.stringify({ broadcast: sends.length, peakPerSecond: peakInWindow(sends.map((c) => c.at)), averagePerSecond: Math.round(((sends.length - 1) / seconds) * 100) / 100 }));
    expect(peakInWindow(sends.map((c) => c.at))).toBeLessThanOrEqual(LIMIT);
    expect((sends.length - 1) / seconds).toBeLessThanOrEqual(RATE * 1.05);
    // Both senders took part (their claim tokens name two workers).
    const workers = await queryAll<{ w: string }>(empty.url, `SELECT DISTINCT split_part("claimToken", ':', 1) AS w FROM "OutboxMessage" WHERE "batchId" = 'multi'`);
    expect(workers).toHaveLength(2);
  }, 300_000);
});

async function queryAll<T>(url: string, sql: string): Promise<T[]> {
  const { queryRows } = await import("../outbox/support.js");
  return queryRows<T>(url, sql);
}

async function countRows(url: string, sql: string): Promise<number> {
  const [row] = await queryAll<{ n: number | string }>(url, sql);
  return Number(row?.n ?? 0);
}
