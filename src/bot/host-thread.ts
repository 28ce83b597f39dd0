// The conversation host on a thread of its own (a worker thread), for the channels that `khaosat
// start` runs. The main thread keeps the channel's network work (polling or the webhook, sending
// replies, the outbox, the scheduler, the web console); the worker holds the host with its own
// database connection and does everything between an update and its replies: the dedupe check, the
// session, the engine's step, storing it, rendering the replies.
// - Zalo: the worker answers a text message with the replies' texts; the main thread sends them.
// - Telegram: the worker runs the whole respondent bot (createBot: every feature, the organisers'
//   commands included) on the updates the main thread receives. Its Bot API calls, each already
//   made into its JSON body by grammY on the worker, come back to the main thread, which POSTs them
//   over kept-alive sockets and hands back the Bot API's answer as it came (grammY on the worker
//   reads it: errors, auto-retry). So the HTTP work stays here and the worker keeps its core for
//   the survey. Calls that carry a file (an organiser's export) are made by the worker itself.
//
// Why: on one thread the survey bot spent ~75% of its time in that work and ~25% in the network,
// and every synchronous SQLite statement stalled polling and sending. On a thread of its own the
// host uses a second core, and the updates waiting for it meet in one group commit (one COMMIT for
// several answers; see src/db/group-commit.ts) instead of committing one by one. bench:zalo
// measures both forms side by side.
//
// Guarantees are the host's, unchanged: an update's replies come back only after its step is
// stored, so nothing is acknowledged before it is durable; the channel still hands one chat's
// updates over one at a time, in order. If the worker dies, the updates it held are answered with
// the apology (their steps were stored or not, never half: the host's transaction) and the next
// update starts a new worker.
import type { Worker } from "node:worker_threads";
import type { Update, UserFromGetMe } from "grammy/types";
import type { BotLogger } from "../channels/telegram/ports.js";
import type { Language } from "../config/index.js";
import { compiledWorkerFile, startCompiledWorker } from "../db/compiled-worker.js";
import type { TextMessage } from "../conversation/index.js";
import { KeepAliveHttp } from "../channels/zalo/http.js";
import { isSupportedLanguage, type I18n, type Translate } from "../i18n/index.js";

/**
 * The worker's young generation (V8's nursery, three times a semi-space): 192 MB, semi-spaces of 64
 * MB instead of V8's 16. Under a flood the updates in progress hold their sessions across the calls
 * out, so with 16 MB most of them were still alive at each scavenge, copied and promoted, and the
 * GC (on the worker and V8's helper threads) was a third of the CPU of an update; with 64 MB most
 * are answered before the next scavenge. V8 grows the nursery only while many objects survive
 * (floods), and the worker ends after a minute idle, so an idle bot holds none of it.
 * bench:bot measures it (CPU per update).
 */
const WORKER_YOUNG_GENERATION_MB = 192;

/** What the worker is started with (cloned to it; the secrets never reach a log or a command line). */
export interface HostThreadData {
  readonly channel: "zalo" | "telegram";
  readonly databaseUrl: string;
  readonly codeSecret: string;
  readonly allowDelegation: boolean;
  readonly defaultLanguage: Language;
  /** Telegram: the bot the worker runs (its identity already learnt by the main thread). */
  readonly telegram?: TelegramThreadData;
}

/** What the Telegram worker needs besides the database. */
export interface TelegramThreadData {
  readonly token: string;
  readonly apiRoot?: string;
  readonly botInfo: UserFromGetMe;
  /** ADMIN_TELEGRAM_IDS: who may use the organisers' commands. */
  readonly adminIds: readonly number[];
}

/** Messages from the worker. */
export type FromHostThread =
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "replies"; readonly id: number; readonly replies: string[] }
  | { readonly type: "done"; readonly id: number }
  | { readonly type: "call"; readonly id: number; readonly method: string; readonly body: string }
  | { readonly type: "error"; readonly id: number; readonly message: string }
  | { readonly type: "log"; readonly level: keyof BotLogger; readonly data: Record<string, unknown>; readonly message: string };

