import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { createLineSource } from "../../channels/console/index.js";
import { ConfigError, loadConfigFromEnvironment, readEnvironment, type Config } from "../../config/index.js";
import { readFile } from "node:fs/promises";
import { CodeSecretError, loadCodeSecret } from "../../access/index.js";
import { DatabaseError, openDatabase, type Database } from "../../db/index.js";
import { DemoStorageError, prepareDatabaseDemo, runHostDemo } from "../../demo/index.js";
import { createI18n } from "../../i18n/index.js";
import { loadQuestionnaireSource } from "../../questionnaire/xlsform/source.js";
import { CliError } from "../errors.js";

/** The questionnaire the demo walks through. */
export const DEMO_QUESTIONNAIRE = fileURLToPath(new URL("../../../examples/par-officials.yaml", import.meta.url));


/** Options of `khaosat start`. */
interface StartOptions {
  readonly questionnaire?: string;
  readonly clock?: string;
}

/** Registers `khaosat start` (what `npm start` runs): the bot with a token, the console demo without. */
export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description("run the Telegram and/or Zalo bot (each whose token is set), or the console demo when neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set")
    .addOption(new Option("--questionnaire <file>", "questionnaire of the console demo").default(undefined, "examples/par-officials.yaml"))
    // Fixed clock for reproducible demo transcripts (tests).
    .addOption(new Option("--clock <iso>", "fixed time for every step").hideHelp())
    .action(async (options: StartOptions) => {
      process.exitCode = await start(options, process.stdin, process.stdout, process.stderr);
    });
}

/** Reads the configuration once and starts the bot or the demo; returns the exit code. */
export async function start(
  options: StartOptions,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream,
): Promise<number> {
  let config: Config;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  if (config.telegramBotToken !== undefined || config.zalo !== undefined) {
    // The bots (grammY, its runner, the channels) load only when one starts, not for --help or the demo.
    const { BotApiUnreachableError, BotTokenRejectedError, runBot } = await import("../../bot/index.js");
    // The web console is served in the same process as the bot(s), on the same database handle: one
    // Prisma client per process (a second costs ~9 MB, and on SQLite a second writing connection
    // blocks the event loop while the first holds the lock; see Database).
    let db: Database;
    try {
      db = await openDatabase(config.databaseUrl.reveal());
    } catch (error) {
      if (error instanceof DatabaseError) throw new CliError(error.message);
      throw error;
    }
    let web: { close(): Promise<void> } | undefined;
    try {
      // The console starts once the bots' tokens are accepted: a refused token stops start-up before
      // the console's address is printed.
      await runBot(config, {
        database: db,
        onChannelsReady: async () => {
          web = await startBotConsole(db, config, errors);
        },
      });
    } catch (error) {
      // Configuration and environment faults are the operator's to fix: print them without a stack.
      if (error instanceof BotTokenRejectedError || error instanceof BotApiUnreachableError || error instanceof DatabaseError || error instanceof CodeSecretError) throw new CliError(error.message);
      if (error instanceof Error && (error.name === "ZaloTokenRejectedError" || error.name === "ZaloApiUnreachableError")) throw new CliError(error.message);
      throw error;
    } finally {
      await web?.close();
      await db.close();
    }
    return 0;
  }
  // The one line `npm start` prints before the demo when no token is configured, in the demo's language.
  const i18n = createI18n({ language: config.defaultLanguage });
  output.write(`${i18n.t("demo:noToken")}\n`);

  const file = options.questionnaire ?? DEMO_QUESTIONNAIRE;
  const loaded = await loadQuestionnaireSource(file);
  if (!loaded.ok) {
    const { sayIssue } = await import("../i18n.js");
    for (const issue of loaded.issues) errors.write(`${sayIssue(issue)}\n`);
    throw new CliError(`the demo questionnaire ${file} has errors; fix them or pass another file with --questionnaire`);
  }
  const clock = fixedClock(options.clock);
  // The demo stores to the configured database (./data/khaosat.db by default), migrated on open.
  let db: Database;
  try {
    db = await openDatabase(config.databaseUrl.reveal());
  } catch (error) {
    if (error instanceof DatabaseError) throw new CliError(error.message);
    throw error;
  }
  const lines = createLineSource(input, output, { terminal: input.isTTY === true });
  let web: { close(): Promise<void> } | undefined;
  try {
    const demo = await prepareDatabaseDemo(db, {
      questionnaire: loaded.questionnaire,
      source: await readFile(file),
      fileName: file,
      secret: demoSecret(config),
      language: config.defaultLanguage,
      now: clock(),
    }).catch((error: unknown) => {
      throw error instanceof DemoStorageError ? new CliError(error.message) : error;
    });
    if (demo.fresh) output.write(`${i18n.t(demo.fresh === "declined" ? "demo:freshAfterDecline" : "demo:fresh", { number: demo.respondentNumber })}\n`);
    web = await startDemoWeb(db, config, i18n, output, clock());
    const columns = (output as NodeJS.WritableStream & { columns?: number }).columns;
    await runHostDemo({
      db,
      demo,
      questionnaire: loaded.questionnaire,
      secret: demoSecret(config),
      lines,
      output,
      clock,
      i18n,
      defaultLanguage: config.defaultLanguage,
      ...(input.isTTY === true && columns !== undefined ? { columns } : {}),
    });
  } finally {
    lines.close();
    await web?.close();
    await db.close();
  }
  return 0;
}

