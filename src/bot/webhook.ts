import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookCallback, type Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import { describeError, type BotLogger } from "../channels/telegram/index.js";
import { ALLOWED_UPDATES } from "./polling.js";

/** Options of `startWebhook`. */
export interface WebhookOptions {
  readonly logger: BotLogger;
  /** The public URL Telegram posts to; its path is the one served. */
  readonly url: string;
  /** Checked against the `X-Telegram-Bot-Api-Secret-Token` header of every request. */
  readonly secret: string;
  readonly port: number;
  /** Listen address (default all interfaces; tests use 127.0.0.1). */
  readonly host?: string;
  /** Register the URL with Telegram (`setWebhook`) at start (default true). */
  readonly register?: boolean;
  /** Answer Telegram after at most this long even if handling is not finished; handling goes on in the background (default 1 s). */
  readonly timeoutMs?: number;
  /** Largest request body read, in bytes; a larger one is answered 413 unread (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

/** Telegram's updates are a few KiB; 1 MiB leaves room for the largest (long texts, many entities). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** Why a request body is not an update we can handle; the text goes into the log line. */
class RefusedBody extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** Reads at most `limit` bytes of the body; stops reading (413) as soon as it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new RefusedBody(413, `body of ${declared} bytes is over the ${limit}-byte limit`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        reject(new RefusedBody(413, `body over the ${limit}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/**
 * The update in a body, or a refusal saying what is wrong with it. Telegram always sends an object
 * with an integer `update_id` and one payload field; anything else (`{}`, an array, a string) is
 * refused here instead of failing deep inside the bot.
 */
export function parseUpdate(body: Buffer): Update {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new RefusedBody(400, "body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RefusedBody(400, "body is not a JSON object");
  const id = (value as { update_id?: unknown }).update_id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) throw new RefusedBody(400, "malformed update: no integer update_id");
  const payload = Object.keys(value).filter((key) => key !== "update_id");
  if (payload.length === 0) throw new RefusedBody(400, "malformed update: no payload besides update_id");
  for (const key of payload) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field !== "object" || field === null) throw new RefusedBody(400, `malformed update: ${key.slice(0, 40)} is not an object`);
  }
  return value as Update;
}

/** grammY adapter for a node:http request whose body this module has already read and checked. */
const checkedBody = (req: IncomingMessage, res: ServerResponse, update: Update) => {
  const header = req.headers["x-telegram-bot-api-secret-token"];
  return {
    update: Promise.resolve(update),
    header: Array.isArray(header) ? header[0] : header,
    end: () => void res.end(),
    respond: (json: string) => void res.writeHead(200, { "Content-Type": "application/json" }).end(json),
    unauthorized: () => void res.writeHead(401).end("secret token is wrong"),
  };
};

/** A running webhook server. */
export interface WebhookServer {
  readonly server: Server;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves Telegram's webhook with node:http: only POSTs to the URL's path carrying the right secret
 * header reach the bot (anything else gets 401 or 404), and each update is answered with 200 once it
 * is handled, or after `timeoutMs` (1 s) at the latest while its handling goes on in the background.
 * `GET /healthz` answers 200 for load balancers. A body over `maxBodyBytes` (1 MiB) is answered 413
 * without being read further, a body that is not an update (`{}`, not JSON) 400, each with one log line.
 *
 * Trade-off of the early 200: Telegram holds back a chat's next update until this one is answered and
 * redelivers it after an error or timeout, so waiting for the whole update (a few Bot API calls, each
 * possibly slow or retried after a 429) made respondents wait and risked redeliveries. After the 200,
 * Telegram will not send the update again: a crash between the 200 and the commit loses it (the
 * respondent sees no reply and sends again). The window is short: the commit is the first write and
 * normally lands within milliseconds, well before the timeout; only the replies run later.
 */
export async function startWebhook(bot: Bot<Context>, options: WebhookOptions): Promise<WebhookServer> {
  const path = new URL(options.url).pathname;
  const limit = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const handle = webhookCallback(bot, checkedBody, { secretToken: options.secret, onTimeout: "return", timeoutMilliseconds: options.timeoutMs ?? 1_000 });
  const server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (req.method !== "POST" || url !== path) {
      res.writeHead(404).end();
      return;
    }
    readBody(req, limit)
      .then((body) => handle(req, res, parseUpdate(body)))
      .catch((error: unknown) => {
        if (error instanceof RefusedBody) {
          options.logger.warn({ status: error.status, reason: error.message }, "webhook refused a request");
          if (!res.headersSent) res.writeHead(error.status, { connection: "close" }).end();
          return;
        }
        // Errors inside the bot are caught by its boundary; what lands here is a failed request.
        options.logger.warn({ error: describeError(error) }, "webhook request failed");
        if (!res.headersSent) res.writeHead(400).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  if (options.register !== false) {
    try {
      await bot.api.setWebhook(options.url, { secret_token: options.secret, allowed_updates: [...ALLOWED_UPDATES] });
    } catch (error) {
      options.logger.warn({ error: describeError(error) }, "could not register the webhook with Telegram; set it again or restart");
    }
  }
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
