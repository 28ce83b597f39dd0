import type { Command } from "commander";

/** Adds every sub-command to the program; each feature registers its own commands in its own file. */
export function registerCommands(program: Command): void {
  void program;
}
