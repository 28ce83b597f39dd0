// A loopback stub of the Zalo Bot Platform's Bot API (as /work/shared/ZALO-BOT-API.md describes it):
// POST /bot<token>/<method> with JSON; {ok, result} or {ok: false, error_code, description};
// getUpdates long-polls and hands out ONE update per call, answering error_code 408 when none came
// within `timeout` (seconds, a string); ids are strings, dates milliseconds; sendMessage refuses
// texts outside 1..2,000 characters as the real API does. Tests queue updates and read what was sent.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubUpdate {
  readonly event_name: string;
  readonly message: {
    readonly message_id: string;
    readonly from: { readonly id: string; readonly display_name: string; readonly is_bot: false };
    readonly chat: { readonly id: string; readonly chat_type: "PRIVATE" };
    readonly date: number;
    readonly text?: string;
  };
}

export interface SentMessage {
  readonly chatId: string;
  readonly text: string;
  /** performance.now() when the stub received it. */
  readonly at: number;
}

export interface ZaloStubOptions {
  readonly token?: string;
  /** Cap on a long poll's wait, whatever timeout the client asked (default: as asked). */
  readonly maxPollMs?: number;
}

/** A call the stub answered. */
export interface StubCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
}

export const ZALO_TEST_TOKEN = "1234567890:zaloTestSecretAbCdEfGhIjKlMnOp";

/** Message ids are unique in the process, as Zalo's are: two stubs' updates never share a dedupe key. */
let nextMessage = 1;

export class ZaloBotApiStub {
  readonly token: string;
  readonly sent: SentMessage[] = [];
  readonly calls: StubCall[] = [];
  /** performance.now() when each message id was handed out by getUpdates. */
  readonly handedOut = new Map<string, number>();
  /** Chats whose sendMessage fails with this error (e.g. a user who blocked the bot). */
  readonly failingChats = new Map<string, { code: number; description: string }>();
  /** The next N sendMessage calls answer 429. */
  throttleNext = 0;
  /** retry_after (seconds) those 429s carry; none when undefined (the real API's is not documented). */
  throttleRetryAfter: number | undefined;
  /** performance.now() of each 429 answered. */
  readonly throttledAt: number[] = [];
  webhook: { url: string; secret: string } | undefined;
  #queue: StubUpdate[] = [];
  #waiters: (() => void)[] = [];
  #sentWaiters: (() => void)[] = [];
  #server: Server | undefined;
  #nextSent = 1;
  #maxPollMs: number | undefined;
  url = "";

  constructor(options: ZaloStubOptions = {}) {
    this.token = options.token ?? ZALO_TEST_TOKEN;
    this.#maxPollMs = options.maxPollMs;
  }

