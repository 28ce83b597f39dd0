// Where the database is and how to reach it: URL parsing, driver adapters, and the clear errors
// organisers see when a database cannot be opened.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/** The default database: a SQLite file under ./data, created on first use. */
export const DEFAULT_DATABASE_URL = "file:./data/khaosat.db";

/** A parsed database location. */
export type DatabaseTarget =
  | { readonly provider: "sqlite"; readonly url: string; readonly file: string }
  | { readonly provider: "postgres"; readonly url: string; readonly host: string; readonly schema: string };

/** A database that cannot be opened or used; the message says what to fix. */
export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseError";
  }
}

/** Parses DATABASE_URL: `file:PATH` (SQLite, relative to the working directory) or `postgres(ql)://…`. */
export function parseDatabaseUrl(url: string = DEFAULT_DATABASE_URL): DatabaseTarget {
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (file === "" || file.includes("?")) throw new DatabaseError(`DATABASE_URL "${url}": expected file:PATH, e.g. ${DEFAULT_DATABASE_URL}`);
    return { provider: "sqlite", url, file: path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseError("DATABASE_URL is not a valid PostgreSQL URL: expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    const schema = parsed.searchParams.get("schema") ?? "public";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new DatabaseError(`DATABASE_URL: schema "${schema}" must be a plain identifier`);
    return { provider: "postgres", url, host: `${parsed.hostname}:${parsed.port || "5432"}`, schema };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1];
  throw new DatabaseError(
    `DATABASE_URL: unknown scheme ${scheme ? `"${scheme}:"` : `in "${url}"`}; use file:PATH for SQLite (default ${DEFAULT_DATABASE_URL}) or postgresql://… for PostgreSQL`,
  );
}

/** Makes sure a SQLite file can be created or written: creates its directory, refuses read-only files. */
export function prepareSqliteFile(file: string): void {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DatabaseError(`cannot create the database directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const writable = (p: string): boolean => {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(file) ? !writable(file) : !writable(dir)) {
    throw new DatabaseError(`the database ${existsSync(file) ? "file" : "directory"} ${existsSync(file) ? file : dir} is read-only: give this user write permission or set DATABASE_URL to another file`);
  }
}

/** A driver adapter factory (what Prisma Client and the schema engine take) and how to release it. */
export interface AdapterHandle {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  /** Closes pooled connections the factory opened (the schema engine does not). */
  dispose(): Promise<void>;
}

/** A driver adapter factory for the target. */
export function adapterFactoryFor(target: DatabaseTarget): AdapterHandle {
  if (target.provider === "sqlite") {
    prepareSqliteFile(target.file);
    return { factory: new PrismaBetterSqlite3({ url: target.file, timeout: 10_000 }), dispose: async () => {} };
  }
  const url = new URL(target.url);
  url.searchParams.delete("schema");
  const pool = new pg.Pool({
    connectionString: url.toString(),
    options: `-c search_path=${target.schema}`,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return { factory: new PrismaPg(pool, { schema: target.schema }), dispose: () => pool.end() };
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|timeout|Connection terminated|connect/i;

/** Turns a driver failure into a DatabaseError naming the database, or returns the error unchanged. */
export function explainDatabaseError(target: DatabaseTarget, error: unknown): unknown {
  if (error instanceof DatabaseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  if (target.provider === "postgres") {
    if (UNREACHABLE.test(`${String(code)} ${message}`)) {
      return new DatabaseError(`cannot reach the PostgreSQL server at ${target.host} (${message || String(code)}): check DATABASE_URL and that the server is running`, { cause: error });
    }
    if (/password authentication|authentication failed|does not exist/i.test(message)) {
      return new DatabaseError(`PostgreSQL at ${target.host} refused the connection: ${message}`, { cause: error });
    }
  } else if (/readonly|read-only|SQLITE_READONLY|SQLITE_CANTOPEN|unable to open/i.test(`${String(code)} ${message}`)) {
    return new DatabaseError(`cannot write the SQLite database ${target.file}: ${message}; check the file's permissions or set DATABASE_URL`, { cause: error });
  }
  return error;
}
