// The Zalo client's HTTP exchanges: a POST with a JSON body over kept-alive connections (node:http
// and node:https agents). The bot makes two calls per message (the long poll that brings it, the
// reply), so the cost of one call matters: the global fetch wraps each exchange in WHATWG Request,
// Response, stream and AbortSignal objects, about a tenth of a millisecond per call on this kind of
// machine, against a few hundredths for a plain request on a reused socket.
import http from "node:http";
import https from "node:https";

/** What came back: the status and the body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** The longest answer read (an update or a sent message is well under a kilobyte). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** Options of `KeepAliveHttp`. */
export interface KeepAliveHttpOptions {
  /** Connections per host at most; further calls wait for a free one (default 32). */
  readonly maxSockets?: number;
  /** The longest answer read (default MAX_ANSWER_BYTES). */
  readonly maxAnswerBytes?: number;
}

/**
 * POSTs JSON over kept-alive connections. A socket the server closed while it sat idle can fail the
 * next request with ECONNRESET before any answer: that request is sent once more on a new socket
 * (the server never saw it). Idle sockets do not keep the process alive.
 */
export class KeepAliveHttp {
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #maxAnswerBytes: number;
  readonly #targets = new Map<string, { secure: boolean; host: string; port: string; path: string }>();

  constructor(options: KeepAliveHttpOptions = {}) {
    this.#maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 32, scheduling: "lifo" as const };
    this.#http = new http.Agent(agent);
    this.#https = new https.Agent(agent);
  }

  /** Sends `body` (JSON text) to `url`; rejects on a network error, after `timeoutMs`, or when `signal` aborts. */
  async post(url: string, body: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
    try {
      return await this.#once(url, body, timeoutMs, signal);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      return this.#once(url, body, timeoutMs, signal);
    }
  }

  /** Closes the idle connections (those in use close when their exchange ends). */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  /** A URL's parts, parsed once: a bot calls the same few URLs (one per method) again and again. */
  #target(url: string): { secure: boolean; host: string; port: string; path: string } {
    let target = this.#targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      const secure = parsed.protocol === "https:";
      target = { secure, host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"), port: parsed.port || (secure ? "443" : "80"), path: `${parsed.pathname}${parsed.search}` };
      if (this.#targets.size >= 256) this.#targets.clear();
      this.#targets.set(url, target);
    }
    return target;
  }

  #once(url: string, body: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const { secure, host, port, path } = this.#target(url);
      const payload = Buffer.from(body, "utf8");
      const request = (secure ? https : http).request({
        host,
        port,
        path,
        method: "POST",
        agent: secure ? this.#https : this.#http,
        headers: { "content-type": "application/json", "content-length": payload.length },
      });
      let settled = false;
      const finish = (error: Error | undefined, answer?: HttpAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(answer!);
      };
      const timer = setTimeout(() => {
        const error = new Error(`no answer within ${timeoutMs} ms`);
        error.name = "TimeoutError";
        request.destroy(error);
      }, timeoutMs);
      const onAbort = () => request.destroy(abortError());
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error: NodeJS.ErrnoException) => {
        // Reset before any answer on a socket used before: the server closed it while idle.
        if (request.reusedSocket && error.code === "ECONNRESET" && !settled) return finish(new StaleSocketError());
        finish(error);
      });
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxAnswerBytes) {
            request.destroy(new Error(`answer larger than ${this.#maxAnswerBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => finish(undefined, { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", (error) => finish(error));
        response.on("aborted", () => finish(new Error("the connection closed during the answer")));
      });
      request.end(payload);
    });
  }
}

class StaleSocketError extends Error {}

function abortError(): Error {
  const error = new Error("the request was aborted");
  error.name = "AbortError";
  return error;
}
