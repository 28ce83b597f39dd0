// Receiving Zalo updates: long polling (one update per getUpdates, 408 = none came) or a webhook
// server (plain HTTP behind the reverse proxy that holds the https:// URL registered with Zalo).
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BotLogger } from "../telegram/ports.js";
import { redactToken, ZaloApiError, type ZaloClient, type ZaloUpdate } from "./client.js";
import type { ZaloChannel } from "./channel.js";

/** A running receiver. */
export interface ZaloReceiver {
  /** Webhook: the port bound. */
  readonly port?: number;
  /** Stops taking updates and waits for those in progress. */
  stop(): Promise<void>;
}

/** Options of `startZaloPolling`. */
export interface ZaloPollingOptions {
  readonly logger: BotLogger;
  /** Long-poll timeout in seconds (default 30; tests use 1). */
  readonly timeoutSeconds?: number;
  /** Wait after a failed poll, doubled up to 30 s (default 1 s). */
  readonly retryMs?: number;
}

/**
 * Polls until stopped. Each update is handed to the channel without waiting for it (chats run in
 * parallel; one chat's updates in order), so a slow reply never holds the next poll.
 */
export async function startZaloPolling(client: ZaloClient, channel: ZaloChannel, options: ZaloPollingOptions): Promise<ZaloReceiver> {
  const { logger } = options;
  // getUpdates does not work while a webhook is set.
  await client.deleteWebhook().catch((error: unknown) => logger.warn({ error: describe(error) }, "zalo deleteWebhook failed; polling anyway"));
  const abort = new AbortController();
  let failures = 0;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      let update: ZaloUpdate | undefined;
      try {
        update = await client.getUpdate(options.timeoutSeconds ?? 30, abort.signal);
        failures = 0;
      } catch (error) {
        if (abort.signal.aborted) break;
        failures++;
        logger.warn({ error: describe(error), failures }, "zalo getUpdates failed; retrying");
        await sleep(Math.min(30_000, (options.retryMs ?? 1_000) * 2 ** Math.min(failures - 1, 5)), abort.signal);
        continue;
      }
      if (update) void channel.dispatch(update);
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
      await channel.idle();
    },
  };
}

/** Options of `startZaloWebhook`. */
export interface ZaloWebhookOptions {
  readonly logger: BotLogger;
  /** The public URL registered with Zalo; its path is the one served. */
  readonly url: string;
  /** Checked against the X-Bot-Api-Secret-Token header. */
  readonly secret: string;
  readonly host: string;
  readonly port: number;
  /** Register the URL with setWebhook at start (default true). */
  readonly register?: boolean;
  /** Answer after at most this long even if handling is not finished (default 1 s). */
  readonly timeoutMs?: number;
}

/** Largest webhook body read (an update is a few hundred bytes). */
const MAX_BODY = 64 * 1024;

/**
 * Serves Zalo's webhook: only POSTs to the URL's path with the right secret header reach the channel
 * (401/404 otherwise; 413 for an oversized body). The body is the update itself or wrapped as
 * `{ok, result}`. Answers 200 once handled or after `timeoutMs`; a redelivery is harmless (the
 * dedupe key is stored with the step). `GET /healthz` answers 200.
 */
export async function startZaloWebhook(client: ZaloClient, channel: ZaloChannel, options: ZaloWebhookOptions): Promise<ZaloReceiver> {
  const path = new URL(options.url).pathname;
  const expected = Buffer.from(options.secret);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method === "GET" && url.pathname === "/healthz") return void response.writeHead(200).end("ok");
    if (url.pathname !== path) return void response.writeHead(404).end();
    if (request.method !== "POST") return void response.writeHead(405).end();
    const given = Buffer.from(String(request.headers["x-bot-api-secret-token"] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void response.writeHead(401).end();
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        response.writeHead(413).end();
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > MAX_BODY) return;
      let update: ZaloUpdate | undefined;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { event_name?: unknown; ok?: unknown; result?: unknown };
        const candidate = (body.ok === true && typeof body.result === "object" ? body.result : body) as ZaloUpdate;
        if (typeof candidate?.event_name === "string") update = candidate;
      } catch {
        // answered 400 below
      }
      if (!update) return void response.writeHead(400).end();
      const done = channel.dispatch(update);
      const timer = setTimeout(() => response.writeHead(200).end(), options.timeoutMs ?? 1_000);
      void done.then(() => {
        clearTimeout(timer);
        if (!response.headersSent) response.writeHead(200).end();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  if (options.register !== false) await client.setWebhook(options.url, options.secret);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await channel.idle();
    },
  };
}

/** The token was refused at start (401/403 from getMe). */
export class ZaloTokenRejectedError extends Error {
  constructor() {
    super("Zalo refused ZALO_BOT_TOKEN: copy the token again from Zalo Bot Creator");
    this.name = "ZaloTokenRejectedError";
  }
}

/** The Bot API could not be reached at start. */
export class ZaloApiUnreachableError extends Error {
  constructor(apiRoot: string, reason: string) {
    super(`cannot reach the Zalo Bot API at ${apiRoot} (${reason}): check the network, or ZALO_API_ROOT`);
    this.name = "ZaloApiUnreachableError";
  }
}

/** getMe at start: a clear error for a refused token or an unreachable API, never the token. */
export async function checkZaloBot(client: ZaloClient): Promise<{ id: string; name: string }> {
  try {
    const me = await client.getMe();
    return { id: String(me.id), name: me.account_name ?? me.display_name ?? me.name ?? String(me.id) };
  } catch (error) {
    if (error instanceof ZaloApiError && (error.errorCode === 401 || error.errorCode === 403 || error.errorCode === 404)) throw new ZaloTokenRejectedError();
    throw new ZaloApiUnreachableError(client.apiRoot, describe(error));
  }
}

function describe(error: unknown): string {
  return redactToken(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