/** Messages to the worker. */
export type ToHostThread =
  | { readonly type: "handle"; readonly id: number; readonly message: TextMessage }
  | { readonly type: "update"; readonly id: number; readonly update: Update }
  | { readonly type: "result"; readonly id: number; readonly status: number; readonly body: string }
  | { readonly type: "result"; readonly id: number; readonly failure: string }
  | { readonly type: "stop" };

/** Options of `HostThread.start`. */
export interface HostThreadOptions extends HostThreadData {
  /** Where the worker's log lines go. */
  readonly logger: BotLogger;
  /** Texts on this thread (the apology when the worker failed). */
  readonly i18n: I18n;
  /**
   * Start the worker with the first message instead of at once (the database was opened by this
   * thread already), and end it after `idleMs` without a message: an idle bot then holds no second
   * V8 heap, database connection and copy of the program (~50 MiB). Absent: started at once, kept until stop.
   */
  readonly idleMs?: number;
}

/** Longest Bot API answer read for the worker (a sent message is well under a kilobyte). */
const MAX_CALL_ANSWER_BYTES = 4 * 1024 * 1024;
/** A call that has no answer by then fails (grammY's own limit is longer; the worker's call is lost, not the process). */
const CALL_TIMEOUT_MS = 120_000;

/**
 * The compiled worker program: beside this file in dist/, or dist/'s copy when this runs from the
 * TypeScript sources (benchmarks and tests run src/ through a loader a worker does not inherit).
 */
export function hostWorkerFile(): string | undefined {
  return compiledWorkerFile(import.meta.url, "host-worker.js");
}

/** The conversation host of one text channel, on its own thread; used by the channel as the host itself. */
export class HostThread {
  readonly deps: { readonly defaultLanguage: Language };
  readonly #options: HostThreadOptions;
  readonly #file: string;
  #worker: Promise<Worker> | undefined;
  /** Messages handed to a worker and not yet answered, with the worker that holds each. */
  readonly #pending = new Map<number, { resolve: (replies: string[]) => void; reject: (error: Error) => void; worker: Worker }>();
  #next = 0;
  #stopped = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Workers ended for being idle: their end is no crash. */
  readonly #retiring = new WeakSet<Worker>();
  /** Telegram: the worker's Bot API calls, on kept-alive sockets. */
  readonly #http: KeepAliveHttp | undefined;

  private constructor(options: HostThreadOptions, file: string) {
    this.#options = options;
    this.#file = file;
    this.deps = { defaultLanguage: options.defaultLanguage };
    this.#http = options.telegram ? new KeepAliveHttp({ maxSockets: 128, maxAnswerBytes: MAX_CALL_ANSWER_BYTES }) : undefined;
  }

  /** Starts the worker and waits until its host is ready (its database open). */
  static async start(options: HostThreadOptions): Promise<HostThread> {
    const file = hostWorkerFile();
    if (file === undefined) throw new Error("the compiled conversation worker (dist/bot/host-worker.js) is missing: run `npm run build`");
    const thread = new HostThread(options, file);
    if (options.idleMs === undefined) await thread.#spawn();
    return thread;
  }

  /** Whether a worker is running or starting (with `idleMs`, none while idle). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Texts in a language, on this thread. */
  t(language: string): Translate {
    return this.#options.i18n.getFixedT(isSupportedLanguage(language) ? language : this.#options.defaultLanguage);
  }

  /** The host's `handle`, run on the worker: the replies once the step is stored. */
  async handle(message: TextMessage): Promise<string[]> {
    return this.#ask((id) => ({ type: "handle", id, message }));
  }

  /** Telegram: the worker's bot handles the update (its Bot API calls made on this thread); resolves once it has. */
  async handleUpdate(update: Update): Promise<void> {
    await this.#ask((id) => ({ type: "update", id, update }));
  }

