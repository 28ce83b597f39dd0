// Respondent bot benchmark (`npm run bench:bot`): N simulated respondents answer concurrently through
// a loopback Bot API stub in polling mode (grammY runner, per-chat sequencing) on a SQLite file; the
// ceiling is a minimal echo bot on its own stub in the same process. The survey bot is wired as
// `khaosat start` wires it (startBot with the bot's work on its own thread, host-thread.ts; the
// compiled code of dist/); the same bot on one thread (createBot, as before) is measured beside it
// under the flood for comparison. The bots are started and warmed first (other respondents answer
// the whole questionnaire, as many rounds as will be measured: one warm round left the survey's
// later questions and review to be compiled while measured, 180 functions optimised in the first
// measured round), then measured alternately (echo, survey, one-thread survey, echo, …), five flood
// rounds and three paced ones each:
// - flood: every respondent's next answers pushed at once; updates per second until every reply is in.
// - paced: updates pushed at BENCH_RATE per second (default 200).
// Handling time of an update runs from the moment the stub hands it out (getUpdates) to the moment the
// bot's last reply to it reaches the stub, so time queued in the runner counts. Each figure is the
// median of its rounds. Each bot has its own stub and update ids never repeat, so no long poll of
// one can confirm away the other's updates. A phase that does not finish within BENCH_PHASE_TIMEOUT_S
// (default 120 s) fails the benchmark with a message saying where it stopped.
// Each phase also reports the CPU time of the whole process per update (every thread), steadier than
// the rates when the machine is shared; on Linux the survey's floods are also split by thread (the
// main thread, the bot's own threads, V8's helper threads), from /proc.
// Settings: BENCH_RESPONDENTS (200), BENCH_ANSWERS (answers per respondent per round, 4), BENCH_RATE (200).
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import type { RunnerHandle } from "@grammyjs/runner";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import type * as accessModule from "../src/access/index.js";
import type * as botModule from "../src/bot/index.js";
import type * as telegramModule from "../src/channels/telegram/index.js";
import type { BotLogger, BotSession } from "../src/channels/telegram/index.js";
import type * as configModule from "../src/config/index.js";
import type * as dbModule from "../src/db/index.js";
import type { Database } from "../src/db/index.js";
import type * as i18nModule from "../src/i18n/index.js";
import type * as questionnaireModule from "../src/questionnaire/index.js";
import { BotApiStub } from "../test/support/bot-api-stub.js";
import { TEST_BOT_INFO, UpdateFactory } from "../test/support/telegram.js";
import { ensureBuilt, median, reportResult, reportTarget } from "./result.js";

const RESPONDENTS = Number(process.env.BENCH_RESPONDENTS ?? 200);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 200);
/** Flood rounds per bot: five, so one round slowed by a neighbour on a shared machine does not move the median. */
const FLOOD_ROUNDS = 5;
const PACED_ROUNDS = 3;
const WARM_ROUNDS = FLOOD_ROUNDS + PACED_ROUNDS;
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_S ?? 120) * 1000;
const TOKEN = "123456789:AAHbenchTokenBenchTokenBenchTokenBen";
const SECRET_TEXT = "bench-secret-0123456789abcdef0123456789abcdef";
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The compiled program (dist/), as `khaosat start` runs it; loaded once built. */
const compiled = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(ROOT, "dist", file)).href)) as T;
let lib: {
  access: typeof accessModule;
  bot: typeof botModule;
  telegram: typeof telegramModule;
  config: typeof configModule;
  db: typeof dbModule;
  i18n: typeof i18nModule;
  questionnaire: typeof questionnaireModule;
};
async function loadCompiled(): Promise<void> {
  lib = {
    access: await compiled("access/index.js"),
    bot: await compiled("bot/index.js"),
    telegram: await compiled("channels/telegram/index.js"),
    config: await compiled("config/index.js"),
    db: await compiled("db/index.js"),
    i18n: await compiled("i18n/index.js"),
    questionnaire: await compiled("questionnaire/index.js"),
  };
}
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
  /** Other respondents, who answer the whole questionnaire before anything is measured. */
  readonly warmChats: readonly number[];
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

/**
 * CPU time (user + system, in clock ticks) of each of this process's threads, by thread id; empty
 * where there is no /proc/self/task (not Linux).
 */
function threadTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return ticks;
  }
  for (const task of tasks) {
    try {
      // After the command name's closing parenthesis, utime and stime are the 12th and 13th fields.
      const fields = readFileSync(`/proc/self/task/${task}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks.set(Number(task), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ticks;
}
/** Linux's clock ticks per second for /proc's times (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU ticks of each thread while `run` runs, added to `into`. */
async function countTicks<T>(into: Map<number, number>, run: () => Promise<T>): Promise<T> {
  const before = threadTicks();
  const result = await run();
  for (const [thread, ticks] of threadTicks()) into.set(thread, (into.get(thread) ?? 0) + ticks - (before.get(thread) ?? 0));
  return result;
}

interface PhaseResult {
  readonly updates: number;
  readonly seconds: number;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of the whole process (every thread) per update, in microseconds: what an update costs, whatever the machine's load. */
  readonly cpuPerUpdate: number;
  /** Bot API calls per update, getUpdates left out (each costs the bot a request and the stub an answer). */
  readonly callsPerUpdate: number;
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
  const cpuBefore = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpuBefore);
  const end = Math.max(...updates.map((u) => subject.done.get(u.update_id)!));
  const seconds = (end - start) / 1000;
  const calls = subject.stub.calls.slice(firstCall);
  const times = handlingTimes(subject, updates, calls);
  const callsPerUpdate = calls.filter((c) => c.method !== "getUpdates").length / updates.length;
  return { updates: updates.length, seconds, rate: updates.length / seconds, p50: percentile(times, 50), p99: percentile(times, 99), cpuPerUpdate: (cpu.user + cpu.system) / updates.length, callsPerUpdate };
}

/** One round of answers: each respondent's next `ANSWERS` texts, round-robin as concurrent people send them. */
function round(subject: Subject, chats = subject.chats): Update[] {
  const out: Update[] = [];
  for (let k = 0; k < ANSWERS; k++) for (const chat of chats) out.push(factory.text(chat, "1"));
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
  const runner = await lib.bot.startPolling(bot, { logger: silent, timeoutSeconds: 1 });
  return {
    name: "echo",
    stub,
    done,
    chats: Array.from({ length: RESPONDENTS }, (_, r) => 10_000_000 + r),
    warmChats: Array.from({ length: RESPONDENTS }, (_, r) => 10_000_000 + RESPONDENTS + r),
    async stop() {
      await stopRunner(runner);
      await stub.stop();
    },
  };
}

/** Respondents seeded: RESPONDENTS measured and RESPONDENTS warming up for each survey bot. */
const SURVEYS = 2;
const SEEDED = RESPONDENTS * SURVEYS * 2;

async function seed(db: Database): Promise<void> {
  const parsed = lib.questionnaire.parseQuestionnaire(SOURCE, "par-officials.yaml");
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
    Array.from({ length: SEEDED }, (_, i) => ({
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
    Array.from({ length: SEEDED }, (_, i) => ({ codeHash: lib.access.hashCode(codeOf(i), new lib.config.Secret(SECRET_TEXT)), campaignId: "bench", respondentId: ids.get(`R${i}`)!, batchId: null, unitCode: null, issuedAt: new Date(now) })),
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

/** A survey bot running: the bot whose handleUpdate the runner calls, and how to stop it. */
interface Started {
  readonly bot: Bot<Context>;
  stop(): Promise<void>;
}

/** As `khaosat start` runs it: startBot with the bot's work on its own thread. */
async function threaded(stub: BotApiStub, databaseUrl: string): Promise<Started> {
  const config = lib.config.loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: stub.apiRoot, DATABASE_URL: databaseUrl, CODE_SECRET: SECRET_TEXT });
  const i18n = lib.i18n.createI18n();
  const running = await lib.bot.startBot({
    config,
    logger: silent,
    i18n,
    botInfo: TEST_BOT_INFO,
    pollingTimeoutSeconds: 1,
    // Not used with a thread (its worker opens its own): the type asks for them.
    ports: undefined as never,
    thread: lib.bot.telegramThread(config, SECRET_TEXT, silent, i18n),
  });
  return { bot: running.bot, stop: () => running.stop() };
}

/** The same bot on this one thread (createBot and the runner), as before the thread. */
async function inline(stub: BotApiStub, db: Database): Promise<Started> {
  const { channel } = db;
  const bot = lib.bot.createBot({
    token: TOKEN,
    botInfo: TEST_BOT_INFO,
    apiRoot: stub.apiRoot,
    deps: {
      ports: { codes: new lib.access.RedemptionService({ repository: channel.access, secret: new lib.config.Secret(SECRET_TEXT) }), campaigns: channel.campaigns, respondents: channel.respondents, sessions: channel.sessions },
      i18n: lib.i18n.createI18n(),
      now: () => new Date(),
      logger: silent,
      defaultLanguage: "vi",
    },
  });
  const runner = await lib.bot.startPolling(bot, { logger: silent, timeoutSeconds: 1 });
  return { bot, stop: () => stopRunner(runner) };
}

async function surveyBot(db: Database, name: string, index: number, start: (stub: BotApiStub) => Promise<Started>): Promise<Subject> {
  const stub = new BotApiStub();
  await stub.start();
  const { channel } = db;
  const { encodeCallback, sessionTag } = lib.telegram;
  const started = await start(stub);
  const done = recordDone(started.bot);
  const base = 20_000_000 + index * 1_000_000;
  const first = index * RESPONDENTS * 2;
  const chats = Array.from({ length: RESPONDENTS }, (_, r) => base + r);
  const warmChats = Array.from({ length: RESPONDENTS }, (_, r) => base + RESPONDENTS + r);
  const everyone = [...chats, ...warmChats];
  const sessions = async () => Promise.all(everyone.map((chat) => channel.sessions.findLatest(`telegram:${chat}`)));
  const press = async (list: (BotSession | undefined)[], action: (s: BotSession) => Parameters<typeof encodeCallback>[1]) =>
    stub.push(...list.map((s, r) => factory.callback(everyone[r]!, encodeCallback(sessionTag(s!.id), action(s!)), s!.prompt!.messageId)));

  // Not measured: every respondent redeems a code, confirms identity and accepts the attestation
  // (checked every half second: the check reads every session and must not starve the bot).
  const ready = (kind: string) => until(() => `${name} bot: every respondent at the ${kind} step`, async () => (await sessions()).every((s) => s?.prompt?.kind === kind), PHASE_TIMEOUT_MS, 500);
  stub.push(...everyone.map((chat, r) => factory.text(chat, `/start KS_${codeOf(first + r)}`)));
  await ready("identity");
  await press(await sessions(), () => ({ kind: "identity", confirm: true }));
  await ready("attestation");
  await press(await sessions(), () => ({ kind: "attestation", accept: true }));
  await ready("question");
  return {
    name,
    stub,
    done,
    chats,
    warmChats,
    async stop() {
      await started.stop();
      await stub.stop();
    },
  };
}

const fmt = (r: PhaseResult) =>
  `${r.updates} updates in ${r.seconds.toFixed(2)} s = ${r.rate.toFixed(0).padStart(5)} updates/s; handling p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; CPU ${r.cpuPerUpdate.toFixed(0)} µs/update`;

export async function benchBot(): Promise<void> {
  ensureBuilt();
  await loadCompiled();
  // As bin/khaosat.js runs the bot: WebAssembly (Prisma's query compiler) on baseline code only.
  if (process.env.BENCH_WASM_TIER_UP !== "1") v8.setFlagsFromString("--liftoff-only");
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-bot-"));
  const databaseUrl = `file:${path.join(dir, "bench.db")}`;
  const db = await lib.db.openDatabase(databaseUrl);
  const subjects: Subject[] = [];
  // The threads before any bot starts: this one and V8's helpers (garbage collection, compilation).
  const startupThreads = new Set(threadTicks().keys());
  /** CPU ticks by thread during the survey's flood rounds. */
  const surveyTicks = new Map<number, number>();
  try {
    console.log(`bench:bot: ${RESPONDENTS} respondents, ${ANSWERS} answers each per round, ${FLOOD_ROUNDS} alternating flood rounds and ${PACED_ROUNDS} paced ones per figure, paced rate ${RATE}/s, node ${process.version}; load average ${loadavg()[0]!.toFixed(2)}`);
    await seed(db);
    const echo = await echoBot();
    subjects.push(echo);
    const survey = await surveyBot(db, "survey", 0, (stub) => threaded(stub, databaseUrl));
    subjects.push(survey);
    const oneThread = await surveyBot(db, "one-thread", 1, (stub) => inline(stub, db));
    subjects.push(oneThread);
    // Warm every bot, not measured: other respondents answer as many rounds as the measured ones will
    // (the survey's code paths, question kinds and review, compiled and optimised), then the measured
    // respondents one round (their sessions, connections, statement caches).
    for (const subject of subjects) {
      for (let r = 0; r < WARM_ROUNDS; r++) await phase(subject, round(subject, subject.warmChats), null);
      await phase(subject, round(subject), null);
    }

    const flood = new Map<string, PhaseResult[]>(subjects.map((s) => [s.name, []]));
    const paced = new Map<string, PhaseResult[]>(subjects.map((s) => [s.name, []]));
    for (let r = 0; r < FLOOD_ROUNDS; r++) {
      for (const subject of subjects) {
        const measure = () => phase(subject, round(subject), null);
        const result = subject.name === "survey" ? await countTicks(surveyTicks, measure) : await measure();
        flood.get(subject.name)!.push(result);
        console.log(`  round ${r + 1} ${subject.name.padEnd(10)} flood   : ${fmt(result)}`);
      }
    }
    for (let r = 0; r < PACED_ROUNDS; r++) {
      for (const subject of [echo, survey]) {
        const result = await phase(subject, round(subject), RATE);
        paced.get(subject.name)!.push(result);
        console.log(`  round ${r + 1} ${subject.name.padEnd(10)} ${`${RATE}/s`.padEnd(8)}: ${fmt(result)}`);
      }
    }
    // Every answer the survey bots acknowledged is stored: the same number for every respondent of each.
    for (const subject of [survey, oneThread]) {
      const stored = (await Promise.all(subject.chats.map((chat) => db.channel.sessions.findLatest(`telegram:${chat}`)))).map((s) => Object.keys(s?.engine?.responses[0]?.answers ?? {}).length);
      if (stored.some((n) => n !== stored[0]) || stored[0] === 0) throw new Error(`${subject.name}: stored answers differ between respondents: ${[...new Set(stored)].join(", ")}`);
    }

    const rate = (name: string) => median(flood.get(name)!.map((x) => x.rate));
    const p99 = (name: string) => median(paced.get(name)!.map((x) => x.p99));
    const cpu = (name: string) => median(flood.get(name)!.map((x) => x.cpuPerUpdate));
    const calls = (name: string) => median(flood.get(name)!.map((x) => x.callsPerUpdate));
    console.log(
      `medians: echo ${rate("echo").toFixed(0)} updates/s, survey ${rate("survey").toFixed(0)} updates/s (one thread: ${rate("one-thread").toFixed(0)}, ${(rate("one-thread") / rate("echo")).toFixed(2)} of echo); paced p99 echo ${p99("echo").toFixed(1)} ms, survey ${p99("survey").toFixed(1)} ms; load average ${loadavg()[0]!.toFixed(2)}`,
    );
    // What each update costs in CPU (all threads, flood): steadier than the rates on a shared machine, and why the ratio is what it is.
    console.log(
      `CPU per update (every thread, flood medians): echo ${cpu("echo").toFixed(0)} µs, survey ${cpu("survey").toFixed(0)} µs (${(cpu("survey") / cpu("echo")).toFixed(1)}× echo), one thread ${cpu("one-thread").toFixed(0)} µs; Bot API calls per update: echo ${calls("echo").toFixed(2)}, survey ${calls("survey").toFixed(2)} (the answered question edited, the next one sent)`,
    );
    if (surveyTicks.size > 0) {
      // Threads started since the process began are the survey bot's own (its worker and its checkpoints' thread).
      const share = (keep: (thread: number) => boolean) => {
        let ticks = 0;
        for (const [thread, n] of surveyTicks) if (keep(thread)) ticks += n;
        return `${((ticks / TICKS_PER_SECOND) * 1e6 / (FLOOD_ROUNDS * RESPONDENTS * ANSWERS)).toFixed(0)} µs`;
      };
      console.log(
        `survey CPU per update by thread (its ${FLOOD_ROUNDS} flood rounds): main thread ${share((t) => t === process.pid)} (polling, the Bot API calls, and here the stub answering them), the bot's thread ${share((t) => !startupThreads.has(t))}, V8's helper threads ${share((t) => t !== process.pid && startupThreads.has(t))} (garbage collection, compilation)`,
      );
    }
    reportTarget("bot", "survey ÷ warm echo updates/s (flood)", rate("survey") / rate("echo"), "x", ">= 0.5");
    reportTarget("bot", `survey p99 handling at ${RATE} updates/s`, p99("survey"), "ms", "< 50");
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
