// What the browser tests share: Debian's Chromium (skipped, saying why, where it is missing) and a
// console served from a seeded SQLite file in a temporary folder.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { openDatabase, parseDatabaseUrl, type Database } from "../../src/db/index.js";
import { createPrismaClient } from "../../src/db/client.js";
import { createWebServer } from "../../src/web/server.js";
import { seed, type Seeded } from "./fixture.js";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumAvailable = existsSync(CHROMIUM);
/** The describe title: says why the tests are skipped where Chromium is missing. */
export const browserTitle = (title: string): string => (chromiumAvailable ? title : `${title} (skipped: ${CHROMIUM} not found; apt-get install chromium)`);

/** Launch flags for a shared, sandbox-less, offline machine. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--metrics-recording-only", "--mute-audio"];

export interface BrowserConsole {
  /** A temporary folder for the test's files (removed by close). */
  readonly dir: string;
  /** The database's URL (for running the CLI on it). */
  readonly url: string;
  readonly db: Database;
  readonly raw: ReturnType<typeof createPrismaClient>;
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly browser: Browser;
  readonly s: Seeded;
  close(): Promise<void>;
}

/** Seeds a fresh database (plus `prepare`), serves the console on a free loopback port and launches Chromium. */
export async function startBrowserConsole(options: { readonly now: Date; readonly fixedClock?: boolean; readonly prepare?: (db: Database, raw: ReturnType<typeof createPrismaClient>, s: Seeded) => Promise<void> }): Promise<BrowserConsole> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-browser-"));
  const url = `file:${path.join(dir, "k.db")}`;
  const db = await openDatabase(url);
  const raw = createPrismaClient(parseDatabaseUrl(url));
  const s = await seed(db, raw.prisma, options.now);
  await options.prepare?.(db, raw, s);
  const app = await createWebServer({ db, ...(options.fixedClock ? { now: () => options.now } : {}), codeSecret: { reveal: () => "browser-test-secret" }, botUsername: "khaosat_bot" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    dir, url, db, raw, app, base, browser, s,
    async close() {
      await browser.close();
      await app.close();
      await raw.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