  /** Posts a message to the worker (started if none runs) and waits for its answer. */
  async #ask(message: (id: number) => ToHostThread): Promise<string[]> {
    if (this.#stopped) throw new Error("the conversation thread is stopped");
    const worker = await this.#spawn();
    const id = this.#next++;
    return new Promise<string[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker });
      worker.postMessage(message(id));
    }).finally(() => this.#idleLater());
  }

  /** With `idleMs`: ends the worker once that long passed without a message (the next one starts a new worker). */
  #idleLater(): void {
    const { idleMs } = this.#options;
    if (idleMs === undefined || this.#pending.size > 0 || this.#stopped) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      const current = this.#worker;
      if (this.#pending.size > 0 || !current) return;
      this.#worker = undefined;
      void current.then((worker) => {
        this.#retiring.add(worker);
        worker.postMessage({ type: "stop" } satisfies ToHostThread);
      }, () => undefined);
    }, idleMs);
    this.#idleTimer.unref();
  }

  /** Asks the worker to close its database and end; waits for it (the channel is idle by then). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#idleTimer);
    const worker = await this.#worker?.catch(() => undefined);
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage({ type: "stop" } satisfies ToHostThread);
      const timer = setTimeout(() => void worker.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // Once the worker's last calls are made; also when no worker runs (an idle one has ended).
    this.#http?.close();
  }

  /** Ends the worker at once, as a crash would: what it held is answered with an error, the next update starts a new one (tests). */
  async kill(): Promise<void> {
    const worker = await this.#worker?.catch(() => undefined);
    await worker?.terminate();
  }

  /** The running worker, or a new one (at start, and after one died). */
  #spawn(): Promise<Worker> {
    if (this.#worker) return this.#worker;
    const { logger, channel, databaseUrl, codeSecret, allowDelegation, defaultLanguage, telegram } = this.#options;
    const data: HostThreadData = { channel, databaseUrl, codeSecret, allowDelegation, defaultLanguage, ...(telegram ? { telegram } : {}) };
    const worker = startCompiledWorker(this.#file, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    let ready = false;
    const started = new Promise<Worker>((resolve, reject) => {
      worker.on("message", (message: FromHostThread) => {
        switch (message.type) {
          case "ready":
            ready = true;
            return resolve(worker);
          case "failed":
            void worker.terminate();
            return reject(new Error(message.message));
          case "log":
            return logger[message.level](message.data, message.message);
          case "call":
            return void this.#call(worker, message.id, message.method, message.body);
          case "replies":
          case "done":
          case "error": {
            const pending = this.#pending.get(message.id);
            this.#pending.delete(message.id);
            if (message.type === "error") pending?.reject(new Error(message.message));
            else pending?.resolve(message.type === "replies" ? message.replies : []);
            return;
          }
        }
      });
      worker.once("error", (error) => {
        logger.error({ error: `${error.name}: ${error.message}` }, "conversation thread failed");
        reject(error);
      });
      worker.once("exit", (code) => {
        if (this.#worker === started) this.#worker = undefined;
        const lost = [...this.#pending].filter(([, pending]) => pending.worker === worker);
        for (const [id, pending] of lost) {
          this.#pending.delete(id);
          pending.reject(new Error(`the conversation thread ended (exit code ${code})`));
        }
        // (One that never became ready has said why through the start's rejection.)
        if (this.#retiring.has(worker)) return;
        if (!this.#stopped && ready) logger.error({ code, updates: lost.length }, "conversation thread ended; the next update starts a new one");
        reject(new Error(`the conversation thread ended before it was ready (exit code ${code})`));
      });
    });
    this.#worker = started;
    // A worker that failed to start is forgotten, so the next update tries again.
    started.catch(() => {
      if (this.#worker === started) this.#worker = undefined;
    });
    return started;
  }

  /** Makes one of the worker's Bot API calls here and hands the answer (or the network's failure) back. */
  async #call(worker: Worker, id: number, method: string, body: string): Promise<void> {
    let answer: ToHostThread;
    try {
      const { token, apiRoot } = this.#options.telegram!;
      const { status, body: text } = await this.#http!.post(`${apiRoot ?? "https://api.telegram.org"}/bot${token}/${method}`, body, CALL_TIMEOUT_MS);
      answer = { type: "result", id, status, body: text };
    } catch (error) {
      answer = { type: "result", id, failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    try {
      worker.postMessage(answer);
    } catch {
      // The worker ended meanwhile: nobody waits for this answer.
    }
  }
}
