// npm run bench:zalo — the Zalo channel (client, polling, adapter, conversation host, SQLite) against
// a minimal echo bot on the same loopback Zalo Bot API stub, in the same run: both warmed, rounds
// alternated, medians reported.
//   throughput: N respondents' messages queued at once; updates per second until every one is handled
//   latency:    updates handed out at 200/s over many chats; from the stub handing an update out to
//               the first reply reaching the stub (p50, p99)
// Targets (issue 12, as for Telegram): survey ≥ 0.5 × echo updates/s; survey p99 < 50 ms at 200 upd/s.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashCode, RedemptionService } from "../src/access/index.js";
import type { BotLogger } from "../src/channels/telegram/index.js";
import { startZaloPolling, ZaloChannel, ZaloClient, type ZaloReceiver } from "../src/channels/zalo/index.js";
import { Secret } from "../src/config/index.js";
import { TextConversationHost } from "../src/conversation/index.js";
import { openDatabase, type Database } from "../src/db/index.js";
import { createI18n } from "../src/i18n/index.js";
import { parseQuestionnaire } from "../src/questionnaire/index.js";
import { ZaloBotApiStub } from "../test/support/zalo-stub.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RESPONDENTS = Number(process.env.BENCH_ZALO_RESPONDENTS ?? 80);
// A respondent: code, identity, attestation, then answers (the PAR form has 26; 12 keep a round short).
const MESSAGES = 15;
const ROUNDS = Number(process.env.BENCH_ZALO_ROUNDS ?? 3);
const RATE = 200;
const LATENCY_SECONDS = Number(process.env.BENCH_ZALO_LATENCY_SECONDS ?? 4);
const SECRET = new Secret("bench-zalo-secret-0123456789abcdef0123456789");
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

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
  const codes = [];
  for (let i = 0; i < total; i++) codes.push({ codeHash: hashCode(code(i), SECRET), campaignId: "c1", respondentId: (await db.respondents.getByExternalId("c1", `R${i}`))!.id, batchId: null, unitCode: null, issuedAt: new Date(now) });
  await db.channel.access.insertCodes(codes);
}

interface Bot {
  receiver: ZaloReceiver;
  handled: () => number;
}

async function startSurvey(stub: ZaloBotApiStub, db: Database): Promise<Bot> {
  let handled = 0;
  const host = new TextConversationHost({
    channel: "zalo",
    codes: new RedemptionService({ repository: db.channel.access, secret: SECRET }),
    campaigns: db.channel.campaigns,
    respondents: db.channel.respondents,
    sessions: db.channel.sessionsOf("zalo"),
    i18n: createI18n(),
    now: () => new Date(),
    defaultLanguage: "vi",
  });
  const client = new ZaloClient({ token: stub.token, apiRoot: stub.url });
  const channel = new ZaloChannel({ client, host, logger: quiet, onHandled: () => handled++ });
  return { receiver: await startZaloPolling(client, channel, { logger: quiet, timeoutSeconds: 1 }), handled: () => handled };
}

async function startEcho(stub: ZaloBotApiStub): Promise<Bot> {
  let handled = 0;
  const client = new ZaloClient({ token: stub.token, apiRoot: stub.url });
  // The smallest bot on the same adapter: every text is sent back as it came.
  const echo = { handle: async (m: { text?: string }) => [m.text ?? "?"], t: () => () => "", deps: { defaultLanguage: "vi" } } as unknown as TextConversationHost;
  const channel = new ZaloChannel({ client, host: echo, logger: quiet, onHandled: () => handled++ });
  return { receiver: await startZaloPolling(client, channel, { logger: quiet, timeoutSeconds: 1 }), handled: () => handled };
}

