// The console in a real browser: Playwright (playwright-core) driving Debian's Chromium, with axe
// checking every page. Skipped, saying why, where /usr/bin/chromium is not installed
// (apt-get install chromium; .ci/run installs it). Also writes the README's screenshots to docs/.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { createPrismaClient } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/index.js";
import { createWebServer } from "../../src/web/server.js";
import { PASSWORD, seed, type Seeded } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const run = promisify(execFile);

/** Launch flags for a shared, sandbox-less, offline machine. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--metrics-recording-only", "--mute-audio"];

describe.skipIf(!available)(available ? "web console in Chromium" : `web console in Chromium (skipped: ${CHROMIUM} not found; apt-get install chromium)`, { timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-browser-"));
  const url = `file:${path.join(dir, "k.db")}`;
  let db: Database;
  let raw: ReturnType<typeof createPrismaClient>;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let s: Seeded;

  beforeAll(async () => {
    db = await openDatabase(url);
    raw = createPrismaClient(parseDatabaseUrl(url));
    s = await seed(db, raw.prisma, new Date());
    await db.campaigns.updateSettings(s.campaignId, { reminders: "3d,1d@09:00" });
    app = await createWebServer({ db });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await raw?.close();
    await db?.close();
  });

  async function signedIn(email: string, viewport = { width: 1200, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: "vi-VN" });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#email", email);
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForLoadState("load");
    return page;
  }

  async function axe(page: Page): Promise<string[]> {
    const { AxeBuilder } = await import("@axe-core/playwright");
    const results = await new AxeBuilder({ page }).analyze();
    return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${page.url()}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }

  test("log in; the overview's participation matches `khaosat participation --format json`; screenshot", async () => {
    const page = await signedIn(s.users.admin);
    expect(page.url()).toBe(`${base}/campaigns`);
    await page.click(`text=Chỉ số CCHC 2026`);
    await page.waitForSelector("#live svg");
    const { stdout } = await run(process.execPath, ["bin/khaosat.js", "participation", "--campaign", s.campaignId, "--format", "json"], { env: { ...process.env, DATABASE_URL: url } });
    const cli = JSON.parse(stdout) as { rows: { unit: string; sampled: number; submitted: number; inProgress: number }[]; totals: { sampled: number; submitted: number } };
    const shown = await page.$$eval("#units tbody tr", (rows) =>
      rows.map((r) => ({ unit: r.querySelector("th .muted")?.textContent ?? "", cells: [...r.querySelectorAll("td")].map((td) => td.textContent ?? "") })),
    );
    const byUnit = new Map<string, { sampled: number; submitted: number; inProgress: number }>();
    for (const row of cli.rows) {
      const u = byUnit.get(row.unit) ?? { sampled: 0, submitted: 0, inProgress: 0 };
      byUnit.set(row.unit, { sampled: u.sampled + row.sampled, submitted: u.submitted + row.submitted, inProgress: u.inProgress + row.inProgress });
    }
    expect(shown.length).toBe(byUnit.size);
    for (const row of shown) {
      const expected = byUnit.get(row.unit)!;
      expect([Number(row.cells[0]), Number(row.cells[1]), Number(row.cells[2])], row.unit).toEqual([expected.sampled, expected.submitted, expected.inProgress]);
    }
    expect(await page.textContent(".grid .stat:nth-child(2) b")).toBe(String(cli.totals.submitted));
    await page.screenshot({ path: "docs/web-overview.png", fullPage: true });
    expect(await axe(page)).toEqual([]);
  });

  test("the index page draws the survey-vs-appraisal chart; screenshot", async () => {
    const page = await signedIn(s.users.viewer);
    await page.goto(`${base}/campaigns/${s.campaignId}/index`);
    const chart = await page.waitForSelector("#slope svg");
    expect(await page.textContent("#slope")).toContain("Sở Y tế");
    await (await page.$("#slope"))!.screenshot({ path: "docs/web-survey-vs-appraisal.png" });
    void chart;
    expect(await axe(page)).toEqual([]);
  });

  test("no serious or critical axe violation on any page, in both languages, on a phone too", { timeout: 300_000 }, async () => {
    const problems: string[] = [];
    const anonymous = await (await browser.newContext()).newPage();
    await anonymous.goto(`${base}/login`);
    problems.push(...(await axe(anonymous)));
    const c = `/campaigns/${s.campaignId}`;
    for (const [email, paths] of [
      [s.users.admin, ["/campaigns", c, `${c}/units/SO_TC`, `${c}/index`, `${c}/flags`, `${c}/report.html`, "/audit"]],
      [s.users.coordinator, [`${c}/units/SO_TC`]],
    ] as const) {
      const page = await signedIn(email, { width: 390, height: 844 });
      for (const lang of ["vi", "en"]) {
        await page.goto(`${base}/lang/${lang}?next=/campaigns`);
        for (const p of paths) {
          await page.goto(`${base}${p}`);
          problems.push(...(await axe(page)));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test("the report opens from the overview's button, with its three charts", async () => {
    const page = await signedIn(s.users.viewer);
    await page.goto(`${base}/campaigns/${s.campaignId}`);
    await page.click("a[href$='/report.html']");
    await page.waitForSelector("#slope svg");
    expect(await page.locator("figure.chart svg").count()).toBe(3);
    expect(await page.textContent("h1")).toBe("Chỉ số CCHC 2026");
  });

  test("a viewer is refused an admin action; a coordinator sees only their unit", async () => {
    const viewer = await signedIn(s.users.viewer);
    const refused = await viewer.goto(`${base}/audit`);
    expect(refused?.status()).toBe(403);
    expect(await viewer.textContent("h1")).toBe("Không có quyền");
    const coordinator = await signedIn(s.users.coordinator);
    expect(coordinator.url()).toBe(`${base}/campaigns/${s.campaignId}/units/SO_TC`);
    expect(await coordinator.textContent("h1")).toContain("Sở Tài chính");
    expect((await coordinator.goto(`${base}/campaigns/${s.campaignId}/units/SO_TP`))?.status()).toBe(403);
    expect((await coordinator.goto(`${base}/campaigns/${s.campaignId}`))?.status()).toBe(403);
    expect((await coordinator.goto(`${base}/campaigns/${s.campaignId}/index`))?.status()).toBe(403);
  });

  test("the login throttle in the browser", async () => {
    const page = await (await browser.newContext()).newPage();
    let status = 0;
    for (let i = 0; i < 6; i++) {
      await page.goto(`${base}/login`);
      await page.fill("#email", "nobody@example.org");
      await page.fill("#password", "wrong password");
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/login") && r.request().method() === "POST"), page.click("button[type=submit]")]);
      status = response.status();
    }
    expect(status).toBe(429);
    expect(await page.textContent("[role=alert]")).toContain("quá nhiều lần đăng nhập sai");
  });
});
