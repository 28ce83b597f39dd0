// Applies the committed SQL migrations (prisma/migrations/<provider>/) with the WebAssembly schema
// engine, recording them in `_prisma_migrations` exactly as the Prisma CLI would.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fork } from "node:child_process";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import Sqlite from "better-sqlite3";
import { adapterFactoryFor, DatabaseError, explainDatabaseError, loadPostgresSupport, parseDatabaseUrl, prepareSqliteFile, type DatabaseTarget } from "./connection.js";
import { startSchemaEngine } from "./schema-engine.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Folder of one provider's migrations. */
export function migrationsDir(provider: DatabaseTarget["provider"]): string {
  return path.join(projectRoot, "prisma", "migrations", provider);
}

/** The Prisma schema file of one provider. */
export function schemaFile(provider: DatabaseTarget["provider"]): { path: string; content: string } {
  const file = path.join(projectRoot, "prisma", ...(provider === "sqlite" ? [] : ["postgres"]), "schema.prisma");
  return { path: file, content: readFileSync(file, "utf8") };
}

/** Reads a migrations folder into the engine's input shape. */
export function readMigrations(provider: DatabaseTarget["provider"]): MigrationList {
  const baseDir = migrationsDir(provider);
  const lockPath = path.join(baseDir, "migration_lock.toml");
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: names.map((name) => {
      const file = path.join(baseDir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(file) ? { tag: "ok", value: readFileSync(file, "utf8") } : { tag: "error", value: `${file} is missing` },
        },
      };
    }),
  };
}

/** What a migration run did. */
export interface MigrateResult {
  readonly target: DatabaseTarget;
  /** Names of the migrations applied now; empty when the database was already current. */
  readonly applied: readonly string[];
  /** Number of migrations known. */
  readonly total: number;
}

/** Names of the migrations recorded as applied, read with a plain connection (no schema engine). */
export async function appliedMigrations(target: DatabaseTarget): Promise<Set<string>> {
  const query =
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';
  try {
    if (target.provider === "sqlite") {
      if (!existsSync(target.file)) return new Set();
      const db = new Sqlite(target.file, { readonly: true, timeout: 10_000 });
      try {
        const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
        if (!table) return new Set();
        return new Set((db.prepare(query).all() as { migration_name: string }[]).map((r) => r.migration_name));
      } finally {
        db.close();
      }
    }
    const { pg } = await loadPostgresSupport();
    const url = new URL(target.url);
    url.searchParams.delete("schema");
    const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
    client.on("error", () => {});
    await client.connect();
    try {
      const exists = await client.query("SELECT to_regclass($1) AS t", [`"${target.schema}"."_prisma_migrations"`]);
      if (exists.rows[0]?.t === null) return new Set();
      const rows = await client.query<{ migration_name: string }>(query.replace('"_prisma_migrations"', `"${target.schema}"."_prisma_migrations"`));
      return new Set(rows.rows.map((r) => r.migration_name));
    } finally {
      await client.end();
    }
  } catch (error) {
    throw explainDatabaseError(target, error);
  }
}

/** Applies pending migrations to the database at `url` (no-op when current). */
export async function migrateDatabase(url?: string): Promise<MigrateResult> {
  const target = parseDatabaseUrl(url);
  if (target.provider === "postgres") await loadPostgresSupport();
  const migrationsList = readMigrations(target.provider);
  if (migrationsList.migrationDirectories.length === 0) throw new DatabaseError(`no migrations found in ${migrationsList.baseDir}`);
  if (target.provider === "sqlite") prepareSqliteFile(target.file);
  // The schema engine locks a SQLite file exclusively, which would fail (and block) while the bot
  // or a report has it open; so it is only started when something is actually pending.
  const applied = await appliedMigrations(target);
  if (migrationsList.migrationDirectories.every((d) => applied.has(d.path))) {
    return { target, applied: [], total: migrationsList.migrationDirectories.length };
  }
  const names = WORKER ? await applyInWorker(target.url) : await applyPending(target, migrationsList);
  return { target, applied: names, total: migrationsList.migrationDirectories.length };
}

/**
 * The compiled program that applies migrations in a process of its own (src/db/migrate-worker.ts),
 * when there is one. The schema engine is 5 MB of WebAssembly: once loaded, its compiled module,
 * a copy of its bytes, its memory and the allocator's leftovers from compiling it stay in the
 * process, 10-15 MB resident, which a bot that migrated at start (its first start, or its first
 * after an update) would carry for weeks; a worker thread leaves as much behind. A short-lived
 * process takes them with it (`npm run bench:runtime` starts the bot on a new database). The
 * TypeScript sources (tests) have no compiled worker and migrate in this process.
 */
const WORKER_URL = new URL("./migrate-worker.js", import.meta.url);
const WORKER = existsSync(fileURLToPath(WORKER_URL)) ? fileURLToPath(WORKER_URL) : undefined;

/** What the worker process sends back. */
export type WorkerOutcome = { readonly ok: true; readonly applied: string[] } | { readonly ok: false; readonly databaseError: boolean; readonly message: string; readonly stack?: string };

/** Applies the pending migrations of `url` in the worker process; its failures are thrown here as they were there. */
async function applyInWorker(url: string): Promise<string[]> {
  // The URL (it may hold a password) goes over the IPC channel, not on the command line.
  const child = fork(WORKER!, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let outcome: WorkerOutcome | undefined;
  child.on("message", (message: WorkerOutcome) => (outcome = message));
  child.send({ url });
  const ended = await new Promise<{ code: number | null; signal: string | null } | Error>((resolve) => {
    child.once("error", resolve);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  if (ended instanceof Error) throw ended;
  if (!outcome) throw new Error(`the migration process ended without a result (${ended.signal ? `signal ${ended.signal}` : `exit code ${ended.code}`})`);
  if (outcome.ok) return outcome.applied;
  const error = outcome.databaseError ? new DatabaseError(outcome.message) : new Error(outcome.message);
  if (outcome.stack) error.stack = outcome.stack;
  throw error;
}

/** Applies the pending migrations with the schema engine, in this thread; returns their names. */
export async function applyPending(target: DatabaseTarget, migrationsList: MigrationList): Promise<string[]> {
  const adapter = adapterFactoryFor(target);
  try {
    const { engine, close } = await startSchemaEngine(adapter.factory, schemaFile(target.provider));
    try {
      const out = await withUnrefTimers(() => engine.applyMigrations({ migrationsList, filters: { externalTables: [], externalEnums: [] } }));
      return out.appliedMigrationNames;
    } finally {
      await close();
    }
  } catch (error) {
    throw explainDatabaseError(target, error);
  } finally {
    await adapter.dispose();
  }
}

/**
 * The wasm engine arms a 10 s timer around its PostgreSQL advisory lock and never clears it, which
 * kept `khaosat db migrate` alive for 10 s after finishing. Timers it creates meanwhile are unref'd:
 * the open connections keep the process alive while work is really pending.
 */
async function withUnrefTimers<T>(run: () => Promise<T>): Promise<T> {
  const original = globalThis.setTimeout;
  const unrefing = ((...args: Parameters<typeof setTimeout>) => {
    const timer = original(...args);
    timer.unref();
    return timer;
  }) as typeof setTimeout;
  globalThis.setTimeout = unrefing;
  try {
    return await run();
  } finally {
    if (globalThis.setTimeout === unrefing) globalThis.setTimeout = original;
  }
}
