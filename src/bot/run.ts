import { loadCodeSecret, RedemptionService } from "../access/index.js";
import { BroadcastProgress } from "../channels/telegram/admin/index.js";
import type { BotLogger } from "../channels/telegram/index.js";
import { CitizenService } from "../citizens/index.js";
import type { Config } from "../config/index.js";
import { coordinatorDigestJob, DigestService } from "../coordinators/index.js";
import { openDatabase, type Database } from "../db/index.js";
import { createI18n, type I18n } from "../i18n/index.js";
import { channelsOf, configuredSender, sharedBudgets } from "../outbox/index.js";
import { ReminderService } from "../reminders/index.js";
import { DatabaseRunCoordinator, reminderJob, startScheduler, type TickEvent } from "../scheduler/index.js";
import { adminOptions } from "./admin-options.js";
import { HostThread } from "./host-thread.js";
import { createJsonLogger } from "./logger.js";
import { startBot, type RunningBot, type StartBotOptions } from "./start.js";

/**
 * A channel's conversation thread starts with the first update and ends after this long without
 * one (host-thread.ts): an idle bot holds one V8 heap and one database connection, not two.
 */
const THREAD_IDLE_MS = 60_000;

/** Options of `runBot`. */
export interface RunBotOptions {
  readonly logger?: BotLogger;
  /** Resolves when the bot should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
  /** Called once the bot takes updates. */
  readonly onStarted?: (running: RunningBot) => void;
  /** Awaited once every configured channel has started (its token accepted), before waiting to stop. */
  readonly onChannelsReady?: () => Promise<void>;
  /** Polling: long-poll timeout in seconds. */
  readonly pollingTimeoutSeconds?: number;
  /** Run the outbox sender, the cron jobs and broadcast progress in this process (default true). */
  readonly background?: boolean;
  /**
   * The database to run on, opened by the caller, who closes it (`khaosat start` shares it with the
   * web console: one Prisma client per process, see Database). Default: opened here and closed on stop.
   */
  readonly database?: Database;
  /** The channels' conversation on a thread of its own (default true; false: in this thread, as tests that inject a clock build it). */
  readonly hostThread?: boolean;
}

/**
 * What `npm start` runs with a token: opens (and migrates) the database, wires the channel's ports,
 * the redemption service, citizens' posters and the organisers' commands to it, starts the bot, the
 * outbox sender, the cron jobs (reminders, coordinators' digests; one instance per tick) and the
 * broadcast progress updates, and stops all of them cleanly on SIGINT/SIGTERM.
 */
export async function runBot(config: Config, options: RunBotOptions = {}): Promise<void> {
  const logger = options.logger ?? createJsonLogger(config.logLevel);
  // One database handle, one client: on SQLite a second writing connection would block the event loop.
  const db = options.database ?? (await openDatabase(config.databaseUrl.reveal()));
  const stops: Array<() => Promise<void> | void> = [];
  try {
    const secret = loadCodeSecret(config);
    const i18n = createI18n({ language: config.defaultLanguage });
    const { channel } = db;
    const reminders = new ReminderService(db.messaging, i18n);
    const admin = adminOptions(config.adminTelegramIds, db, reminders);
    const codes = new RedemptionService({ repository: channel.access, secret, allowDelegation: config.allowDelegation });
    // Zalo (issue 12): started first, so a refused token stops start-up before Telegram is touched.
    if (config.zalo !== undefined) {
      const { startZalo } = await import("../channels/zalo/index.js");
      // The conversation host on a thread of its own (host-thread.ts): polling and sending stay here.
      const host = options.hostThread === false ? undefined : await HostThread.start({ channel: "zalo", databaseUrl: config.databaseUrl.reveal(), codeSecret: secret.reveal(), allowDelegation: config.allowDelegation ?? false, defaultLanguage: config.defaultLanguage, logger, i18n, idleMs: THREAD_IDLE_MS });
      if (host) stops.push(() => host.stop());
      const zalo = await startZalo({ config: config.zalo, codes, campaigns: channel.campaigns, respondents: channel.respondents, sessions: channel.sessionsOf("zalo"), i18n, logger, defaultLanguage: config.defaultLanguage, citizens: new CitizenService({ repository: db.citizens, secret }), reachability: db.messaging, ...(host ? { host } : {}) });
      // Stopped before the host: the channel waits for the updates in progress first.
      stops.splice(stops.length - (host ? 1 : 0), 0, () => zalo.stop());
    }
    if (config.telegramBotToken === undefined) {
      // Zalo only: the outbox sender (Zalo transport) and the scheduler run here too.
      if (options.background !== false) startBackground(config, db, reminders, i18n, logger, stops);
      await options.onChannelsReady?.();
      await (options.until ?? signalled());
      logger.info({}, "stopping");
      return;
    }
    const running = await startBot({
      config,
      logger,
      i18n,
      citizens: new CitizenService({ repository: db.citizens, secret }),
      admin,
      ports: { codes, campaigns: channel.campaigns, respondents: channel.respondents, sessions: channel.sessions, reachability: db.messaging },
      ...(options.pollingTimeoutSeconds ? { pollingTimeoutSeconds: options.pollingTimeoutSeconds } : {}),
      // The respondent bot on a thread of its own (host-thread.ts): receiving updates and the Bot API calls stay here.
      ...(options.hostThread === false ? {} : { thread: telegramThread(config, secret.reveal(), logger, i18n) }),
    });
    stops.push(() => running.stop());

    if (options.background !== false) {
      startBackground(config, db, reminders, i18n, logger, stops);

      const progress = new BroadcastProgress({ api: running.bot.api, broadcasts: admin.ports.broadcasts, state: admin.ports.state, audit: db.audit, i18n, logger });
      stops.unshift(progress.start(5_000));
    }

    options.onStarted?.(running);
    await options.onChannelsReady?.();
    await (options.until ?? signalled());
    logger.info({}, "stopping");
  } finally {
    for (const stop of stops) await stop();
    if (options.database === undefined) await db.close();
  }
}

