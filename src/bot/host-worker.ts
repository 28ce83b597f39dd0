// The worker side of host-thread.ts: opens the database (already migrated by the main thread),
// builds the channel's conversation host as `khaosat start` wires it in one thread, and answers
// `handle` messages with the replies once each step is stored. Log lines go to the main thread's
// logger. On `stop` it closes the database and ends.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { RedemptionService } from "../access/index.js";
import type { BotLogger } from "../channels/telegram/ports.js";
import { CitizenService } from "../citizens/index.js";
import { Secret } from "../config/index.js";
import { TextConversationHost } from "../conversation/index.js";
import { openDatabase } from "../db/index.js";
import { createI18n } from "../i18n/index.js";
import type { FromHostThread, HostThreadData, ToHostThread } from "./host-thread.js";

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
    db = await openDatabase(data.databaseUrl, { migrate: false });
  } catch (error) {
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const secret = new Secret(data.codeSecret);
  const { channel } = db;
  const host = new TextConversationHost({
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
    if (message.type === "stop") {
      void new Promise<void>((resolve) => (inFlight === 0 ? resolve() : (stopping = resolve))).then(async () => {
        await db.close();
        port.close();
      });
      return;
    }
    inFlight++;
    host.handle(message.message).then(
      (replies) => post({ type: "replies", id: message.id, replies }),
      (error: unknown) => post({ type: "error", id: message.id, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    ).finally(() => {
      if (--inFlight === 0) stopping?.();
    });
  });
  post({ type: "ready" });
}

await main(workerData as HostThreadData);
