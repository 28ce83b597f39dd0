import { loadCodeSecret, RedemptionService } from "../access/index.js";
import type { BotLogger } from "../channels/telegram/index.js";
import { CitizenService } from "../citizens/index.js";
import type { Config } from "../config/index.js";
import { openCitizensRepository } from "../db/citizens-repository.js";
import { openDatabase } from "../db/index.js";
import { createJsonLogger } from "./logger.js";
import { startBot, type RunningBot } from "./start.js";

/** Options of `runBot`. */
export interface RunBotOptions {
  readonly logger?: BotLogger;
  /** Resolves when the bot should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
  /** Called once the bot takes updates. */
  readonly onStarted?: (running: RunningBot) => void;
  /** Polling: long-poll timeout in seconds. */
  readonly pollingTimeoutSeconds?: number;
}

/**
 * What `npm start` runs with a token: opens (and migrates) the database, wires the channel's ports
 * to it and to the redemption service, starts the bot and stops it cleanly on SIGINT/SIGTERM.
 */
export async function runBot(config: Config, options: RunBotOptions = {}): Promise<void> {
  const logger = options.logger ?? createJsonLogger(config.logLevel);
  const db = await openDatabase(config.databaseUrl.reveal());
  // Posters and the anonymous clean-up (issue 7), on their own connection to the same database.
  const citizensDb = await openCitizensRepository(config.databaseUrl.reveal()).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  try {
    const secret = loadCodeSecret(config);
    const { channel } = db;
    const running = await startBot({
      config,
      logger,
      citizens: new CitizenService({ repository: citizensDb.repository, secret }),
      ports: { codes: new RedemptionService({ repository: channel.access, secret }), campaigns: channel.campaigns, respondents: channel.respondents, sessions: channel.sessions },
      ...(options.pollingTimeoutSeconds ? { pollingTimeoutSeconds: options.pollingTimeoutSeconds } : {}),
    });
    options.onStarted?.(running);
    await (options.until ?? signalled());
    logger.info({}, "stopping");
    await running.stop();
  } finally {
    await citizensDb.close();
    await db.close();
  }
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}
