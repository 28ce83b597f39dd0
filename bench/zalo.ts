// npm run bench:zalo — the Zalo channel (client, polling, adapter, conversation host wired as
// `npm start` wires it: on a thread of its own, src/bot/host-thread.ts; SQLite) against a minimal echo
// bot on the same adapter and the same loopback Zalo Bot API stub, in the same run: both warmed
// first, then measured alternately (survey, echo, echo, survey, …), each figure the median of ROUNDS
// rounds. The same host in the main thread (as before the host thread) is measured beside them in
// the throughput rounds, for comparison (not a target).
//   throughput: N respondents, each through the whole PAR questionnaire as a respondent goes (the
//               code, identity, attestation, every question, submit: 33 messages), their messages
//               queued at once; updates per second until every one is handled.
//   latency:    messages handed out at 200 per second by 25 respondents in progress at every
//               moment, each at a different point of the path (a steady state: every second carries
//               codes, answers and submissions in the path's proportions; one who submits is followed
//               by a new one); the time of each from the stub handing it out (getUpdates) to the
//               bot's last reply to it reaching the stub, so time queued in the bot counts (p50, p99).
// After the run every survey respondent must have submitted with every answer stored, or the bench fails.
// Targets (issue 12, as for Telegram): survey ≥ 0.5 × echo updates/s; survey p99 < 50 ms at 200 upd/s.
// Settings: BENCH_ZALO_RESPONDENTS (60), BENCH_ZALO_ROUNDS (3), BENCH_PHASE_TIMEOUT_S (120).
// The worker runs the compiled host (dist/): the bench builds it first (incremental, a no-op when current).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { hashCode, RedemptionService } from "../src/access/index.js";
import { HostThread } from "../src/bot/index.js";
import type { BotLogger } from "../src/channels/telegram/index.js";
import { startZaloPolling, ZaloChannel, ZaloClient, type ZaloHost, type ZaloReceiver, type ZaloUpdate } from "../src/channels/zalo/index.js";
import { CitizenService } from "../src/citizens/index.js";
import { Secret } from "../src/config/index.js";
import { TextConversationHost } from "../src/conversation/index.js";
import { openDatabase, type Database } from "../src/db/index.js";
import { createI18n } from "../src/i18n/index.js";
import { parseQuestionnaire } from "../src/questionnaire/index.js";
import { ZaloBotApiStub } from "../test/support/zalo-stub.js";
import { ensureBuilt, median, reportResult, reportTarget } from "./result.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RESPONDENTS = Number(process.env.BENCH_ZALO_RESPONDENTS ?? 60);
const ROUNDS = Number(process.env.BENCH_ZALO_ROUNDS ?? 3);
const RATE = 200;
const LATENCY_USERS = 25;
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_S ?? 120) * 1000;
/** Questions of the PAR form a respondent answering "1" everywhere is asked. */
const QUESTIONS = 29;
const SECRET = new Secret("bench-zalo-secret-0123456789abcdef0123456789");
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: (d, m) => console.error(m, d), error: (d, m) => console.error(m, d) };

function code(n: number): string {
  // Deterministic valid codes (alphabet without 0, 1, I, L, O).
  const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  let out = "";
  let x = n + 7919;
  for (let i = 0; i < 10; i++) {
    out += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) + (i + 1) * 131;
  }
  return out;
}

async function prepare(db: Database, total: number): Promise<void> {
  const source = readFileSync(path.join(ROOT, "examples/par-officials.yaml"), "utf8");
  const parsed = parseQuestionnaire(source, "par-officials.yaml");
  if (!parsed.ok) throw new Error("example does not load");
  const q = parsed.questionnaire;
  const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: q.id, version: q.version, fileName: "par-officials.yaml", source, sourceHash: createHash("sha256").update(source).digest("hex") });
  if (!version.ok) throw new Error("not stored");
  const now = Date.now();
  await db.campaigns.create({ id: "c1", name: "bench", questionnaireVersionPk: version.record.pk, opensAt: new Date(now - 86_400_000), closesAt: new Date(now + 86_400_000), timeZone: "Asia/Ho_Chi_Minh", identified: false });
  const group = q.definition.groups?.[0]?.id ?? "leaders";
  await db.respondents.importRespondents(
    "c1",
    Array.from({ length: total }, (_, i) => ({ externalId: `R${i}`, fullName: `Người ${i}`, unitCode: "stp", unitName: "Sở Tư pháp", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false })),
  );
  const ids = new Map((await db.respondents.list("c1")).map((r) => [r.externalId, r.id]));
  await db.channel.access.insertCodes(Array.from({ length: total }, (_, i) => ({ codeHash: hashCode(code(i), SECRET), campaignId: "c1", respondentId: ids.get(`R${i}`)!, batchId: null, unitCode: null, issuedAt: new Date(now) })));
}

