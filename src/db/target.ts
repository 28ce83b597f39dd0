// Where the database is (DATABASE_URL parsing) and the error organisers see when it cannot be used.
// Free of drivers and Prisma, so commands that only parse options or print help stay light.
import path from "node:path";

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
