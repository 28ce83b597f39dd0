import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { registerCommands } from "./commands.js";

/** Runs the `khaosat` command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const program = new Command("khaosat")
    .description("khaosat-bot: chat-bot survey channel for public-administration surveys")
    .option("--debug", "print stack traces of unexpected errors")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  try {
    await registerCommands(program, argv);
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`khaosat: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`khaosat: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write("(run again with --debug for details)\n");
    return 1;
  }
}
