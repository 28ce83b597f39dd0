import type { Command } from "commander";
import { ConfigError, loadConfigFromEnvironment, readEnvironment, type LogLevel } from "../../config/index.js";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";

/** Registers `khaosat web`: the organisers' web console. */
export function registerWebCommand(program: Command): void {
  program
    .command("web")
    .description("serve the organisers' web console on WEB_HOST:WEB_PORT (default 127.0.0.1:3000); accounts: khaosat users add")
    .action(async () => {
      // Heavy modules (Fastify, ECharts, Prisma) load only when the command runs.
      const { webSettings, WebSettingsError } = await import("../../web/config.js");
      const { startConsole } = await import("../../web/start.js");
      const { openDatabase, DatabaseError } = await import("../../db/index.js");
      const { loadCodeSecret, CodeSecretError } = await import("../../access/index.js");
      let settings;
      let config;
      try {
        settings = webSettings(readEnvironment());
        config = loadConfigFromEnvironment();
      } catch (error) {
        if (error instanceof WebSettingsError || error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      let codeSecret;
      try {
        codeSecret = loadCodeSecret(config);
      } catch (error) {
        if (!(error instanceof CodeSecretError)) throw error;
        process.stderr.write(`${t("web.noSecret", { message: error.message })}\n`);
      }
      let db;
      try {
        db = await openDatabase(config.databaseUrl.reveal());
      } catch (error) {
        if (error instanceof DatabaseError) throw new CliError(error.message);
        throw error;
      }
      const accounts = (await db.web.listUsers()).filter((u) => u.disabledAt === null).length;
      let running;
      try {
        running = await startConsole(db, settings, { ...(codeSecret ? { codeSecret } : {}), ...(config.botUsername ? { botUsername: config.botUsername } : {}), logger: consoleLogLevel(config.logLevel) });
      } catch (error) {
        await db.close();
        const code = (error as { code?: string }).code;
        if (code === "EADDRINUSE") throw cliError("web.inUse", { host: settings.host, port: settings.port });
        if (code === "EACCES") throw cliError("web.notAllowed", { host: settings.host, port: settings.port });
        throw error;
      }
      process.stdout.write(`${t("web.running", { url: running.url })}\n`);
      if (accounts === 0) process.stdout.write(`${t("web.noAccount")}\n`);
      const stop = async () => {
        await running.close();
        await db.close();
      };
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => void stop().then(resolve));
        process.once("SIGTERM", () => void stop().then(resolve));
      });
    });
}

/**
 * What `khaosat web` logs to the organiser's terminal: warnings and errors, unless LOG_LEVEL is set
 * (info: each request and the server's start, as JSON lines for a log collector). The console's own
 * lines (its address, the first account) are printed in the organiser's language either way.
 */
function consoleLogLevel(level: LogLevel): LogLevel {
  return (process.env.LOG_LEVEL ?? "").trim() === "" ? "warn" : level;
}
