// Respondent bot benchmark (`npm run bench:bot`): N simulated respondents answering concurrently
// through the loopback Bot API stub in polling mode (grammY runner, per-chat sequencing) on a
// SQLite file, against a minimal echo bot on the same stub in the same run as the ceiling.
// Reports updates per second under a flood, and p50/p99 handling time both under the flood and
// paced at 200 updates per second. Settings: BENCH_RESPONDENTS (default 200), BENCH_ANSWERS
// (answers per respondent per phase, default 5), BENCH_RATE (paced rate, default 200).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RunnerHandle } from "@grammyjs/runner";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import { hashCode, RedemptionService } from "../src/access/index.js";
import { createBot, startPolling } from "../src/bot/index.js";
import { encodeCallback, sessionTag, type BotLogger, type BotSession } from "../src/channels/telegram/index.js";
import { Secret } from "../src/config/index.js";
import { openDatabase, type Database } from "../src/db/index.js";
import { createI18n } from "../src/i18n/index.js";
import { parseQuestionnaire } from "../src/questionnaire/index.js";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { TEST_BOT_INFO, UpdateFactory } from "../test/support/telegram.js";

const RESPONDENTS = Number(process.env.BENCH_RESPONDENTS ?? 200);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const TOKEN = "123456789:AAHbenchTokenBenchTokenBenchTokenBen";
const SECRET = new Secret("bench-secret-0123456789abcdef0123456789abcdef");
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SOURCE = readFileSync(path.join(ROOT, "examples/par-officials.yaml"), "utf8");
const silent: BotLogger = { debug: () => {}, info: () => {}, warn: (d, m) => console.error(m, d), error: (d, m) => console.error(m, d) };

