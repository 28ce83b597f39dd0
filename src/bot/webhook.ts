import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookCallback, type Bot, type Context } from "grammy";
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
}

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
 * `GET /healthz` answers 200 for load balancers.
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
  const handle = webhookCallback(bot, "http", { secretToken: options.secret, onTimeout: "return", timeoutMilliseconds: options.timeoutMs ?? 1_000 });
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
    handle(req, res).catch((error: unknown) => {
      // Errors inside the bot are caught by its boundary; what lands here is a malformed request.
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