  /** Listens on 127.0.0.1 (`port` 0: any free one) and returns the API root. */
  async start(port = 0): Promise<string> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      let gone = false;
      // A client that gave up on a long poll must not be handed an update (it would be lost).
      response.on("close", () => {
        gone = !response.writableFinished;
        if (gone) this.#waiters.splice(0).forEach((w) => w());
      });
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        void this.#route(request.url ?? "", Buffer.concat(chunks).toString("utf8"), () => gone).then(([status, body]) => {
          response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        });
      });
    });
    // Connections are kept alive as a real API server keeps them (stop() closes them all): a short
    // keep-alive hint makes undici close the socket after every answer (it keeps a margin of 1-2 s),
    // so each call paid for a new TCP connection and the benchmark measured the stub, not the bot.
    this.#server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.#server!.once("error", reject);
      this.#server!.listen(port, "127.0.0.1", () => {
        this.#server!.off("error", reject);
        resolve();
      });
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.#waiters.splice(0)) w();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Queues a text message from a user; returns the update. */
  pushText(userId: string, text: string, messageId?: string): StubUpdate {
    return this.push({ event_name: "message.text.received", message: this.#message(userId, messageId, text) });
  }

  /** Queues a non-text event (image, sticker, unsupported). */
  pushEvent(userId: string, eventName: string): StubUpdate {
    return this.push({ event_name: eventName, message: this.#message(userId, undefined) });
  }

  push(update: StubUpdate): StubUpdate {
    this.#queue.push(update);
    this.#waiters.shift()?.();
    return update;
  }

  #message(userId: string, messageId: string | undefined, text?: string): StubUpdate["message"] {
    return {
      message_id: messageId ?? `m${nextMessage++}`,
      from: { id: userId, display_name: `User ${userId}`, is_bot: false },
      chat: { id: userId, chat_type: "PRIVATE" },
      date: Date.now(),
      ...(text !== undefined ? { text } : {}),
    };
  }

  /** Texts sent to a chat, in order. */
  textsTo(chatId: string): string[] {
    return this.sent.filter((m) => m.chatId === chatId).map((m) => m.text);
  }

  /** Waits until `count` messages in all have been sent to the chat (default 5 s). */
  async waitForTexts(chatId: string, count: number, timeoutMs = 5_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.textsTo(chatId).length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages to ${chatId}, got ${this.textsTo(chatId).length}:\n${this.textsTo(chatId).join("\n---\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#sentWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.textsTo(chatId);
  }

  /** Number of updates queued and not yet handed out. */
  get pending(): number {
    return this.#queue.length;
  }

  async #route(url: string, raw: string, gone: () => boolean): Promise<[number, unknown]> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(url);
    if (!match) return [404, { ok: false, error_code: 404, description: "Not Found" }];
    if (match[1] !== this.token) return [401, { ok: false, error_code: 401, description: "Unauthorized" }];
    const method = match[2]!;
    let body: Record<string, unknown> = {};
    try {
      body = raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      return [400, { ok: false, error_code: 400, description: "Bad Request: body is not JSON" }];
    }
    this.calls.push({ method, body });
    switch (method) {
      case "getMe":
        return [200, { ok: true, result: { id: this.token.split(":")[0], account_name: "bot.khaosat", account_type: "BASIC", can_join_groups: false } }];
      case "getUpdates":
        return this.#getUpdates(body, gone);
      case "sendMessage":
        return this.#sendMessage(body);
      case "sendChatAction":
        return [200, { ok: true, result: true }];
      case "setWebhook": {
        const secret = String(body.secret_token ?? "");
        if (!/^https:\/\//.test(String(body.url ?? "")) || secret.length < 8 || secret.length > 256) return [400, { ok: false, error_code: 400, description: "Bad Request: invalid url or secret_token" }];
        this.webhook = { url: String(body.url), secret };
        return [200, { ok: true, result: { url: body.url, updated_at: Date.now() } }];
      }
      case "deleteWebhook":
        this.webhook = undefined;
        return [200, { ok: true, result: { url: "", updated_at: Date.now() } }];
      case "getWebhookInfo":
        return [200, { ok: true, result: { url: this.webhook?.url ?? "", updated_at: Date.now() } }];
      default:
        return [404, { ok: false, error_code: 404, description: `Method ${method} not found` }];
    }
  }

  async #getUpdates(body: Record<string, unknown>, gone: () => boolean): Promise<[number, unknown]> {
    if (this.webhook) return [400, { ok: false, error_code: 400, description: "Bad Request: webhook is set, getUpdates is disabled" }];
    const timeoutMs = Number(body.timeout ?? "0") * 1000;
    const wait = Math.min(timeoutMs, this.#maxPollMs ?? timeoutMs);
    if (this.#queue.length === 0 && wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          const i = this.#waiters.indexOf(wake);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve();
        }, wait);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.#waiters.push(wake);
      });
    }
    if (gone()) return [200, { ok: false, error_code: 408, description: "Request timeout" }];
    const update = this.#queue.shift();
    if (!update) return [200, { ok: false, error_code: 408, description: "Request timeout" }];
    this.handedOut.set(update.message.message_id, performance.now());
    return [200, { ok: true, result: update }];
  }

  #sendMessage(body: Record<string, unknown>): [number, unknown] {
    const chatId = String(body.chat_id ?? "");
    const text = typeof body.text === "string" ? body.text : "";
    if (this.throttleNext > 0) {
      this.throttleNext--;
      this.throttledAt.push(performance.now());
      const retry = this.throttleRetryAfter !== undefined ? { parameters: { retry_after: this.throttleRetryAfter } } : {};
      return [429, { ok: false, error_code: 429, description: "Too Many Requests", ...retry }];
    }
    const failure = this.failingChats.get(chatId);
    if (failure) return [200, { ok: false, error_code: failure.code, description: failure.description }];
    if (text.length < 1 || text.length > 2000) return [400, { ok: false, error_code: 400, description: "Bad Request: text length must be between 1 and 2000 characters" }];
    this.sent.push({ chatId, text, at: performance.now() });
    for (const w of this.#sentWaiters.splice(0)) w();
    return [200, { ok: true, result: { message_id: `s${this.#nextSent++}`, date: Date.now() } }];
  }
}
