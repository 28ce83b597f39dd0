// A client of the Zalo Bot Platform's Bot API (docs: /work/shared/ZALO-BOT-API.md, summarised in
// docs/channels.md): every call is a POST with a JSON body to `<root>/bot<token>/<method>`, answered
// `{ok: true, result}` or `{ok: false, error_code, description}`. Retries 429, 5xx and network errors
// with backoff; never puts the token (which is in the URL) into an error or a log line. Calls go over
// kept-alive connections (http.ts) unless a `fetch` is given.
import { KeepAliveHttp, type HttpAnswer } from "./http.js";

/** One update as `getUpdates` returns it or the webhook receives it. */
export interface ZaloUpdate {
  readonly event_name: string;
  readonly message?: ZaloMessage;
}

/** The message of an update (ids are opaque strings, `date` in milliseconds). */
export interface ZaloMessage {
  readonly message_id: string;
  readonly from?: { readonly id: string; readonly display_name?: string; readonly first_name?: string; readonly is_bot?: boolean };
  readonly chat: { readonly id: string; readonly chat_type?: string };
  readonly date?: number;
  readonly text?: string;
}

/** What `getMe` answers (field names vary between integrations: read them loosely). */
export interface ZaloBotInfo {
  readonly id: string;
  readonly account_name?: string;
  readonly name?: string;
  readonly display_name?: string;
}

/** A refusal by the Bot API: `error_code` and `description` as sent (never containing our token). */
export class ZaloApiError extends Error {
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(`Zalo Bot API ${method} failed: ${errorCode} ${description}`);
    this.name = "ZaloApiError";
  }

  /** Worth trying again: throttled or a server error. */
  get retryable(): boolean {
    return this.errorCode === 429 || this.errorCode >= 500;
  }
}

/** The Bot API could not be reached (network error, timeout). */
export class ZaloNetworkError extends Error {
  constructor(
    readonly method: string,
    reason: string,
  ) {
    super(`cannot reach the Zalo Bot API (${method}): ${reason}`);
    this.name = "ZaloNetworkError";
  }
}

/** Options of `ZaloClient`. */
export interface ZaloClientOptions {
  readonly token: string;
  /** e.g. https://bot-api.zaloplatforms.com (no trailing slash). */
  readonly apiRoot: string;
  /** Calls go through this instead of the client's own kept-alive connections (tests, proxies). */
  readonly fetch?: typeof fetch;
  /** Attempts for a retryable failure (default 4); the n-th retry waits `backoffMs × 2^(n-1)` (default 500 ms), or the server's retry_after. */
  readonly attempts?: number;
  readonly backoffMs?: number;
  /** Time allowed for one HTTP exchange beyond a long poll's own timeout (default 15 s). */
  readonly requestTimeoutMs?: number;
}

/** The longest text `sendMessage` accepts. */
export const ZALO_MAX_TEXT = 2000;

/** Removes anything shaped like a Zalo or Telegram bot token from a text (errors from fetch can quote the URL). */
export function redactToken(text: string, token?: string): string {
  let out = token ? text.split(token).join("[token]") : text;
  out = out.replace(/bot\d{1,25}:[A-Za-z0-9_-]{8,}/g, "bot[token]");
  return out;
}

/** The Bot API calls the channel uses. */
export class ZaloClient {
  readonly #token: string;
  readonly #root: string;
  readonly #fetch: typeof fetch | undefined;
  readonly #http: KeepAliveHttp | undefined;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #timeoutMs: number;

