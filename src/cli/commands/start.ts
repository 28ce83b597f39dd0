import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { createLineSource } from "../../channels/console/index.js";
import { ConfigError, loadConfigFromEnvironment, type Config } from "../../config/index.js";
import { DEMO_CODE, DEMO_RESPONDENT, MemorySessionStore, createDemoCodeChecker, runDemo } from "../../demo/index.js";
import { createI18n } from "../../i18n/index.js";
import { formatIssue, loadQuestionnaireFile } from "../../questionnaire/index.js";
import { CliError } from "../errors.js";

/** The questionnaire the demo walks through. */
export const DEMO_QUESTIONNAIRE = fileURLToPath(new URL("../../../examples/par-officials.yaml", import.meta.url));

/** The one line `npm start` prints before the demo when no token is configured. */
export const NO_TOKEN_LINE =
  "TELEGRAM_BOT_TOKEN is not set, so the console demo starts (to run the Telegram bot, put TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env and run npm start again).";

/** Options of `khaosat start`. */
interface StartOptions {
  readonly questionnaire?: string;
  readonly clock?: string;
}

/** Registers `khaosat start` (what `npm start` runs): the bot with a token, the console demo without. */
export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description("run the Telegram bot, or the console demo when TELEGRAM_BOT_TOKEN is not set")
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
  if (config.telegramBotToken !== undefined) {
    throw new CliError("TELEGRAM_BOT_TOKEN is set, but this build has no Telegram channel yet (a later module adds it); unset the token to run the console demo");
  }
  output.write(`${NO_TOKEN_LINE}\n`);

  const file = options.questionnaire ?? DEMO_QUESTIONNAIRE;
  const loaded = await loadQuestionnaireFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) errors.write(`${formatIssue(issue)}\n`);
    throw new CliError(`the demo questionnaire ${file} has errors; fix them or pass another file with --questionnaire`);
  }
  const clock = fixedClock(options.clock);
  const lines = createLineSource(input, output, { terminal: input.isTTY === true });
  try {
    await runDemo({
      questionnaire: loaded.questionnaire,
      lines,
      output,
      clock,
      i18n: createI18n({ language: config.defaultLanguage }),
      codes: await createDemoCodeChecker(new Map([[DEMO_CODE, DEMO_RESPONDENT]]), clock()),
      store: new MemorySessionStore(),
      account: "console:demo",
      demoCode: DEMO_CODE,
    });
  } finally {
    lines.close();
  }
  return 0;
}

function fixedClock(iso: string | undefined): () => Date {
  if (iso === undefined) return () => new Date();
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new CliError(`--clock ${iso}: expected an ISO 8601 time, e.g. 2026-12-01T09:00:00+07:00`);
  return () => at;
}
