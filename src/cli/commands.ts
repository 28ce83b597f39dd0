import { readFileSync } from "node:fs";
import { Help, type Command } from "commander";

type Register = (program: Command) => void;

/**
 * Every top-level command and the module that registers it (options, sub-commands, action), in the
 * order `khaosat --help` lists them. A module is imported only when one of its commands runs, so
 * `khaosat score` loads no bot, web or database code and `khaosat --help` loads none of them.
 */
const COMMAND_MODULES: readonly { readonly names: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { names: ["questionnaire"], load: async () => (await import("./commands/questionnaire.js")).registerQuestionnaireCommands },
  { names: ["score"], load: async () => (await import("./commands/score.js")).registerScoreCommand },
  { names: ["preview"], load: async () => (await import("./commands/preview.js")).registerPreviewCommand },
  { names: ["start"], load: async () => (await import("./commands/start.js")).registerStartCommand },
  { names: ["codes"], load: async () => (await import("./commands/codes.js")).registerCodesCommands },
  { names: ["db"], load: async () => (await import("./commands/db.js")).registerDbCommands },
  { names: ["campaign"], load: async () => (await import("./commands/campaign.js")).registerCampaignCommands },
  { names: ["flags"], load: async () => (await import("./commands/flags.js")).registerFlagsCommands },
  { names: ["outbox"], load: async () => (await import("./commands/outbox.js")).registerOutboxCommands },
  { names: ["broadcast", "reminders"], load: async () => (await import("./commands/broadcast.js")).registerBroadcastCommands },
  { names: ["respondents"], load: async () => (await import("./commands/respondents.js")).registerRespondentsCommands },
  { names: ["participation"], load: async () => (await import("./commands/participation.js")).registerParticipationCommand },
  { names: ["responses"], load: async () => (await import("./commands/responses.js")).registerResponsesCommands },
  { names: ["coordinators"], load: async () => (await import("./commands/coordinators.js")).registerCoordinatorsCommands },
  { names: ["web"], load: async () => (await import("./commands/web.js")).registerWebCommand },
  { names: ["users"], load: async () => (await import("./commands/users.js")).registerUsersCommands },
  { names: ["report"], load: async () => (await import("./commands/report.js")).registerReportCommand },
];

/**
 * One line of the top-level help: a command's name, its term (`score [options]`) and its description
 * as the source says it (English); main() then says it in KHAOSAT_LANG's language from the `cli-help`
 * texts, found by the command's name (src/cli/help.ts), as for a command whose module is loaded.
 */
export interface CommandListing {
  readonly name: string;
  readonly term: string;
  readonly description: string;
}

/**
 * Where the build writes the listing of every top-level command (scripts/build.mjs, from
 * {@link listCommands}), next to the compiled CLI. Absent when running the TypeScript sources.
 */
const LISTING_FILE = new URL("./command-listing.json", import.meta.url);

/** Registers every sub-command on the program, in order (each feature registers its own commands in its own file). */
export async function registerAllCommands(program: Command): Promise<void> {
  const registers = await Promise.all(COMMAND_MODULES.map((m) => m.load()));
  for (const register of registers) register(program);
}

/**
 * Registers what `argv` needs: only the module of the command it names (also after `help`), or,
 * when it names none (`khaosat`, `khaosat --help`, a typo), the listing of every command from the
 * build — enough for the help and for "did you mean" — falling back to every module.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const operands = argv.filter((a) => !a.startsWith("-"));
  const named = operands[0] === "help" ? operands[1] : operands[0];
  const module = named === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(named));
  if (module) {
    (await module.load())(program);
    return;
  }
  const listing = readListing();
  if (!listing) return registerAllCommands(program);
  const terms = new Map(listing.map((c) => [c.name, c.term]));
  for (const command of listing) program.command(command.name).description(command.description);
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command): string {
      return terms.get(cmd.name()) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
}

/** The top-level help's lines for every command, as commander prints them once every module is registered. */
export async function listCommands(program: Command): Promise<CommandListing[]> {
  await registerAllCommands(program);
  const help = program.createHelp();
  return program.commands.map((cmd) => ({ name: cmd.name(), term: help.subcommandTerm(cmd), description: help.subcommandDescription(cmd) }));
}

function readListing(): CommandListing[] | undefined {
  let listing: CommandListing[];
  try {
    listing = JSON.parse(readFileSync(LISTING_FILE, "utf8")) as CommandListing[];
  } catch {
    return undefined;
  }
  // A listing from another version of the command table is not trusted: every module is loaded instead.
  const names = COMMAND_MODULES.flatMap((m) => m.names);
  const same = listing.length === names.length && listing.every((c) => names.includes(c.name));
  return same ? listing : undefined;
}
