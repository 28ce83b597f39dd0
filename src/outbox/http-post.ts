// One JSON POST over keep-alive HTTP(S), telling apart what fetch() cannot: whether any byte of the
// request was handed to the socket. The body is written only once the socket is connected, so a
// request that waited (for a connection, behind a stalled event loop) and failed or ran out of time
// before that provably never reached the server: the outbox sends it again instead of listing it in
// doubt. The answer timeout starts when the request is written, so it measures the server and the
// network, not this process's own queue; and when it expires, the request is given up only after the
// event loop has read what already arrived (setImmediate runs after the poll phase), so an answer
// that came back while this process was busy is still taken.
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";

/** What one POST came to. */
export type PostResult =
  /** The server answered (any status) with this body. */
  | { readonly kind: "answer"; readonly status: number; readonly body: string }
  /** No byte of the request was written to a socket: the server cannot have seen it. */
  | { readonly kind: "not_sent"; readonly description: string }
  /** The request was written but no complete answer came: the server may have acted on it. */
  | { readonly kind: "no_answer"; readonly description: string };

/** Posts JSON bodies to one origin through its own pool of keep-alive connections. */
export interface JsonPoster {
  post(url: string, body: string): Promise<PostResult>;
  /** Closes the idle connections. */
  close(): void;
}

/** Options of `jsonPoster`. */
export interface JsonPosterOptions {
  /** Give up waiting for the answer this long after the request was written (it is then in doubt). */
  readonly timeoutMs: number;
  /** Give up a request not yet written (waiting for a connection) after this long: it was not sent. Default `timeoutMs`. */
  readonly connectTimeoutMs?: number;
  /** An idle kept-alive connection is closed after this long (default 4 s, below common servers' 5 s). */
  readonly idleMs?: number;
  /**
   * A kept-alive connection is written to only within this long of its last request (default 2 s),
   * measured from the write, which comes before the server's answer that starts its own idle timer: a
   * connection older than that may be closing on the server's side, and a request written to it would be
   * reset, in doubt. It is dropped instead and the request takes another connection (nothing was written).
   */
  readonly reuseWithinMs?: number;
}

/** A poster with its own connection pool (the outbox's traffic never shares sockets with the bot's replies). */
export function jsonPoster(options: JsonPosterOptions): JsonPoster {
  const idleMs = options.idleMs ?? 4000;
  const agents = {
    "http:": new http.Agent({ keepAlive: true, timeout: idleMs }),
    "https:": new https.Agent({ keepAlive: true, timeout: idleMs }),
  };
  const reuseWithinMs = options.reuseWithinMs ?? Math.min(2000, idleMs);
  const connectTimeoutMs = options.connectTimeoutMs ?? options.timeoutMs;
  // When a request was last written to each connection: one idle for longer than reuseWithinMs is not written to.
  const lastActive = new WeakMap<Socket, number>();

  // One try on one connection; `stale` when the connection it was given had been idle too long (nothing written).
  const attempt = (target: URL, body: string): Promise<PostResult | "stale"> =>
    new Promise((resolve) => {
      const secure = target.protocol === "https:";
      let written = false;
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Which timer is current: one that fired before the request moved on (it connected meanwhile) gives nothing up.
      let armed = 0;
      const done = (result: PostResult | "stale"): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = (secure ? https : http).request(target, {
        method: "POST",
        agent: agents[secure ? "https:" : "http:"],
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      const arm = (ms: number, description: string): void => {
        clearTimeout(timer);
        const mine = ++armed;
        timer = setTimeout(() => {
          // Given up only after the event loop has read what already arrived (the timer may have fired
          // late, behind a busy loop): setImmediate runs after the poll phase.
          setImmediate(() => {
            if (settled || mine !== armed) return;
            done(written ? { kind: "no_answer", description } : { kind: "not_sent", description });
            request.destroy();
          });
        }, ms);
      };
      arm(connectTimeoutMs, `not connected within ${connectTimeoutMs} ms (not sent)`);
      const write = (socket: Socket): void => {
        if (settled) return;
        lastActive.set(socket, performance.now());
        written = true;
        arm(options.timeoutMs, "no answer within the timeout");
        request.end(body);
      };
      request.once("socket", (socket: Socket) => {
        if (settled) return;
        // A new connection: written once connected (TLS: once its handshake is done).
        if (socket.connecting) {
          socket.once(secure ? "secureConnect" : "connect", () => write(socket));
          return;
        }
        // A kept-alive one idle for too long (reuseWithinMs; this process may have been too busy to
        // see the server close it): dropped unwritten, and the request takes another connection.
        const since = lastActive.get(socket);
        if (since !== undefined && performance.now() - since > reuseWithinMs) {
          done("stale");
          request.destroy();
          return;
        }
        write(socket);
      });
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          done({ kind: "answer", status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
        });
        response.on("error", (error) => done({ kind: "no_answer", description: describe(error) }));
        response.on("close", () => {
          if (!response.complete) done({ kind: "no_answer", description: "answer cut off" });
        });
      });
      request.on("error", (error) => done(written ? { kind: "no_answer", description: describe(error) } : { kind: "not_sent", description: `${describe(error)} (not sent)` }));
    });

  return {
    async post(url, body) {
      const target = new URL(url);
      // Each stale connection is destroyed as it is met, so this ends; bounded all the same.
      for (let tries = 0; tries < 64; tries++) {
        const result = await attempt(target, body);
        if (result !== "stale") return result;
      }
      return { kind: "not_sent", description: "no usable connection (not sent)" };
    },
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || error.message.includes(code) ? error.message : `${error.message} ${code}`;
}