  constructor(options: ZaloClientOptions) {
    this.#token = options.token;
    this.#root = options.apiRoot.replace(/\/+$/, "");
    this.#fetch = options.fetch;
    this.#http = options.fetch ? undefined : new KeepAliveHttp();
    this.#attempts = options.attempts ?? 4;
    this.#backoffMs = options.backoffMs ?? 500;
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  /** The API root (for messages; never the token). */
  get apiRoot(): string {
    return this.#root;
  }

  /**
   * One call with retries. `retry: false` makes a single attempt (getUpdates: the poll loop decides;
   * getMe at start: fail fast).
   */
  async call<T>(method: string, body: Record<string, unknown> = {}, options: { readonly retry?: boolean; readonly waitMs?: number; readonly signal?: AbortSignal } = {}): Promise<T> {
    const attempts = options.retry === false ? 1 : this.#attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once<T>(method, body, options.waitMs ?? 0, options.signal);
      } catch (error) {
        const retryable = error instanceof ZaloNetworkError || (error instanceof ZaloApiError && error.retryable);
        if (!retryable || attempt >= attempts || options.signal?.aborted) throw error;
        const retryAfter = error instanceof RetryAfter ? error.seconds * 1000 : 0;
        await sleep(Math.max(retryAfter, this.#backoffMs * 2 ** (attempt - 1)), options.signal);
      }
    }
  }

  /** Closes the idle kept-alive connections. */
  close(): void {
    this.#http?.close();
  }

  /** One HTTP exchange: the status and the body text. */
  async #exchange(url: string, body: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
    if (this.#http) return this.#http.post(url, body, timeoutMs, signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await this.#fetch!(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return { status: response.status, body: await response.text() };
  }

  async #once<T>(method: string, body: Record<string, unknown>, waitMs: number, signal?: AbortSignal): Promise<T> {
    let response: HttpAnswer;
    try {
      response = await this.#exchange(`${this.#root}/bot${this.#token}/${method}`, JSON.stringify(body), this.#timeoutMs + waitMs, signal);
    } catch (error) {
      throw new ZaloNetworkError(method, redactToken(error instanceof Error ? `${error.name}: ${error.message}` : String(error), this.#token));
    }
    let parsed: { ok?: unknown; result?: unknown; error_code?: unknown; description?: unknown; parameters?: { retry_after?: unknown } };
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    } catch {
      if (response.status === 429 || response.status >= 500) throw new ZaloApiError(method, response.status, `HTTP ${response.status}`);
      throw new ZaloApiError(method, response.status, `HTTP ${response.status} with a body that is not JSON`);
    }
    if (parsed.ok === true) return parsed.result as T;
    const code = typeof parsed.error_code === "number" ? parsed.error_code : response.status;
    const description = redactToken(typeof parsed.description === "string" ? parsed.description : `HTTP ${response.status}`, this.#token);
    const retryAfter = typeof parsed.parameters?.retry_after === "number" ? parsed.parameters.retry_after : undefined;
    if (retryAfter !== undefined) throw new RetryAfter(method, code, description, retryAfter);
    throw new ZaloApiError(method, code, description);
  }

  getMe(): Promise<ZaloBotInfo> {
    return this.call<ZaloBotInfo>("getMe", {}, { retry: false });
  }

  /**
   * One long poll: the next update, or undefined when none came within `timeoutSeconds` (the API
   * answers error_code 408 then).
   */
  async getUpdate(timeoutSeconds: number, signal?: AbortSignal): Promise<ZaloUpdate | undefined> {
    try {
      const result = await this.call<ZaloUpdate | ZaloUpdate[] | null>("getUpdates", { timeout: String(timeoutSeconds) }, { retry: false, waitMs: timeoutSeconds * 1000, ...(signal ? { signal } : {}) });
      // One update per call; tolerate an array (less sure) by taking its first element.
      if (Array.isArray(result)) return result[0];
      return result ?? undefined;
    } catch (error) {
      if (error instanceof ZaloApiError && error.errorCode === 408) return undefined;
      throw error;
    }
  }

  /** Sends one text of 1 to 2,000 characters (the channel splits longer ones first). */
  sendMessage(chatId: string, text: string): Promise<{ message_id?: string; date?: number }> {
    if (text.length === 0 || text.length > ZALO_MAX_TEXT) throw new Error(`bug: a Zalo message must have 1 to ${ZALO_MAX_TEXT} characters, this one has ${text.length}`);
    return this.call("sendMessage", { chat_id: chatId, text });
  }

  sendChatAction(chatId: string, action = "typing"): Promise<unknown> {
    return this.call("sendChatAction", { chat_id: chatId, action }, { retry: false });
  }

  setWebhook(url: string, secretToken: string): Promise<unknown> {
    return this.call("setWebhook", { url, secret_token: secretToken });
  }

  deleteWebhook(): Promise<unknown> {
    return this.call("deleteWebhook", {});
  }

  getWebhookInfo(): Promise<{ url?: string }> {
    return this.call("getWebhookInfo", {});
  }
}

/** A throttling answer with a wait the server asked for. */
class RetryAfter extends ZaloApiError {
  constructor(
    method: string,
    code: number,
    description: string,
    readonly seconds: number,
  ) {
    super(method, code, description);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