/** A bot under test on its own stub (so neither can take the other's updates), running for the whole bench. */
interface Subject {
  readonly name: "survey" | "inline" | "echo";
  readonly stub: ZaloBotApiStub;
  /** performance.now() when the channel finished each update (its replies sent), by message id. */
  readonly handledAt: Map<string, number>;
  /** The chat of the n-th user this subject measures. */
  chat(user: number): string;
  stop(): Promise<void>;
}

/** Polls the subject's stub with the channel: the same client, polling loop and adapter for both bots. */
async function run(name: Subject["name"], host: ZaloHost, onStop?: () => Promise<void>): Promise<Subject> {
  const stub = new ZaloBotApiStub({ maxPollMs: 1000 });
  await stub.start();
  const handledAt = new Map<string, number>();
  const client = new ZaloClient({ token: stub.token, apiRoot: stub.url });
  const onHandled = (update: ZaloUpdate) => void handledAt.set(update.message!.message_id, performance.now());
  const receiver: ZaloReceiver = await startZaloPolling(client, new ZaloChannel({ client, host, logger: quiet, onHandled }), { logger: quiet, timeoutSeconds: 1 });
  return {
    name,
    stub,
    handledAt,
    chat: (user) => `${name}-${user}`,
    async stop() {
      await receiver.stop();
      await onStop?.();
      client.close();
      await stub.stop();
    },
  };
}

/** The survey bot as `npm start` builds it for Zalo (src/bot/run.ts): the host on a thread of its own. */
async function surveyBot(databaseUrl: string): Promise<Subject> {
  const host = await HostThread.start({ channel: "zalo", databaseUrl, codeSecret: SECRET.reveal(), allowDelegation: false, defaultLanguage: "vi", logger: quiet, i18n: createI18n() });
  return run("survey", host, () => host.stop());
}

/** The same host in the main thread, beside the channel (how `npm start` ran it before the host thread). */
function inlineSurveyBot(db: Database): Promise<Subject> {
  const { channel } = db;
  const host = new TextConversationHost({
    channel: "zalo",
    codes: new RedemptionService({ repository: channel.access, secret: SECRET }),
    campaigns: channel.campaigns,
    respondents: channel.respondents,
    sessions: channel.sessionsOf("zalo"),
    i18n: createI18n(),
    now: () => new Date(),
    defaultLanguage: "vi",
    logger: quiet,
    citizens: new CitizenService({ repository: db.citizens, secret: SECRET }),
    reachability: db.messaging,
  });
  return run("inline", host);
}

/** The smallest bot on the same adapter: every text is sent back as it came. */
function echoBot(): Promise<Subject> {
  const echo = { handle: async (m: { text?: string }) => [m.text ?? "?"], t: () => () => "", deps: { defaultLanguage: "vi" } } as unknown as TextConversationHost;
  return run("echo", echo);
}

