// Fresh databases for storage tests: a migrated SQLite file in a temp dir, and, when
// TEST_DATABASE_URL is set, a migrated PostgreSQL schema with a random name, dropped afterwards.
// `describeDatabases` runs the same tests on every available provider.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { loadPostgresSupport, parseDatabaseUrl } from "../../src/db/connection.js";

/** A storage provider under test. */
export type TestProvider = "sqlite" | "postgres";

/** The PostgreSQL server for tests, if configured. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** An empty database (not migrated) and how to remove it. */
export interface EmptyDatabase {
  readonly provider: TestProvider;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database: a new SQLite file path, or a new PostgreSQL schema. */
export async function createEmptyDatabase(provider: TestProvider): Promise<EmptyDatabase> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-test-"));
    return { provider, url: `file:${path.join(dir, "test.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set");
  // Tests open PostgreSQL clients synchronously (createPrismaClient) on the URLs made here.
  await loadPostgresSupport();
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  return {
    provider,
    url,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** What a test file gets from `describeDatabases`: valid inside tests and hooks. */
export interface DatabaseContext {
  readonly provider: TestProvider;
  /** URL of this file's migrated database. */
  url(): string;
  /** The repositories (opened once per describe block). */
  db(): Database;
  /** A raw Prisma client on the same database, for asserting on stored rows. */
  prisma(): Prisma;
}

/** Sets up a fresh migrated database for the enclosing describe block. */
export function useTestDatabase(provider: TestProvider): DatabaseContext {
  let empty: EmptyDatabase | undefined;
  let database: Database | undefined;
  let raw: { prisma: Prisma; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    empty = await createEmptyDatabase(provider);
    database = await openDatabase(empty.url);
    raw = createPrismaClient(parseDatabaseUrl(empty.url));
  });
  afterAll(async () => {
    await raw?.close();
    await database?.close();
    await empty?.drop();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("test database used outside a test or hook");
    return value;
  };
  return { provider, url: () => need(empty).url, db: () => need(database), prisma: () => need(raw).prisma };
}

/** Display name of a provider in test titles. */
export const PROVIDER_NAMES: Record<TestProvider, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

/**
 * Runs `body` once per provider, each in its own describe block with its own database. Without
 * TEST_DATABASE_URL the PostgreSQL block is skipped, and its title says how to run it.
 */
export function describeDatabases(title: string, body: (ctx: DatabaseContext) => void): void {
  describe(`${title} (SQLite)`, () => body(useTestDatabase("sqlite")));
  if (TEST_DATABASE_URL) {
    describe(`${title} (PostgreSQL)`, () => body(useTestDatabase("postgres")));
  } else {
    describe.skip(`${title} (PostgreSQL: set TEST_DATABASE_URL to run)`, () => {
      test("skipped", () => {});
    });
  }
}

/** The providers available in this run, for `describe.each`. */
export const AVAILABLE_PROVIDERS: readonly TestProvider[] = TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
