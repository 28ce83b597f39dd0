import { GrammyError, type Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { describeError, type BotLogger, type TelegramPorts } from "../channels/telegram/index.js";
import type { CitizenCompletion } from "../conversation/path.js";
import type { Config } from "../config/index.js";
import { createI18n, type I18n } from "../i18n/index.js";
import type { AdminOptions } from "../channels/telegram/admin/index.js";
import { apiBot, apologise, createBot } from "./create-bot.js";
import type { HostThread } from "./host-thread.js";
import { keepAliveFetch } from "./keep-alive-fetch.js";
import { publishCommands } from "./menu.js";
import { startPolling } from "./polling.js";
import { startWebhook } from "./webhook.js";

/** Options of `startBot`. */
export interface StartBotOptions {
  readonly config: Config;
  readonly ports: TelegramPorts;
  readonly logger: BotLogger;
  readonly i18n?: I18n;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  readonly botInfo?: UserFromGetMe;
  /** Webhook mode: listen address (default all interfaces). */
  readonly host?: string;
  /** Polling: long-poll timeout in seconds (tests use 1). */
  readonly pollingTimeoutSeconds?: number;
  /** Attempts at `getMe` while Telegram cannot be reached at start (default 3), the n-th retry after n × `initRetryMs` (default 1 s). */
  readonly initAttempts?: number;
  readonly initRetryMs?: number;
  /** Citizens' posters and anonymous clean-up (`CitizenService`). */
  readonly citizens?: CitizenCompletion;
  /** Organisers' commands for ADMIN_TELEGRAM_IDS. */
  readonly admin?: AdminOptions;
  /**
   * The bot's work on a thread of its own (host-thread.ts), started once the bot's identity is
   * known; its Bot API calls are made on this thread. Absent: everything on this thread.
   */
  readonly thread?: (botInfo: UserFromGetMe) => Promise<HostThread>;
}

/** A started bot. */
export interface RunningBot {
  readonly bot: Bot<Context>;
  readonly mode: "polling" | "webhook";
  /** Webhook mode: the port bound. */
  readonly port?: number;
  /** Stops taking updates and waits for those in progress. */
  stop(): Promise<void>;
}

/** Refused by Telegram at start: the token is wrong or revoked (no point retrying). */
export class BotTokenRejectedError extends Error {
  constructor() {
    super("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again from @BotFather, or /revoke and use the new one");
    this.name = "BotTokenRejectedError";
  }
}

/** Telegram (or TELEGRAM_API_ROOT) could not be reached at start: the process exits and its supervisor retries. */
export class BotApiUnreachableError extends Error {
  constructor(
    readonly apiRoot: string,
    readonly attempts: number,
  ) {
    super(`cannot reach the Telegram Bot API at ${apiRoot} (${attempts} attempts): check the network, or TELEGRAM_API_ROOT if you run your own Bot API server`);
    this.name = "BotApiUnreachableError";
  }
}

/**
 * Starts the respondent bot in the configured mode: learns its identity (retrying while Telegram
 * is unreachable, failing fast on a refused token), publishes the command menu in the background (a
 * failure is only a warning), then long-polls through the runner or serves the webhook.
 */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config, logger } = options;
  const token = config.telegramBotToken?.reveal();
  if (token === undefined) throw new Error("bug: startBot without TELEGRAM_BOT_TOKEN");
  const i18n = options.i18n ?? createI18n({ language: config.defaultLanguage });
  const connection = {
    token,
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}),
  };
  // On a thread of its own, this thread only receives updates and makes the bot's calls: over kept-alive sockets.
  const lean = options.thread && !options.fetch ? keepAliveFetch() : undefined;
  let thread: HostThread | undefined;
  const bot = options.thread
    ? apiBot({ ...connection, fetch: options.fetch ?? lean!.fetch })
    : createBot({
        ...connection,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.citizens ? { citizens: options.citizens } : {}),
        ...(options.admin ? { admin: options.admin } : {}),
        deps: { ports: options.ports, i18n, now: options.now ?? (() => new Date()), logger, defaultLanguage: config.defaultLanguage },
      });
  if (options.thread) {
    // The thread's bot has the features, the dedupe and the error boundary; here, a thread that
    // ended with the update in hand is that respondent's apology (the update's step stored or not, never half).
    bot.use(async (ctx) => {
      try {
        await thread!.handleUpdate(ctx.update);
      } catch (error) {
        logger.error({ updateId: ctx.update.update_id, error: describeError(error) }, "update failed");
        await apologise({ i18n, defaultLanguage: config.defaultLanguage, logger }, ctx);
      }
    });
  }
  try {
    await initWithRetry(bot, logger, config.telegramApiRoot ?? "https://api.telegram.org", options.initAttempts ?? 3, options.initRetryMs ?? 1_000);
    if (options.thread) thread = await options.thread(bot.botInfo);
  } catch (error) {
    lean?.close();
    throw error;
  }
  const stopThread = async () => {
    await thread?.stop();
    lean?.close();
  };
  // Not awaited: the menu is a convenience, and a failing Bot API must not hold start-up (publishCommands
  // never throws; it logs a warning). createBot exempts setMyCommands from auto-retry for the same reason.
  void publishCommands(bot.api, i18n, logger);

  if (config.botMode === "webhook") {
    const server = await startWebhook(bot, { logger, url: config.webhookUrl, secret: config.webhookSecret.reveal(), port: config.port, ...(options.host ?? config.webhookHost ? { host: options.host ?? config.webhookHost } : {}) });
    logger.info({ mode: "webhook", port: server.port, bot: bot.botInfo.username }, "bot started");
    return {
      bot,
      mode: "webhook",
      port: server.port,
      stop: async () => {
        await server.close();
        await stopThread();
      },
    };
  }
  const runner = await startPolling(bot, {
    logger,
    ...(options.pollingTimeoutSeconds ? { timeoutSeconds: options.pollingTimeoutSeconds } : {}),
    // With the work on its own thread an update crosses between the threads five or six times (to
    // the worker, each call out and back, done), so more of them must be in progress to keep both
    // cores busy: under a flood 100 at once left each thread a third idle (bench:bot: ~1,100 against
    // ~1,400 updates/s with 400). One chat's updates still run one at a time, in order.
    ...(options.thread ? { concurrency: 400 } : {}),
  });
  logger.info({ mode: "polling", bot: bot.botInfo.username }, "bot started");
  return {
    bot,
    mode: "polling",
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
      await stopThread();
    },
  };
}

async function initWithRetry(bot: Bot<Context>, logger: BotLogger, apiRoot: string, attempts: number, retryMs: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // One getMe per attempt: grammY's own init would retry network errors forever.
      if (!bot.isInited()) bot.botInfo = await bot.api.getMe();
      await bot.init();
      return;
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 401) throw new BotTokenRejectedError();
      if (attempt >= attempts) throw new BotApiUnreachableError(apiRoot, attempts);
      logger.warn({ attempt, error: describeError(error) }, "cannot reach the Telegram Bot API yet; retrying");
      await new Promise((resolve) => setTimeout(resolve, retryMs * attempt));
    }
  }
}
