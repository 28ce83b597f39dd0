import type { Command } from "commander";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";
import { withDatabase } from "./db.js";
import { DEFAULT_TIME_ZONE, formatZonedTime } from "../../campaigns/index.js";

interface AddOptions {
  readonly email: string;
  readonly role: string;
  readonly campaign?: string;
  readonly unit?: string;
  readonly passwordStdin?: boolean;
}

/** Registers `khaosat users add|list|disable|reset-password`: accounts of the web console. */
export function registerUsersCommands(program: Command): void {
  const users = program.command("users").description("accounts of the web console (khaosat web)");
  users
    .command("add")
    .description("create an account; the password is asked on the terminal (or read from standard input with --password-stdin)")
    .requiredOption("--email <email>", "login e-mail address")
    .requiredOption("--role <role>", "admin (everything) | viewer (sees every report, changes nothing) | coordinator (one unit's participation)")
    .option("--campaign <id>", "coordinators: the campaign")
    .option("--unit <code>", "coordinators: the unit code")
    .option("--password-stdin", "read the password from the first line of standard input")
    .action(async (options: AddOptions) => {
      const password = await readPassword(options.passwordStdin === true);
      const { addUser, AccountError } = await import("../../web/accounts.js");
      await withDatabase(async (db) => {
        try {
          const user = await addUser(db, { email: options.email, role: options.role, ...(options.campaign ? { campaignId: options.campaign } : {}), ...(options.unit ? { unitCode: options.unit } : {}), password }, "cli", new Date());
          const scope = user.unitCode ? t("users.scope", { unit: user.unitCode, campaign: user.campaignId }) : "";
          process.stdout.write(`${t("users.added", { email: user.email, role: user.role, scope })}\n`);
        } catch (error) {
          if (error instanceof AccountError) throw new CliError(error.message);
          throw error;
        }
      });
    });
  users
    .command("list")
    .description("list the accounts (never the passwords)")
    .action(async () => {
      const { listUsers } = await import("../../web/accounts.js");
      await withDatabase(async (db) => {
        const list = await listUsers(db);
        if (list.length === 0) {
          process.stdout.write(`${t("users.none")}\n`);
          return;
        }
        for (const u of list) {
          const scope = u.role === "coordinator" ? ` ${u.campaignId}/${u.unitCode}` : "";
          process.stdout.write(`${u.email}\t${u.role}${scope}\t${u.disabledAt ? `disabled ${formatZonedTime(u.disabledAt, DEFAULT_TIME_ZONE)}` : "active"}\n`);
        }
      });
    });
  users
    .command("disable")
    .description("disable an account and end its sessions at once")
    .requiredOption("--email <email>", "the account's e-mail")
    .action(async (options: { email: string }) => {
      const { disableUser, AccountError } = await import("../../web/accounts.js");
      await withDatabase(async (db) => {
        try {
          const user = await disableUser(db, options.email, "cli", new Date());
          process.stdout.write(`${t("users.disabled", { email: user.email })}\n`);
        } catch (error) {
          if (error instanceof AccountError) throw new CliError(error.message);
          throw error;
        }
      });
    });
  users
    .command("reset-password")
    .description("set a new password (asked on the terminal, or --password-stdin); ends the account's sessions")
    .requiredOption("--email <email>", "the account's e-mail")
    .option("--password-stdin", "read the password from the first line of standard input")
    .action(async (options: { email: string; passwordStdin?: boolean }) => {
      const password = await readPassword(options.passwordStdin === true);
      const { resetPassword, AccountError } = await import("../../web/accounts.js");
      await withDatabase(async (db) => {
        try {
          const user = await resetPassword(db, options.email, password, "cli", new Date());
          process.stdout.write(`${t("users.passwordSet", { email: user.email })}\n`);
        } catch (error) {
          if (error instanceof AccountError) throw new CliError(error.message);
          throw error;
        }
      });
    });
}

/** The first line of standard input, or a hidden prompt (twice) on a terminal. */
async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > 4096) break;
    }
    const line = Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
    if (line === "") throw cliError("users.emptyStdin");
    return line;
  }
  if (!process.stdin.isTTY) throw cliError("users.noTerminal");
  const first = await promptHidden(t("users.password"));
  const second = await promptHidden(t("users.again"));
  if (first !== second) throw cliError("users.differ");
  return first;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let value = "";
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stdout.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(cliError("users.cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
