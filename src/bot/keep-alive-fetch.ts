// The `fetch` the main thread's Telegram client uses when the bot's work runs on its own thread
// (host-thread.ts): there the main thread makes every Bot API call of the bot — two per answer (the
// answered question edited, the next one sent) plus the long poll — so the cost of one call is most
// of its work. grammY's default fetch on Node (node-fetch) builds Request, Headers, Response and
// stream objects per call; a JSON call instead goes as one POST on a kept-alive socket (the Zalo
// client's KeepAliveHttp). A body that is not text (a file upload's multipart stream) goes through
// the platform's fetch. grammY still does the rest: payloads, timeouts, errors, auto-retry.
import { KeepAliveHttp } from "../channels/zalo/http.js";

/** Longest Bot API answer read: getUpdates brings up to 100 updates of up to 4,096 characters each. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** grammY aborts a call through its signal (its own timeout, 500 s by default); this is only a backstop. */
const BACKSTOP_MS = 15 * 60_000;

/** What grammY's client reads of an answer. */
interface Answer {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}

/** A `fetch` for grammY's client (`client.fetch`) over kept-alive connections; `close` ends the idle ones. */
export function keepAliveFetch(): { fetch: typeof fetch; close: () => void } {
  const http = new KeepAliveHttp({ maxSockets: 64, maxAnswerBytes: MAX_ANSWER_BYTES });
  const lean = async (url: string | URL, init: RequestInit = {}): Promise<Answer> => {
    if (typeof init.body !== "string") return fetch(url, { ...init, ...(init.body ? { duplex: "half" } : {}) } as RequestInit);
    const answer = await http.post(String(url), init.body, BACKSTOP_MS, init.signal ?? undefined);
    return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, json: async () => JSON.parse(answer.body) as unknown };
  };
  return { fetch: lean as unknown as typeof fetch, close: () => http.close() };
}
