import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import { TEST_BOT_INFO } from "./telegram.js";
import { mulberry32 } from "./random.js";

/** One call received by the stub. */
export interface StubCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
  /** performance.now() when it arrived. */
  readonly at: number;
  /** The HTTP status and Telegram error code it was answered with (200 when ok). */
  readonly status: number;
}

/** Behaviour switches of the stub; all can be changed while it runs. */
export interface StubOptions {
  /** Messages per second accepted overall before answering 429 (sliding one-second window). */
  globalRate?: number;
  /** Messages per second accepted per chat before answering 429. */
  perChatRate?: number;
  /** `retry_after` (seconds) sent with rate-limit 429s. */
  retryAfter?: number;
  /** Answer 429 to every n-th sending call. */
  tooManyEvery?: number;
  /** Probability of a 500 on a sending call, drawn from a seeded generator. */
  serverErrorRate?: number;
  seed?: number;
  /** Extra latency per call in milliseconds. */
  latencyMs?: number;
}

const SENDING = new Set(["sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup", "copyMessage"]);

/**
 * A Telegram Bot API stand-in on 127.0.0.1 for integration tests and benchmarks: long polling with
 * offsets, the calls the bot makes, rate limits answered with 429 + retry_after, 403 for blocked
 * chats and injected 500s. It never talks to the real Telegram.
 */
export class BotApiStub {
  readonly calls: StubCall[] = [];
  readonly blockedChats = new Set<number>();
  readonly missingChats = new Set<number>();
  /** performance.now() when each update was first handed out by getUpdates, by update_id (benchmarks). */
  readonly handedOutAt = new Map<number, number>();
  options: StubOptions;
  private server?: Server;
  private readonly queue: Update[] = [];
  private waiters: Array<() => void> = [];
  private readonly window: number[] = [];
  private readonly chatWindows = new Map<number, number[]>();
  private sendingCount = 0;
  private nextMessageId = 1000;
  private random: () => number;

  constructor(options: StubOptions = {}) {
    this.options = options;
    this.random = mulberry32(options.seed ?? 1);
  }

  /** Starts listening on an ephemeral loopback port; returns the API root to give grammY (`apiRoot`). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this.apiRoot;
  }

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters.splice(0)) wake();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Queues an update for getUpdates. */
  push(...updates: Update[]): void {
    this.queue.push(...updates);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Calls of one method. */
  callsOf(method: string): StubCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? "").split("/").pop()!.split("?")[0]!;
    const payload = await readBody(req);
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    const answer = await this.answer(method, payload);
    this.calls.push({ method, payload, at: performance.now(), status: answer.ok ? 200 : Number(answer.error_code) });
    const body = JSON.stringify(answer);
    res.writeHead(answer.ok ? 200 : Number(answer.error_code), { "content-type": "application/json" });
    res.end(body);
  }

  private async answer(method: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (method === "getMe") return { ok: true, result: TEST_BOT_INFO };
    if (method === "getUpdates") return { ok: true, result: await this.getUpdates(payload) };
    if (!SENDING.has(method)) return { ok: true, result: true };

    const chatId = Number(payload.chat_id);
    this.sendingCount++;
    const { tooManyEvery, serverErrorRate, retryAfter = 1 } = this.options;
    if (tooManyEvery && this.sendingCount % tooManyEvery === 0) return tooMany(retryAfter);
    if (serverErrorRate && this.random() < serverErrorRate) return { ok: false, error_code: 500, description: "Internal Server Error" };
    if (this.blockedChats.has(chatId)) return { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" };
    if (this.missingChats.has(chatId)) return { ok: false, error_code: 400, description: "Bad Request: chat not found" };
    const now = performance.now();
    if (this.options.globalRate && !admit(this.window, now, this.options.globalRate)) return tooMany(retryAfter);
    if (this.options.perChatRate) {
      const w = this.chatWindows.get(chatId) ?? [];
      this.chatWindows.set(chatId, w);
      if (!admit(w, now, this.options.perChatRate)) return tooMany(retryAfter);
    }
    const chat = { id: chatId, type: "private", first_name: "Test" };
    if (method === "editMessageText" || method === "editMessageReplyMarkup") {
      return { ok: true, result: { message_id: Number(payload.message_id), date: 1_790_000_000, chat, text: payload.text ?? "" } };
    }
    return { ok: true, result: { message_id: this.nextMessageId++, date: 1_790_000_000, chat, text: payload.text ?? "" } };
  }

  private async getUpdates(payload: Record<string, unknown>): Promise<Update[]> {
    const offset = Number(payload.offset ?? 0);
    const limit = Number(payload.limit ?? 100);
    const timeout = Number(payload.timeout ?? 0);
    // Confirmed updates (id < offset) are forgotten, as Telegram does.
    while (this.queue.length > 0 && this.queue[0]!.update_id < offset) this.queue.shift();
    if (this.queue.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(timeout, 1) * 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      while (this.queue.length > 0 && this.queue[0]!.update_id < offset) this.queue.shift();
    }
    const batch = this.queue.slice(0, limit);
    const now = performance.now();
    for (const update of batch) if (!this.handedOutAt.has(update.update_id)) this.handedOutAt.set(update.update_id, now);
    return batch;
  }
}

function admit(window: number[], now: number, rate: number): boolean {
  while (window.length > 0 && window[0]! <= now - 1000) window.shift();
  if (window.length >= rate) return false;
  window.push(now);
  return true;
}

function tooMany(retryAfter: number): Record<string, unknown> {
  return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  // Multipart: keep the text fields (enough to know the chat and caption).
  const fields: Record<string, unknown> = {};
  for (const m of text.matchAll(/name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g)) fields[m[1]!] = m[2];
  return fields;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { mulberry32 };
