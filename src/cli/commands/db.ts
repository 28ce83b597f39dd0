import type { Command } from "commander";
import { readEnvironment } from "../../config/index.js";
import { DatabaseError, migrateDatabase, openDatabase, parseDatabaseUrl, type Database, type DatabaseTarget } from "../../db/index.js";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";

/** Runs a storage operation, turning database problems into plain CLI errors (no stack trace). */
export async function withDatabaseErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DatabaseError) throw new CliError(error.message);
    throw error;
  }
}

/** Where the database is: DATABASE_URL (environment or .env), or the default SQLite file. */
export function databaseUrl(): string | undefined {
  const url = readEnvironment().DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** Opens the configured database (migrating it first), runs `work`, and always closes it. */
export async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await withDatabaseErrors(() => openDatabase(databaseUrl()));
  try {
    return await withDatabaseErrors(() => work(db));
  } finally {
    await db.close();
  }
}

/** The database in words, for messages: the SQLite file's full path, or PostgreSQL's host and schema (never the URL: it may hold a password). */
export function databaseInWords(target: DatabaseTarget): string {
  return target.provider === "sqlite" ? `SQLite ${target.file}` : `PostgreSQL ${target.host} (schema ${target.schema})`;
}

/**
 * A campaign id not found: names the database looked in, since the default SQLite file is relative
 * to the folder the command runs in (run from another folder, it finds an empty database).
 */
export function noCampaignError(id: string): CliError {
  let where = "";
  try {
    const url = databaseUrl();
    where = t("db.in", { database: databaseInWords(parseDatabaseUrl(url)) }) + (url === undefined ? t("db.defaultFile") : "");
  } catch {
    // An unreadable DATABASE_URL was reported when the database was opened.
  }
  return cliError("db.noCampaign", { id, where });
}

/** Registers `khaosat db migrate`. */
export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("database administration");
  db.command("migrate")
    .description("apply pending migrations to DATABASE_URL (default: SQLite file ./data/khaosat.db)")
    .action(async () => {
      const result = await withDatabaseErrors(() => migrateDatabase(databaseUrl()));
      const where = databaseInWords(result.target);
      if (result.applied.length === 0) {
        process.stdout.write(`${t("db.current", { where, count: result.total })}\n`);
      } else {
        process.stdout.write(`${t("db.applied", { where, count: result.applied.length })}\n`);
        for (const name of result.applied) process.stdout.write(`  ${name}\n`);
      }
    });
}