function demoSecret(config: Config) {
  try {
    return loadCodeSecret(config);
  } catch (error) {
    if (error instanceof CodeSecretError) throw new CliError(error.message);
    throw error;
  }
}

function fixedClock(iso: string | undefined): () => Date {
  if (iso === undefined) return () => new Date();
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new CliError(`--clock ${iso}: expected an ISO 8601 time, e.g. 2026-12-01T09:00:00+07:00`);
  return () => at;
}

/** Web settings (WEB_HOST/WEB_PORT/WEB_TRUST_PROXY), a bad value being the operator's to fix. */
async function webSettingsOrFail() {
  const { webSettings, WebSettingsError } = await import("../../web/config.js");
  try {
    return webSettings(readEnvironment());
  } catch (error) {
    if (error instanceof WebSettingsError) throw new CliError(error.message);
    throw error;
  }
}

/** The web console beside the demo: prints its address and the demo admin's fresh password, or why it could not start. */
async function startDemoWeb(db: Database, config: Config, i18n: ReturnType<typeof createI18n>, output: NodeJS.WritableStream, now: Date) {
  const settings = await webSettingsOrFail();
  // Fastify and the console's pages load only here, never for --help.
  const { startDemoConsole } = await import("../../web/demo-console.js");
  let codeSecret;
  try {
    codeSecret = loadCodeSecret(config);
  } catch {
    codeSecret = undefined;
  }
  const web = await startDemoConsole(db, settings, { ...(codeSecret ? { codeSecret } : {}), now });
  if (!web.ok) {
    // Why, in words: another program (often a second npm start) holds the port, and how to choose another.
    const other = settings.port > 0 && settings.port < 65535 ? settings.port + 1 : 3001;
    const key = web.reason === "EADDRINUSE" ? "webdemo:busyPort" : web.reason === "EACCES" ? "webdemo:busyDenied" : web.reason === "EADDRNOTAVAIL" ? "webdemo:busyAddress" : "webdemo:busy";
    output.write(`${i18n.t(key, { address: web.address, reason: web.reason, port: settings.port, host: settings.host, other: web.reason === "EACCES" ? 8080 : other })}\n`);
    return undefined;
  }
  output.write(`${i18n.t("webdemo:ready", { url: web.running.url, email: web.email, password: web.password })}\n`);
  return web.running;
}

/** The web console beside the bot(s), on their database (the caller closes it); a busy port is a note on stderr, not a failure of the bots. */
async function startBotConsole(db: Database, config: Config, errors: NodeJS.WritableStream): Promise<{ close(): Promise<void> } | undefined> {
  const settings = await webSettingsOrFail();
  const { startConsole } = await import("../../web/start.js");
  let codeSecret;
  try {
    codeSecret = loadCodeSecret(config);
  } catch {
    codeSecret = undefined;
  }
  try {
    const running = await startConsole(db, settings, { ...(codeSecret ? { codeSecret } : {}), ...(config.botUsername ? { botUsername: config.botUsername } : {}) });
    errors.write(`web console: ${running.url} (accounts: npx khaosat users add --email you@example.org --role admin)\n`);
    return { close: () => running.close() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      // In words, with how to choose another port; not Node's code.
      const { t } = await import("../i18n.js");
      const other = settings.port > 0 && settings.port < 65535 ? settings.port + 1 : 3001;
      errors.write(`${t(code === "EADDRINUSE" ? "web.botConsoleBusy" : "web.botConsoleRefused", { host: settings.host, port: settings.port, other })}\n`);
      return undefined;
    }
    throw error;
  }
}