async function until(what: () => string, check: () => boolean): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > PHASE_TIMEOUT_MS) throw new Error(`bench:zalo timed out after ${PHASE_TIMEOUT_MS / 1000} s: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A respondent's messages: the code, "1" for identity, attestation and every question, then submit. */
function script(user: number): string[] {
  return [code(user), "1", "1", ...Array<string>(QUESTIONS).fill("1"), "submit"];
}
const MESSAGES = script(0).length;

interface Phase {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
}

/** One message of a user to push. */
interface Push {
  readonly chat: string;
  readonly text: string;
}

/**
 * Pushes the messages — all at once (`rate` null) or at `rate` per second — and waits until every
 * one is handled.
 */
async function phase(subject: Subject, messages: readonly Push[], rate: number | null): Promise<Phase> {
  const { stub, handledAt } = subject;
  const firstSent = stub.sent.length;
  const pushed: { id: string; chat: string }[] = [];
  const start = performance.now();
  for (const [k, { chat, text }] of messages.entries()) {
    if (rate !== null) while (performance.now() < start + (k * 1000) / rate) await new Promise((resolve) => setTimeout(resolve, 1));
    pushed.push({ id: stub.pushText(chat, text).message.message_id, chat });
  }
  // Checked from the first one not yet seen handled: the check every 2 ms costs O(1) on average
  // (scanning every update from the start each time took ~3% of either bot's CPU in a flood).
  let seen = 0;
  await until(
    () => `${subject.name} bot, ${rate === null ? "all at once" : `${rate}/s`}: ${pushed.filter((p) => handledAt.has(p.id)).length} of ${pushed.length} updates handled`,
    () => {
      while (seen < pushed.length && handledAt.has(pushed[seen]!.id)) seen++;
      return seen === pushed.length;
    },
  );
  const end = Math.max(...pushed.map((p) => handledAt.get(p.id)!));
  // Each update's last reply: the last message to its chat between its hand-out and the end of its
  // handling (a chat's updates are handled one at a time, so earlier replies precede the hand-out or its start).
  const sentTo = new Map<string, number[]>();
  for (const m of stub.sent.slice(firstSent)) (sentTo.get(m.chatId) ?? sentTo.set(m.chatId, []).get(m.chatId)!).push(m.at);
  const times = pushed.map(({ id, chat }) => {
    const out = stub.handedOut.get(id)!;
    const done = handledAt.get(id)!;
    const replies = (sentTo.get(chat) ?? []).filter((at) => at >= out && at <= done);
    return (replies.at(-1) ?? done) - out;
  });
  const sorted = times.sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { rate: pushed.length / ((end - start) / 1000), p50: pct(50), p99: pct(99) };
}

/** Every user's whole path, message by message across the users (as people answering at the same time). */
function together(subject: Subject, users: readonly number[]): Push[] {
  return Array.from({ length: MESSAGES }, (_, m) => users.map((u) => ({ chat: subject.chat(u), text: script(u)[m]! }))).flat();
}

/**
 * The paced load in a steady state: `slots` respondents in progress at every moment, each at a
 * different point of the path (set up first, not measured), their next messages taken in turn; a
 * respondent who submits is followed in the slot by a new one. So every second carries codes,
 * answers and submissions in the proportions of the whole path, not all the codes first and all the
 * submissions last. Returns the set-up, the measured messages and the messages that finish the
 * slots' respondents afterwards (not measured).
 */
function steady(subject: Subject, slots: number, newUser: () => number): { setup: Push[]; measured: Push[]; finish: Push[] } {
  const state = Array.from({ length: slots }, (_, s) => ({ user: newUser(), step: Math.floor((s * MESSAGES) / slots) }));
  const message = (slot: { user: number; step: number }) => ({ chat: subject.chat(slot.user), text: script(slot.user)[slot.step]! });
  const setup = state.flatMap((slot) => Array.from({ length: slot.step }, (_, step) => message({ user: slot.user, step })));
  const measured: Push[] = [];
  for (let k = 0; k < slots * MESSAGES; k++) {
    const slot = state[k % slots]!;
    measured.push(message(slot));
    if (++slot.step === MESSAGES) Object.assign(slot, { user: newUser(), step: 0 });
  }
  const finish = state.flatMap((slot) => Array.from({ length: MESSAGES - slot.step }, (_, i) => message({ user: slot.user, step: slot.step + i })));
  return { setup, measured, finish };
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const fmt = (r: Phase) => `${r.rate.toFixed(0).padStart(5)} updates/s, p50 ${r.p50.toFixed(1).padStart(5)} ms, p99 ${r.p99.toFixed(1).padStart(6)} ms`;

async function main(): Promise<void> {
  ensureBuilt();
  // As bin/khaosat.js runs the bot: WebAssembly (Prisma's query compiler) on baseline code only.
  if (process.env.BENCH_WASM_TIER_UP !== "1") v8.setFlagsFromString("--liftoff-only");
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-zalo-"));
  // As many as a measured round: the host thread compiles its hot code only after a few hundred messages.
  const warmUsers = RESPONDENTS;
  // Codes for every survey user: the paced rounds start a new respondent in each slot, and one more after each submission.
  const total = 2 * warmUsers + ROUNDS * (2 * RESPONDENTS + 2 * LATENCY_USERS + 1);
  const url = `file:${path.join(dir, "bench.db")}`;
  const db = await openDatabase(url);
  const subjects: Subject[] = [];
  try {
    console.log(`bench:zalo: ${RESPONDENTS} respondents × ${MESSAGES} messages (code to submit) per round, ${ROUNDS} alternating rounds per figure; latency: ${RATE} messages/s from ${LATENCY_USERS} respondents in progress; node ${process.version}`);
    console.log(`load average at the start ${load()} (1, 5, 15 min); the machine has 2 cores`);
    await prepare(db, total);
    const survey = await surveyBot(url);
    subjects.push(survey);
    const inline = await inlineSurveyBot(db);
    subjects.push(inline);
    const echo = await echoBot();
    subjects.push(echo);
    // Each survey user is a respondent with a code of their own, used once; echo users are just chats.
    // (Both survey bots draw from one numbering: a code is used once.)
    const next = { codes: 0, echo: 0 };
    const surveyUsers: { subject: Subject; user: number }[] = [];
    const newUser = (subject: Subject) => () => {
      if (subject === echo) return next.echo++;
      const user = next.codes++;
      surveyUsers.push({ subject, user });
      return user;
    };
    const flood = (subject: Subject, n: number) => phase(subject, together(subject, Array.from({ length: n }, newUser(subject))), null);
    const paced = async (subject: Subject) => {
      const { setup, measured, finish } = steady(subject, LATENCY_USERS, newUser(subject));
      await phase(subject, setup, null);
      const result = await phase(subject, measured, RATE);
      await phase(subject, finish, null);
      return result;
    };
    // Warm both (JIT, statement caches, connections, the campaign cache), not measured.
    await flood(survey, warmUsers);
    await flood(inline, warmUsers);
    await flood(echo, warmUsers);
    const results = { survey: { flood: [] as Phase[], paced: [] as Phase[] }, inline: { flood: [] as Phase[], paced: [] as Phase[] }, echo: { flood: [] as Phase[], paced: [] as Phase[] } };
    for (const kind of ["flood", "paced"] as const) {
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which goes first; the in-thread host only in the throughput rounds.
        const order = r % 2 === 0 ? [survey, echo, inline] : [inline, echo, survey];
        for (const subject of order.filter((s) => kind === "flood" || s !== inline)) {
          const result = kind === "flood" ? await flood(subject, RESPONDENTS) : await paced(subject);
          results[subject.name][kind].push(result);
          console.log(`  round ${r + 1} ${subject.name.padEnd(6)} ${kind === "flood" ? "all at once" : `${RATE}/s`.padEnd(11)}: ${fmt(result)}`);
        }
      }
    }
    // Every survey respondent submitted, with every answer stored.
    const sessions = db.channel.sessionsOf("zalo");
    const stored = await Promise.all(surveyUsers.map(({ subject, user }) => sessions.findLatest(`zalo:${subject.chat(user)}`)));
    const incomplete = stored.filter((s) => s?.engine?.position.kind !== "completed" || Object.keys(s.engine.responses[0]?.answers ?? {}).length !== QUESTIONS);
    if (incomplete.length > 0) throw new Error(`${incomplete.length} of ${stored.length} survey respondents did not submit all ${QUESTIONS} answers`);

    const m = (list: Phase[], key: keyof Phase) => median(list.map((x) => x[key]));
    console.log(`load average at the end ${load()} (1, 5, 15 min)`);
    console.log(`medians     updates/s  p50 ms  p99 ms at ${RATE}/s`);
    for (const name of ["echo", "survey"] as const) console.log(`  ${name.padEnd(8)}  ${m(results[name].flood, "rate").toFixed(0).padStart(9)}  ${m(results[name].paced, "p50").toFixed(1).padStart(6)}  ${m(results[name].paced, "p99").toFixed(1).padStart(6)}`);
    console.log(`  ${"inline".padEnd(8)}  ${m(results.inline.flood, "rate").toFixed(0).padStart(9)}  (the host in the main thread, for comparison: ${(m(results.inline.flood, "rate") / m(results.echo.flood, "rate")).toFixed(2)} × echo)`);
    console.log(`  (${stored.length} survey respondents submitted, ${QUESTIONS} answers each stored)`);
    reportTarget("zalo", "survey ÷ warm echo updates/s (whole path)", m(results.survey.flood, "rate") / m(results.echo.flood, "rate"), "x", ">= 0.5");
    reportTarget("zalo", `survey p99 handling at ${RATE} updates/s`, m(results.survey.paced, "p99"), "ms", "< 50");
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    reportResult({ bench: "zalo", name: "benchmark finished", figure: Number.NaN, unit: "", target: "finishes", pass: false });
  } finally {
    for (const subject of subjects) await subject.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