/** Starts the Telegram bot's thread (`StartBotOptions.thread`) as `khaosat start` configures it. */
export function telegramThread(config: Config, codeSecret: string, logger: BotLogger, i18n: I18n): NonNullable<StartBotOptions["thread"]> {
  const token = config.telegramBotToken;
  if (token === undefined) throw new Error("bug: a Telegram thread without TELEGRAM_BOT_TOKEN");
  return (botInfo) =>
    HostThread.start({
      channel: "telegram",
      databaseUrl: config.databaseUrl.reveal(),
      codeSecret,
      allowDelegation: config.allowDelegation ?? false,
      defaultLanguage: config.defaultLanguage,
      telegram: { token: token.reveal(), ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}), botInfo, adminIds: config.adminTelegramIds },
      logger,
      i18n,
      idleMs: THREAD_IDLE_MS,
    });
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

/** The outbox sender (every configured channel's transport) and the scheduler (reminders, digests); their stops run first. */
function startBackground(config: Config, db: Database, reminders: ReminderService, i18n: ReturnType<typeof createI18n>, logger: BotLogger, stops: Array<() => Promise<void> | void>): void {
  // Several instances on PostgreSQL: each channel has one budget for all of them (and for
  // `khaosat outbox send`), split among the live senders. SQLite runs one bot process: its own budget
  // per channel, as before.
  const shared = sharedBudgets(config, db.target.provider, db.senders, {
    onError: (channel, error) => logger.warn({ channel, error: String(error) }, "could not renew the shared send budget; sending paused until it succeeds"),
  });
  const sender = configuredSender(config, db.outbox, {
    channels: channelsOf(shared),
    onEvent: (event) => {
      if (event.type === "paused") logger.warn({ retryAfterSeconds: event.seconds }, "outbox paused by a 429");
      // Zalo's error codes are undocumented: its error_code and description are logged (never a token or a text).
      if (event.type === "unreachable") logger.info({ id: event.id, reason: event.reason }, "outbox chat unreachable");
    },
  });
  const sending = (async () => {
    await Promise.all(shared.map((budget) => budget.start()));
    await sender.run();
  })().catch((error: unknown) => logger.error({ error: String(error) }, "outbox sender stopped"));
  stops.unshift(async () => {
    sender.stop();
    await sending;
    await Promise.all(shared.map((budget) => budget.stop()));
  });

  const digests = new DigestService({ campaigns: db.campaigns, respondents: db.respondents, participation: db.participation, messaging: db.messaging, outbox: db.outbox, i18n });
  const scheduler = startScheduler([reminderJob(reminders), coordinatorDigestJob(digests)], new DatabaseRunCoordinator(db.leases), {
    onEvent: (event: TickEvent) => {
      if (event.type === "failed") logger.error({ job: event.job, error: event.error.message }, "scheduled job failed");
    },
  });
  stops.unshift(() => scheduler.stop());
}
