import type { ZaloConfig, Language } from "../../config/index.js";
import { TextConversationHost, type CitizenCompletion } from "../../conversation/index.js";
import type { I18n } from "../../i18n/index.js";
import type { BotLogger, BotSessionStore, CampaignDirectory, ChatReachability, CodeRedeemer, RespondentDirectory } from "../telegram/ports.js";
import { ZaloChannel, type ZaloHost } from "./channel.js";
import { ZaloClient } from "./client.js";
import { checkZaloBot, startZaloPolling, startZaloWebhook, type ZaloReceiver } from "./run.js";

/** What `startZalo` needs. */
export interface StartZaloOptions {
  readonly config: ZaloConfig;
  readonly codes: CodeRedeemer;
  readonly campaigns: CampaignDirectory;
  readonly respondents: RespondentDirectory;
  /** The zalo channel's sessions (`channelStores(prisma).sessionsOf("zalo")`). */
  readonly sessions: BotSessionStore;
  readonly i18n: I18n;
  readonly logger: BotLogger;
  /** Citizens' feedback: posters typed as `KP_…`, anonymous codes spent and chats forgotten after submission. */
  readonly citizens?: CitizenCompletion;
  /** The outbox's unreachable chats (`zalo:<chat>`): a chat that writes again is cleared. */
  readonly reachability?: ChatReachability;
  readonly defaultLanguage: Language;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** Polling: long-poll timeout in seconds (default 30). */
  readonly pollingTimeoutSeconds?: number;
  /**
   * The host to hand updates to, when the caller built it (`runBot`: the host on a thread of its
   * own, src/bot/host-thread.ts); default one built here, in this thread, from the ports above.
   */
  readonly host?: ZaloHost;
}

/** A started Zalo bot. */
export interface RunningZalo {
  readonly mode: "polling" | "webhook";
  readonly port?: number;
  readonly client: ZaloClient;
  stop(): Promise<void>;
}

/**
 * Starts the Zalo bot: getMe (a refused token or an unreachable API fails here with a clear message
 * and never the token), then polling or the webhook server.
 */
export async function startZalo(options: StartZaloOptions): Promise<RunningZalo> {
  const { config, logger } = options;
  const client = new ZaloClient({ token: config.token.reveal(), apiRoot: config.apiRoot, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const me = await checkZaloBot(client);
  const host =
    options.host ??
    new TextConversationHost({
    channel: "zalo",
    codes: options.codes,
    campaigns: options.campaigns,
    respondents: options.respondents,
    sessions: options.sessions,
    i18n: options.i18n,
    now: options.now ?? (() => new Date()),
    defaultLanguage: options.defaultLanguage,
    logger,
    ...(options.citizens ? { citizens: options.citizens } : {}),
    ...(options.reachability ? { reachability: options.reachability } : {}),
    });
  const channel = new ZaloChannel({ client, host, logger });
  let receiver: ZaloReceiver;
  if (config.mode === "webhook") {
    if (config.webhookUrl === undefined || config.webhookSecret === undefined) throw new Error("bug: Zalo webhook mode without URL or secret (the configuration checks both)");
    receiver = await startZaloWebhook(client, channel, { logger, url: config.webhookUrl, secret: config.webhookSecret.reveal(), host: config.webhookHost, port: config.webhookPort });
  } else {
    receiver = await startZaloPolling(client, channel, { logger, ...(options.pollingTimeoutSeconds ? { timeoutSeconds: options.pollingTimeoutSeconds } : {}) });
  }
  logger.info({ mode: config.mode, bot: me.name, ...(receiver.port !== undefined ? { port: receiver.port } : {}) }, "zalo bot started");
  const stop = async () => {
    await receiver.stop();
    client.close();
  };
  return { mode: config.mode, client, ...(receiver.port !== undefined ? { port: receiver.port } : {}), stop };
}
