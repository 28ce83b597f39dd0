// Query plans of the statements the bot runs on every redemption, on a fresh SQLite database (no
// ANALYZE statistics, as every bot's database is): each must search by the index that finds its few
// rows, not read a campaign's every code (50,000 rows in a national round).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDatabase } from "../../src/db/index.js";
import { RESPONDENTS_BOUND_SQLITE } from "../../src/db/access-repository.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-plans-"));
let db: Sqlite.Database;

beforeAll(async () => {
  const file = path.join(dir, "plans.db");
  await (await openDatabase(`file:${file}`)).close();
  db = new Sqlite(file, { readonly: true });
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const plan = (sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join("\n");

test("the respondents an account's codes name: by the account's index, not every code of the campaign", () => {
  const detail = plan(RESPONDENTS_BOUND_SQLITE, "zalo:1", "c1");
  expect(detail).toContain("USING INDEX AccessCode_boundAccount_idx (boundAccount=?)");
  expect(detail).not.toContain("campaignId");
});