/** Handling time of every update, measured around `bot.handleUpdate` (what the runner calls). */
function timed(bot: Bot<Context>): number[] {
  const times: number[] = [];
  const handle = bot.handleUpdate.bind(bot);
  bot.handleUpdate = async (update, webhookReplyEnvelope) => {
    const start = performance.now();
    try {
      return await handle(update, webhookReplyEnvelope);
    } finally {
      times.push(performance.now() - start);
    }
  };
  return times;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 300_000, everyMs = 5): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("benchmark timed out");
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface PhaseResult {
  readonly updates: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

/** Pushes all updates at once and waits until every one was handled. */
async function flood(stub: BotApiStub, times: number[], updates: readonly Update[]): Promise<PhaseResult> {
  const before = times.length;
  const start = performance.now();
  stub.push(...updates);
  await until(() => times.length >= before + updates.length);
  const seconds = (performance.now() - start) / 1000;
  const slice = times.slice(before);
  return { updates: updates.length, seconds, p50: percentile(slice, 50), p99: percentile(slice, 99) };
}

/** Pushes updates at `rate` per second (in 10 ms slots) and waits until every one was handled. */
async function paced(stub: BotApiStub, times: number[], updates: readonly Update[], rate: number): Promise<PhaseResult> {
  const before = times.length;
  const start = performance.now();
  let sent = 0;
  while (sent < updates.length) {
    const due = Math.min(updates.length, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    if (due > sent) {
      stub.push(...updates.slice(sent, due));
      sent = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await until(() => times.length >= before + updates.length);
  const seconds = (performance.now() - start) / 1000;
  const slice = times.slice(before);
  return { updates: updates.length, seconds, p50: percentile(slice, 50), p99: percentile(slice, 99) };
}

function answers(factory: UpdateFactory, count: number, base: number): Update[] {
  // Round-robin over respondents, as concurrent people would send them.
  const out: Update[] = [];
  for (let k = 0; k < count; k++) for (let r = 0; r < RESPONDENTS; r++) out.push(factory.text(base + r, "1"));
  return out;
}

async function echoBot(stub: BotApiStub): Promise<{ result: [PhaseResult, PhaseResult]; stop(): Promise<unknown> }> {
  const bot = new Bot<Context>(TOKEN, { botInfo: TEST_BOT_INFO, client: { apiRoot: stub.apiRoot } });
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  const times = timed(bot);
  const runner = await startPolling(bot, { logger: silent, timeoutSeconds: 1 });
  const factory = new UpdateFactory();
  const floodResult = await flood(stub, times, answers(factory, ANSWERS, 10_000_000));
  const pacedResult = await paced(stub, times, answers(factory, ANSWERS, 10_000_000), RATE);
  return { result: [floodResult, pacedResult], stop: () => stopRunner(runner) };
}

async function stopRunner(runner: RunnerHandle): Promise<void> {
  if (runner.isRunning()) await runner.stop();
}

async function seed(db: Database): Promise<void> {
  const parsed = parseQuestionnaire(SOURCE, "par-officials.yaml");
  if (!parsed.ok) throw new Error("example does not load");
  const stored = await db.campaigns.storeQuestionnaireVersion({
    questionnaireId: parsed.questionnaire.id,
    version: parsed.questionnaire.version,
    fileName: "par-officials.yaml",
    source: SOURCE,
    sourceHash: createHash("sha256").update(SOURCE).digest("hex"),
  });
  if (!stored.ok) throw new Error("not stored");
  const now = Date.now();
  await db.campaigns.create({ id: "bench", name: "bench", questionnaireVersionPk: stored.record.pk, opensAt: new Date(now - 86_400_000), closesAt: new Date(now + 86_400_000), timeZone: "Asia/Ho_Chi_Minh", identified: false });
  await db.respondents.importRespondents(
    "bench",
    Array.from({ length: RESPONDENTS }, (_, i) => ({
      externalId: `R${i}`,
      fullName: `Người ${i}`,
      unitCode: "STP",
      unitName: "Sở Tư pháp",
      groupId: "officials",
      language: "vi",
      phone: null,
      email: null,
      subjectUnits: [],
      coordinator: false,
    })),
  );
  const ids = new Map((await db.respondents.list("bench")).map((r) => [r.externalId, r.id]));
  await db.channel.access.insertCodes(
    Array.from({ length: RESPONDENTS }, (_, i) => ({ codeHash: hashCode(codeOf(i), SECRET), campaignId: "bench", respondentId: ids.get(`R${i}`)!, batchId: null, unitCode: null, issuedAt: new Date(now) })),
  );
}

const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
function codeOf(i: number): string {
  let n = i;
  let code = "";
  for (let k = 0; k < 10; k++) {
    code = ALPHABET[n % ALPHABET.length] + code;
    n = Math.floor(n / ALPHABET.length);
  }
  return code;
}

async function surveyBot(stub: BotApiStub, db: Database): Promise<{ result: [PhaseResult, PhaseResult]; stop(): Promise<unknown> }> {
  const { channel } = db;
  const bot = createBot({
    token: TOKEN,
    botInfo: TEST_BOT_INFO,
    apiRoot: stub.apiRoot,
    deps: {
      ports: { codes: new RedemptionService({ repository: channel.access, secret: SECRET }), campaigns: channel.campaigns, respondents: channel.respondents, sessions: channel.sessions },
      i18n: createI18n(),
      now: () => new Date(),
      logger: silent,
      defaultLanguage: "vi",
    },
  });
  const times = timed(bot);
  const runner = await startPolling(bot, { logger: silent, timeoutSeconds: 1 });
  const factory = new UpdateFactory();
  const base = 20_000_000;
  const sessions = async () => Promise.all(Array.from({ length: RESPONDENTS }, (_, r) => channel.sessions.findLatest(`telegram:${base + r}`)));
  const press = async (list: (BotSession | undefined)[], action: (s: BotSession) => Parameters<typeof encodeCallback>[1]) =>
    stub.push(...list.map((s, r) => factory.callback(base + r, encodeCallback(sessionTag(s!.id), action(s!)), s!.prompt!.messageId)));

  // Not measured: every respondent redeems a code, confirms identity and accepts the attestation
  // (checked every half second: the check reads every session and must not starve the bot).
  const ready = (kind: string) => until(async () => (await sessions()).every((s) => s?.prompt?.kind === kind), 300_000, 500);
  stub.push(...Array.from({ length: RESPONDENTS }, (_, r) => factory.text(base + r, `/start KS_${codeOf(r)}`)));
  await ready("identity");
  await press(await sessions(), () => ({ kind: "identity", confirm: true }));
  await ready("attestation");
  await press(await sessions(), () => ({ kind: "attestation", accept: true }));
  await ready("question");

  const floodResult = await flood(stub, times, answers(factory, ANSWERS, base));
  const pacedResult = await paced(stub, times, answers(factory, ANSWERS, base), RATE);
  const stored = (await sessions()).reduce((sum, s) => sum + Object.keys(s?.engine?.responses[0]?.answers ?? {}).length, 0);
  if (stored !== RESPONDENTS * ANSWERS * 2) throw new Error(`expected ${RESPONDENTS * ANSWERS * 2} stored answers, found ${stored}`);
  return { result: [floodResult, pacedResult], stop: () => stopRunner(runner) };
}

const fmt = (r: PhaseResult) =>
  `${r.updates} updates in ${r.seconds.toFixed(2)} s = ${(r.updates / r.seconds).toFixed(0)} updates/s; handling p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;

export async function benchBot(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-bot-"));
  const stub = new BotApiStub();
  await stub.start();
  try {
    console.log(`respondents ${RESPONDENTS}, ${ANSWERS} answers each per phase, paced rate ${RATE}/s, node ${process.version}`);
    const echo = await echoBot(stub);
    await echo.stop();
    const db = await openDatabase(`file:${path.join(dir, "bench.db")}`);
    try {
      await seed(db);
      const survey = await surveyBot(stub, db);
      await survey.stop();
      console.log(`echo bot   flood : ${fmt(echo.result[0])}`);
      console.log(`survey bot flood : ${fmt(survey.result[0])}`);
      console.log(`echo bot   ${RATE}/s: ${fmt(echo.result[1])}`);
      console.log(`survey bot ${RATE}/s: ${fmt(survey.result[1])}`);
      const ratio = survey.result[0].updates / survey.result[0].seconds / (echo.result[0].updates / echo.result[0].seconds);
      console.log(`survey/echo flood rate: ${ratio.toFixed(2)} (target ≥ 0.5); paced p99 ${survey.result[1].p99.toFixed(1)} ms (target < 50 ms)`);
    } finally {
      await db.close();
    }
  } finally {
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("bench/bot.ts")) await benchBot();
