// Respondent bot benchmark (`npm run bench:bot`): N simulated respondents answer concurrently through
// a loopback Bot API stub in polling mode (grammY runner, per-chat sequencing) on a SQLite file; the
// ceiling is a minimal echo bot on its own stub in the same process. Both bots are started and warmed
// first, then measured alternately (echo, survey, echo, survey, …), three rounds each:
// - flood: every respondent's next answers pushed at once; updates per second until every reply is in.
// - paced: updates pushed at BENCH_RATE per second (default 200).
// Handling time of an update runs from the moment the stub hands it out (getUpdates) to the moment the
// bot's last reply to it reaches the stub, so time queued in the runner counts. Each figure is the
// median of the three rounds. Each bot has its own stub and update ids never repeat, so no long poll of
// one can confirm away the other's updates. A phase that does not finish within BENCH_PHASE_TIMEOUT_S
// (default 120 s) fails the benchmark with a message saying where it stopped.
// Settings: BENCH_RESPONDENTS (200), BENCH_ANSWERS (answers per respondent per round, 4), BENCH_RATE (200).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
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
import { median, reportResult, reportTarget } from "./result.js";

const RESPONDENTS = Number(process.env.BENCH_RESPONDENTS ?? 200);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const ROUNDS = 3;
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_S ?? 120) * 1000;
const TOKEN = "123456789:AAHbenchTokenBenchTokenBenchTokenBen";
const SECRET = new Secret("bench-secret-0123456789abcdef0123456789abcdef");
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SOURCE = readFileSync(path.join(ROOT, "examples/par-officials.yaml"), "utf8");
const silent: BotLogger = { debug: () => {}, info: () => {}, warn: (d, m) => console.error(m, d), error: (d, m) => console.error(m, d) };
const SENDING = new Set(["sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "copyMessage"]);

/** One update id sequence for every bot and phase: ids never repeat within a run. */
const factory = new UpdateFactory();

/** A bot under test: its stub, and when the bot finished handling each update. */
interface Subject {
  readonly name: string;
  readonly stub: BotApiStub;
  /** performance.now() at the end of handleUpdate, by update_id. */
  readonly done: Map<number, number>;
  /** The chat ids of its respondents. */
  readonly chats: readonly number[];
  stop(): Promise<void>;
}

/** Records when the bot finished each update (the runner calls handleUpdate). */
function recordDone(bot: Bot<Context>): Map<number, number> {
  const done = new Map<number, number>();
  const handle = bot.handleUpdate.bind(bot);
  bot.handleUpdate = async (update, webhookReplyEnvelope) => {
    try {
      return await handle(update, webhookReplyEnvelope);
    } finally {
      done.set(update.update_id, performance.now());
    }
  };
  return done;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function until(what: () => string, check: () => boolean | Promise<boolean>, timeoutMs = PHASE_TIMEOUT_MS, everyMs = 5): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`bench:bot timed out after ${(timeoutMs / 1000).toFixed(0)} s: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface PhaseResult {
  readonly updates: number;
  readonly seconds: number;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Handling times of `updates`: from the stub handing each out to the last sending call for its chat
 * that arrived while the bot handled it (the bot's reply; the end of handling when it sent nothing).
 */
function handlingTimes(subject: Subject, updates: readonly Update[], calls: readonly { method: string; payload: Record<string, unknown>; at: number }[]): number[] {
  const lastReply = new Map<number, number[]>();
  for (const call of calls) {
    if (!SENDING.has(call.method)) continue;
    const chat = Number(call.payload.chat_id);
    let list = lastReply.get(chat);
    if (!list) lastReply.set(chat, (list = []));
    list.push(call.at);
  }
  return updates.map((u) => {
    const chat = chatOf(u);
    const out = subject.stub.handedOutAt.get(u.update_id)!;
    const end = subject.done.get(u.update_id)!;
    let reply = end;
    // Calls of a chat arrive in order and the chat's updates are handled one at a time (sequentialize).
    const list = lastReply.get(chat) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]! <= end && list[i]! >= out) {
        reply = list[i]!;
        break;
      }
    }
    return reply - out;
  });
}

function chatOf(update: Update): number {
  return update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ?? 0;
}

async function phase(subject: Subject, updates: readonly Update[], rate: number | null): Promise<PhaseResult> {
  const firstCall = subject.stub.calls.length;
  const start = performance.now();
  if (rate === null) subject.stub.push(...updates);
  else {
    let sent = 0;
    while (sent < updates.length) {
      const due = Math.min(updates.length, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      if (due > sent) {
        subject.stub.push(...updates.slice(sent, due));
        sent = due;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const last = updates.at(-1)!.update_id;
  // Checked from the first one not yet seen handled: O(1) on average per check, not a scan of every update from the start.
  let seen = 0;
  await until(
    () => `${subject.name} bot, ${rate === null ? "flood" : `${rate}/s`}: ${updates.filter((u) => subject.done.has(u.update_id)).length} of ${updates.length} updates handled`,
    () => {
      while (seen < updates.length && subject.done.has(updates[seen]!.update_id)) seen++;
      return seen === updates.length;
    },
  );
  void last;
  const end = Math.max(...updates.map((u) => subject.done.get(u.update_id)!));
  const seconds = (end - start) / 1000;
  const times = handlingTimes(subject, updates, subject.stub.calls.slice(firstCall));
  return { updates: updates.length, seconds, rate: updates.length / seconds, p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** One round of answers: each respondent's next `ANSWERS` texts, round-robin as concurrent people send them. */
function round(subject: Subject): Update[] {
  const out: Update[] = [];
  for (let k = 0; k < ANSWERS; k++) for (const chat of subject.chats) out.push(factory.text(chat, "1"));
  return out;
}

async function stopRunner(runner: RunnerHandle): Promise<void> {
  if (runner.isRunning()) await runner.stop();
}

async function echoBot(): Promise<Subject> {
  const stub = new BotApiStub();
  await stub.start();
  const bot = new Bot<Context>(TOKEN, { botInfo: TEST_BOT_INFO, client: { apiRoot: stub.apiRoot } });
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  const done = recordDone(bot);
  const runner = await startPolling(bot, { logger: silent, timeoutSeconds: 1 });
  return {
    name: "echo",
    stub,
    done,
    chats: Array.from({ length: RESPONDENTS }, (_, r) => 10_000_000 + r),
    async stop() {
      await stopRunner(runner);
      await stub.stop();
    },
  };
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

async function surveyBot(db: Database): Promise<Subject> {
  const stub = new BotApiStub();
  await stub.start();
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
  const done = recordDone(bot);
  const runner = await startPolling(bot, { logger: silent, timeoutSeconds: 1 });
  const base = 20_000_000;
  const chats = Array.from({ length: RESPONDENTS }, (_, r) => base + r);
  const sessions = async () => Promise.all(chats.map((chat) => channel.sessions.findLatest(`telegram:${chat}`)));
  const press = async (list: (BotSession | undefined)[], action: (s: BotSession) => Parameters<typeof encodeCallback>[1]) =>
    stub.push(...list.map((s, r) => factory.callback(chats[r]!, encodeCallback(sessionTag(s!.id), action(s!)), s!.prompt!.messageId)));

  // Not measured: every respondent redeems a code, confirms identity and accepts the attestation
  // (checked every half second: the check reads every session and must not starve the bot).
  const ready = (kind: string) => until(() => `survey bot: every respondent at the ${kind} step`, async () => (await sessions()).every((s) => s?.prompt?.kind === kind), PHASE_TIMEOUT_MS, 500);
  stub.push(...chats.map((chat, r) => factory.text(chat, `/start KS_${codeOf(r)}`)));
  await ready("identity");
  await press(await sessions(), () => ({ kind: "identity", confirm: true }));
  await ready("attestation");
  await press(await sessions(), () => ({ kind: "attestation", accept: true }));
  await ready("question");
  return {
    name: "survey",
    stub,
    done,
    chats,
    async stop() {
      await stopRunner(runner);
      await stub.stop();
    },
  };
}

const fmt = (r: PhaseResult) => `${r.updates} updates in ${r.seconds.toFixed(2)} s = ${r.rate.toFixed(0).padStart(5)} updates/s; handling p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;

export async function benchBot(): Promise<void> {
  // As bin/khaosat.js runs the bot: WebAssembly (Prisma's query compiler) on baseline code only.
  if (process.env.BENCH_WASM_TIER_UP !== "1") v8.setFlagsFromString("--liftoff-only");
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-bot-"));
  const db = await openDatabase(`file:${path.join(dir, "bench.db")}`);
  const subjects: Subject[] = [];
  try {
    console.log(`bench:bot: ${RESPONDENTS} respondents, ${ANSWERS} answers each per round, ${ROUNDS} alternating rounds per figure, paced rate ${RATE}/s, node ${process.version}`);
    await seed(db);
    const echo = await echoBot();
    subjects.push(echo);
    const survey = await surveyBot(db);
    subjects.push(survey);
    // Warm both (JIT, connections, statement caches), not measured.
    await phase(echo, round(echo), null);
    await phase(survey, round(survey), null);

    const results = { echo: { flood: [] as PhaseResult[], paced: [] as PhaseResult[] }, survey: { flood: [] as PhaseResult[], paced: [] as PhaseResult[] } };
    for (let r = 0; r < ROUNDS; r++) {
      for (const subject of [echo, survey]) {
        const result = await phase(subject, round(subject), null);
        results[subject.name as "echo" | "survey"].flood.push(result);
        console.log(`  round ${r + 1} ${subject.name.padEnd(6)} flood   : ${fmt(result)}`);
      }
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const subject of [echo, survey]) {
        const result = await phase(subject, round(subject), RATE);
        results[subject.name as "echo" | "survey"].paced.push(result);
        console.log(`  round ${r + 1} ${subject.name.padEnd(6)} ${`${RATE}/s`.padEnd(8)}: ${fmt(result)}`);
      }
    }
    // Every answer the survey bot acknowledged is stored: the same number for every respondent.
    const stored = (await Promise.all(survey.chats.map((chat) => db.channel.sessions.findLatest(`telegram:${chat}`)))).map(
      (s) => Object.keys(s?.engine?.responses[0]?.answers ?? {}).length,
    );
    if (stored.some((n) => n !== stored[0]) || stored[0] === 0) throw new Error(`stored answers differ between respondents: ${[...new Set(stored)].join(", ")}`);

    const echoRate = median(results.echo.flood.map((x) => x.rate));
    const surveyRate = median(results.survey.flood.map((x) => x.rate));
    const surveyP99 = median(results.survey.paced.map((x) => x.p99));
    const echoP99 = median(results.echo.paced.map((x) => x.p99));
    console.log(`medians: echo ${echoRate.toFixed(0)} updates/s, survey ${surveyRate.toFixed(0)} updates/s (${stored[0]} answers stored per respondent); paced p99 echo ${echoP99.toFixed(1)} ms, survey ${surveyP99.toFixed(1)} ms`);
    reportTarget("bot", "survey ÷ warm echo updates/s (flood)", surveyRate / echoRate, "x", ">= 0.5");
    reportTarget("bot", `survey p99 handling at ${RATE} updates/s`, surveyP99, "ms", "< 50");
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    reportResult({ bench: "bot", name: "benchmark finished", figure: Number.NaN, unit: "", target: "finishes", pass: false });
  } finally {
    for (const subject of subjects) await subject.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("bench/bot.ts")) await benchBot();
