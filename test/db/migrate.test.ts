import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { DatabaseError, migrateDatabase, openDatabase, parseDatabaseUrl } from "../../src/db/index.js";
import { adapterFactoryFor, explainDatabaseError } from "../../src/db/connection.js";
import { migrationsDir, schemaFile } from "../../src/db/migrate.js";
import { startSchemaEngine } from "../../src/db/schema-engine.js";
import { derivePostgresSchema } from "../../scripts/derive-postgres-schema.mjs";
import { AVAILABLE_PROVIDERS, createEmptyDatabase, TEST_DATABASE_URL, type EmptyDatabase } from "../support/db.js";

const run = promisify(execFile);
const MODEL_TABLES = [...readFileSync("prisma/schema.prisma", "utf8").matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!).sort();
const MIGRATIONS = readdirSync(migrationsDir("sqlite"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

async function tablesOf(db: EmptyDatabase): Promise<string[]> {
  const target = parseDatabaseUrl(db.url);
  if (target.provider === "sqlite") {
    if (!existsSync(target.file)) return [];
    const sqlite = new Sqlite(target.file, { readonly: true });
    try {
      return (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const rows = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", [target.schema]);
    return rows.rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

describe("migrations on disk", () => {
  test("both providers have the same migrations, each with a lock file", () => {
    const postgres = readdirSync(migrationsDir("postgres"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    expect(postgres).toEqual(MIGRATIONS);
    expect(readFileSync(path.join(migrationsDir("sqlite"), "migration_lock.toml"), "utf8")).toContain('provider = "sqlite"');
    expect(readFileSync(path.join(migrationsDir("postgres"), "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
  });

  test("no comment in a migration holds a semicolon (the schema engine splits scripts on every ';')", () => {
    for (const provider of ["sqlite", "postgres"] as const) {
      for (const name of MIGRATIONS) {
        const sql = readFileSync(path.join(migrationsDir(provider), name, "migration.sql"), "utf8");
        const bad = sql.split("\n").filter((line) => /--.*;/.test(line));
        expect(bad, `${provider}/${name}`).toEqual([]);
      }
    }
  });

  test("the PostgreSQL schema is the SQLite schema with only the provider changed", () => {
    expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toBe(derivePostgresSchema(readFileSync("prisma/schema.prisma", "utf8")));
  });

  test("applying the SQLite migrations gives exactly prisma/schema.prisma (no drift)", async () => {
    const db = await createEmptyDatabase("sqlite");
    try {
      await migrateDatabase(db.url);
      const adapter = adapterFactoryFor(parseDatabaseUrl(db.url));
      const schema = schemaFile("sqlite");
      const { engine, close } = await startSchemaEngine(adapter.factory, schema);
      try {
        const diff = await engine.diff({
          from: { tag: "schemaDatasource", files: [schema], configDir: process.cwd() },
          to: { tag: "schemaDatamodel", files: [schema] },
          script: true,
          exitCode: null,
          filters: { externalTables: [], externalEnums: [] },
        });
        expect(diff.stdout ?? "").toContain("-- This is an empty migration.");
      } finally {
        await close();
      }
    } finally {
      await db.drop();
    }
  });
});

describe.each(AVAILABLE_PROVIDERS)("migrate on %s", (provider) => {
  let db: EmptyDatabase;
  afterAll(async () => db?.drop());

  test("an empty database gets every table; a second run is a no-op", async () => {
    db = await createEmptyDatabase(provider);
    expect(await tablesOf(db)).toEqual([]);
    const first = await migrateDatabase(db.url);
    expect(first.applied).toEqual(MIGRATIONS);
    expect(await tablesOf(db)).toEqual(["_prisma_migrations", ...MODEL_TABLES].sort());
    const second = await migrateDatabase(db.url);
    expect(second.applied).toEqual([]);
    expect(second.total).toBe(MIGRATIONS.length);
  });

  test("openDatabase on a current database works while another connection is open", async () => {
    const one = await openDatabase(db.url);
    const two = await openDatabase(db.url);
    expect(two.migration?.applied).toEqual([]);
    expect(await one.campaigns.list()).toEqual([]);
    await Promise.all([one.close(), two.close()]);
  });
});

if (!TEST_DATABASE_URL) {
  describe.skip("migrate on postgres (set TEST_DATABASE_URL to run)", () => {
    test("skipped", () => {});
  });
}

describe("database locations and errors", () => {
  test.each([
    ["file:./data/khaosat.db", { provider: "sqlite", file: path.resolve("data/khaosat.db") }],
    ["file:/var/lib/k.db", { provider: "sqlite", file: "/var/lib/k.db" }],
    ["postgresql://u:p@db.example:6543/k", { provider: "postgres", host: "db.example:6543", schema: "public" }],
    ["postgres://u@db.example/k?schema=round2", { provider: "postgres", host: "db.example:5432", schema: "round2" }],
  ])("parseDatabaseUrl(%s)", (url, expected) => {
    expect(parseDatabaseUrl(url)).toMatchObject(expected);
  });

  test.each([
    ["mysql://u@h/db", 'DATABASE_URL: unknown scheme "mysql:"; use file:PATH for SQLite (default file:./data/khaosat.db) or postgresql://… for PostgreSQL'],
    ["khaosat.db", 'DATABASE_URL: unknown scheme in "khaosat.db"; use file:PATH for SQLite (default file:./data/khaosat.db) or postgresql://… for PostgreSQL'],
    ["file:", "DATABASE_URL \"file:\": expected file:PATH, e.g. file:./data/khaosat.db"],
    ["postgresql://u@h/db?schema=a;drop", 'DATABASE_URL: schema "a;drop" must be a plain identifier'],
  ])("parseDatabaseUrl refuses %s", (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(new DatabaseError(message));
  });

  test("a missing directory is created", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-dir-"));
    try {
      const file = path.join(dir, "a", "b", "k.db");
      const result = await migrateDatabase(`file:${file}`);
      expect(result.applied).toEqual(MIGRATIONS);
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an unreachable PostgreSQL server is named in the error", async () => {
    await expect(migrateDatabase("postgresql://postgres@127.0.0.1:1/khaosat")).rejects.toThrow(
      /^cannot reach the PostgreSQL server at 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\): check DATABASE_URL and that the server is running$/,
    );
  });

  test("a read-only SQLite error is explained", () => {
    const target = parseDatabaseUrl("file:/srv/k.db");
    const error = Object.assign(new Error("attempt to write a readonly database"), { code: "SQLITE_READONLY" });
    expect((explainDatabaseError(target, error) as Error).message).toBe(
      "cannot write the SQLite database /srv/k.db: attempt to write a readonly database; check the file's permissions or set DATABASE_URL",
    );
  });

  // Permissions do not bind root, so this runs only as an ordinary user; as root the skip says why.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) console.warn("migrate.test.ts: skipping \"a read-only database file is refused before anything runs\": running as root, whom file permissions do not bind; run the tests as an ordinary user to include it");
  test.skipIf(asRoot)(`a read-only database file is refused before anything runs${asRoot ? " (skipped: running as root)" : ""}`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-ro-"));
    try {
      const file = path.join(dir, "k.db");
      await migrateDatabase(`file:${file}`);
      chmodSync(file, 0o444);
      await expect(openDatabase(`file:${file}`)).rejects.toThrow(`the database file ${file} is read-only`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("khaosat db migrate: unreachable server → one clear line, exit 1, no stack trace", async () => {
    const error = await run(process.execPath, ["bin/khaosat.js", "db", "migrate"], {
      env: { ...process.env, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/khaosat" },
    }).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(error).toMatchObject({ code: 1 });
    const stderr = (error as { stderr: string }).stderr;
    expect(stderr).toMatch(/^khaosat: cannot reach the PostgreSQL server at 127\.0\.0\.1:1 /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test("khaosat db migrate prints what it did, then that the database is current", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-cli-"));
    try {
      mkdirSync(dir, { recursive: true });
      const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, "k.db")}` };
      const first = await run(process.execPath, ["bin/khaosat.js", "db", "migrate"], { env });
      expect(first.stdout).toBe(`SQLite ${path.join(dir, "k.db")}: applied ${MIGRATIONS.length} migration${MIGRATIONS.length === 1 ? "" : "s"}:\n${MIGRATIONS.map((m) => `  ${m}\n`).join("")}`);
      const second = await run(process.execPath, ["bin/khaosat.js", "db", "migrate"], { env });
      expect(second.stdout).toBe(`SQLite ${path.join(dir, "k.db")}: already current (${MIGRATIONS.length} migration${MIGRATIONS.length === 1 ? "" : "s"} applied), nothing to do\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
