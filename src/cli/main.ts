import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { registerCommands } from "./commands.js";
import { localizeHelp } from "./help.js";
import { languageVariableProblem } from "./language.js";

/** The `khaosat` program itself (its own options), before any command is registered on it. */
export function createProgram(): Command {
  return new Command("khaosat")
    .description("khaosat-bot: chat-bot survey channel for public-administration surveys")
    .option("--debug", "print stack traces of unexpected errors")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
}

/** Runs the `khaosat` command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const program = createProgram();
  const badLanguage = languageVariableProblem();
  if (badLanguage !== undefined) {
    process.stderr.write(`khaosat: ${badLanguage}\n`);
    return 2;
  }
  try {
    await registerCommands(program, argv);
    // The help and commander's own errors in KHAOSAT_LANG's language (with the notes on KHAOSAT_LANG).
    localizeHelp(program);
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`khaosat: ${error.message}\n`);
      return error.exitCode;
    }
    // Loaded here, not at start-up: `khaosat --help` reads only the help's locale file (cli-help).
    const { fileErrorText, t } = await import("./i18n.js");
    // A file a command could not read or write (an --out folder that does not exist, a missing input):
    // said in words with the file's name, not as Node's "ENOENT: no such file or directory, open …".
    const file = fileErrorText(error);
    if (file !== undefined) {
      process.stderr.write(`khaosat: ${file}\n`);
      if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      return 1;
    }
    process.stderr.write(`khaosat: ${t("main.unexpected", { message: error instanceof Error ? error.message : String(error) })}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write(`${t("main.debugHint")}\n`);
    return 1;
  }
}