async function until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("bench timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Each user's script: code, then "1" for identity, attestation and answers. */
function script(i: number): string[] {
  return [code(i), ...Array<string>(MESSAGES - 1).fill("1")];
}

async function throughput(stub: ZaloBotApiStub, bot: Bot, users: readonly number[], prefix: string): Promise<number> {
  const before = bot.handled();
  const total = users.length * MESSAGES;
  const start = performance.now();
  for (let m = 0; m < MESSAGES; m++) for (const u of users) stub.pushText(`${prefix}${u}`, script(u)[m]!);
  await until(() => bot.handled() - before >= total);
  return total / ((performance.now() - start) / 1000);
}

async function latency(stub: ZaloBotApiStub, bot: Bot, users: readonly number[], prefix: string): Promise<number[]> {
  const count = RATE * LATENCY_SECONDS;
  const ids: { id: string; chat: string }[] = [];
  const before = bot.handled();
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const due = start + (k * 1000) / RATE;
    while (performance.now() < due) await new Promise((r) => setTimeout(r, 1));
    const u = users[k % users.length]!;
    const step = Math.floor(k / users.length);
    const chat = `${prefix}${u}`;
    const update = stub.pushText(chat, step < MESSAGES ? script(u)[step]! : "1");
    ids.push({ id: update.message.message_id, chat });
  }
  await until(() => bot.handled() - before >= count);
  const sentByChat = new Map<string, number[]>();
  for (const s of stub.sent) {
    let list = sentByChat.get(s.chatId);
    if (!list) sentByChat.set(s.chatId, (list = []));
    list.push(s.at);
  }
  const out: number[] = [];
  for (const { id, chat } of ids) {
    const handed = stub.handedOut.get(id);
    if (handed === undefined) continue;
    const reply = sentByChat.get(chat)?.find((at) => at >= handed);
    if (reply !== undefined) out.push(reply - handed);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bench-zalo-"));
  const perRound = RESPONDENTS;
  const latencyUsers = 200;
  const total = perRound * (ROUNDS + 1) + latencyUsers * 2;
  const db = await openDatabase(`file:${path.join(dir, "bench.db")}`);
  const stub = new ZaloBotApiStub({ maxPollMs: 1000 });
  await stub.start();
  try {
    await prepare(db, total);
    let next = 0;
    const take = (n: number) => Array.from({ length: n }, () => next++);
    const survey = { tput: [] as number[], lat: [] as number[] };
    const echo = { tput: [] as number[], lat: [] as number[] };
    // Warm-up of both (JIT, SQLite pages, connections).
    {
      const users = take(perRound);
      const s = await startSurvey(stub, db);
      await throughput(stub, s, users.slice(0, perRound / 2), "w-");
      await s.receiver.stop();
      const e = await startEcho(stub);
      await throughput(stub, e, users, "we-");
      await e.receiver.stop();
    }
    for (let round = 0; round < ROUNDS; round++) {
      const users = take(perRound);
      // Alternate which goes first.
      const order: ("survey" | "echo")[] = round % 2 === 0 ? ["survey", "echo"] : ["echo", "survey"];
      for (const which of order) {
        const bot = which === "survey" ? await startSurvey(stub, db) : await startEcho(stub);
        const figure = await throughput(stub, bot, users, `${which}-t${round}-`);
        (which === "survey" ? survey : echo).tput.push(figure);
        await bot.receiver.stop();
      }
    }
    for (const which of ["echo", "survey"] as const) {
      const users = take(latencyUsers);
      const bot = which === "survey" ? await startSurvey(stub, db) : await startEcho(stub);
      (which === "survey" ? survey : echo).lat.push(...(await latency(stub, bot, users, `${which}-l-`)));
      await bot.receiver.stop();
    }
    const ratio = median(survey.tput) / median(echo.tput);
    const p99 = pct(survey.lat, 99);
    console.log(`Zalo bench: ${perRound} respondents × ${MESSAGES} messages per round, ${ROUNDS} rounds alternated (medians); latency at ${RATE} upd/s for ${LATENCY_SECONDS} s`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min) at the end; the machine has 2 cores`);
    console.log(`bot     upd/s   p50 ms  p99 ms`);
    console.log(`echo    ${median(echo.tput).toFixed(0).padStart(5)}   ${pct(echo.lat, 50).toFixed(1).padStart(6)}  ${pct(echo.lat, 99).toFixed(1).padStart(6)}`);
    console.log(`survey  ${median(survey.tput).toFixed(0).padStart(5)}   ${pct(survey.lat, 50).toFixed(1).padStart(6)}  ${p99.toFixed(1).padStart(6)}`);
    const results = [
      { bench: "zalo", name: "survey vs echo updates/s", figure: Number(ratio.toFixed(2)), unit: "x", target: ">= 0.5", pass: ratio >= 0.5 },
      { bench: "zalo", name: `survey p99 at ${RATE} upd/s`, figure: Number(p99.toFixed(1)), unit: "ms", target: "< 50 ms", pass: p99 < 50 },
    ];
    for (const r of results) console.log(`BENCH_RESULT ${JSON.stringify(r)}`);
    if (results.some((r) => !r.pass)) process.exitCode = 1;
  } finally {
    await stub.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
