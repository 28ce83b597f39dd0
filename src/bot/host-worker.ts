// The worker side of host-thread.ts: opens the database (already migrated by the main thread),
// builds the channel's conversation host as `khaosat start` wires it in one thread, and answers
// `handle` messages (Zalo) with the replies once each step is stored, or handles `update` messages
// (Telegram) with the whole respondent bot, its Bot API calls made by the main thread. Log lines go
// to the main thread's logger. On `stop` it closes the database and ends.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { HttpError, InputFile } from "grammy";
import type { ApiResponse, Update } from "grammy/types";
import { RedemptionService } from "../access/index.js";
import type { BotLogger } from "../channels/telegram/ports.js";
import { CitizenService } from "../citizens/index.js";
import { Secret } from "../config/index.js";
import { TextConversationHost } from "../conversation/index.js";
import { openDatabase, type Database } from "../db/index.js";
import { createI18n } from "../i18n/index.js";
import type { FromHostThread, HostThreadData, TelegramThreadData, ToHostThread } from "./host-thread.js";

const port: MessagePort =
  parentPort ??
  (() => {
    throw new Error("host-worker.js runs as a worker thread of host-thread.ts");
  })();
const post = (message: FromHostThread) => port.postMessage(message);

function log(level: keyof BotLogger): BotLogger[keyof BotLogger] {
  return (data, message) => {
    try {
      post({ type: "log", level, data, message });
    } catch {
      // Something in the data does not clone: its words instead.
      post({ type: "log", level, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)])), message });
    }
  };
}
const logger: BotLogger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };

async function main(data: HostThreadData): Promise<void> {
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    // The bot's thread answers respondents: SQLite's checkpoints (their fsyncs) run on a thread of their own.
    db = await openDatabase(data.databaseUrl, { migrate: false, checkpointsOnOwnThread: true });
  } catch (error) {
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const secret = new Secret(data.codeSecret);
  const { channel } = db;
  const handle = data.telegram ? await telegramBot(db, data, data.telegram, secret) : undefined;
  const host = handle ? undefined : new TextConversationHost({
    channel: data.channel,
    codes: new RedemptionService({ repository: channel.access, secret, allowDelegation: data.allowDelegation }),
    campaigns: channel.campaigns,
    respondents: channel.respondents,
    sessions: channel.sessionsOf(data.channel),
    i18n: createI18n({ language: data.defaultLanguage }),
    now: () => new Date(),
    defaultLanguage: data.defaultLanguage,
    logger,
    citizens: new CitizenService({ repository: db.citizens, secret }),
    reachability: db.messaging,
  });
  let inFlight = 0;
  let stopping: (() => void) | undefined;
  port.on("message", (message: ToHostThread) => {
    if (message.type === "result") return answered(message);
    if (message.type === "stop") {
      void new Promise<void>((resolve) => (inFlight === 0 ? resolve() : (stopping = resolve))).then(async () => {
        await db.close();
        port.close();
      });
      return;
    }
    inFlight++;
    const work: Promise<FromHostThread> =
      message.type === "update"
        ? handle!(message.update).then(() => ({ type: "done", id: message.id }))
        : host!.handle(message.message).then((replies) => ({ type: "replies", id: message.id, replies }));
    work.then(post, (error: unknown) => post({ type: "error", id: message.id, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })).finally(() => {
      if (--inFlight === 0) stopping?.();
    });
  });
  post({ type: "ready" });
}

/** The worker's Bot API calls waiting for the main thread's answer. */
const calls = new Map<number, { resolve: (answer: ApiResponse<unknown>) => void; reject: (error: Error) => void; method: string }>();
let nextCall = 0;

function answered(message: Extract<ToHostThread, { type: "result" }>): void {
  const call = calls.get(message.id);
  calls.delete(message.id);
  if (!call) return;
  if ("failure" in message) return call.reject(new HttpError(`Network request for '${call.method}' failed!`, new Error(message.failure)));
  // The Bot API's answer as it came: grammY reads it here (a refusal becomes its GrammyError, a 429 is retried).
  try {
    call.resolve(JSON.parse(message.body) as ApiResponse<unknown>);
  } catch {
    call.reject(new HttpError(`Network request for '${call.method}' failed!`, new Error(`the Bot API answered ${message.status} without JSON`)));
  }
}

/** Whether a payload carries a file to upload (made by the worker itself: a stream does not cross threads). */
function carriesFile(value: unknown, depth = 0): boolean {
  if (value instanceof InputFile) return true;
  if (depth > 4 || value === null || typeof value !== "object") return false;
  return Object.values(value as Record<string, unknown>).some((v) => carriesFile(v, depth + 1));
}

/**
 * A payload as grammY sends it: JSON with null values left out. The replacer that leaves them out
 * makes JSON.stringify several times slower, and a bot's payloads rarely hold a null: used only then.
 */
function jsonBody(payload: unknown): string {
  const plain = JSON.stringify(payload);
  return plain.includes("null") ? JSON.stringify(payload, (_, value: unknown) => value ?? undefined) : plain;
}

/** The respondent bot as `khaosat start` builds it, its Bot API calls made by the main thread. */
async function telegramBot(db: Database, data: HostThreadData, telegram: TelegramThreadData, secret: Secret): Promise<(update: Update) => Promise<void>> {
  const { createBot } = await import("./create-bot.js");
  const { ReminderService } = await import("../reminders/index.js");
  const { adminOptions } = await import("./admin-options.js");
  const i18n = createI18n({ language: data.defaultLanguage });
  const { channel } = db;
  const bot = createBot({
    // Every call without a file goes to the main thread as its JSON body (as grammY would send it: nulls left out).
    callThrough: (prev, method, payload, signal) => {
      if (carriesFile(payload)) return prev(method, payload, signal);
      return new Promise<ApiResponse<never>>((resolve, reject) => {
        const id = nextCall++;
        calls.set(id, { resolve: resolve as (answer: ApiResponse<unknown>) => void, reject, method });
        post({ type: "call", id, method, body: jsonBody(payload) });
      });
    },
    token: telegram.token,
    botInfo: telegram.botInfo,
    ...(telegram.apiRoot ? { apiRoot: telegram.apiRoot } : {}),
    citizens: new CitizenService({ repository: db.citizens, secret }),
    admin: adminOptions(telegram.adminIds, db, new ReminderService(db.messaging, i18n)),
    deps: {
      ports: { codes: new RedemptionService({ repository: channel.access, secret, allowDelegation: data.allowDelegation }), campaigns: channel.campaigns, respondents: channel.respondents, sessions: channel.sessions, reachability: db.messaging },
      i18n,
      now: () => new Date(),
      logger,
      defaultLanguage: data.defaultLanguage,
    },
  });
  return (update) => bot.handleUpdate(update);
}

await main(workerData as HostThreadData);
