// The console in a real browser: Playwright (playwright-core) driving Debian's Chromium, with axe
// checking every page. Skipped, saying why, where /usr/bin/chromium is not installed
// (apt-get install chromium; .ci/run installs it). Also writes the README's screenshots to docs/.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserTitle, chromiumAvailable, startBrowserConsole, type BrowserConsole } from "./browser-support.js";
import { openBot, PASSWORD, RESPONSES_HEADER, responseRow, type Seeded } from "./fixture.js";
import { mulberry32 } from "../support/random.js";

const run = promisify(execFile);

describe.skipIf(!chromiumAvailable)(browserTitle("web console in Chromium"), { timeout: 180_000 }, () => {
  let c: BrowserConsole;
  let dir: string, url: string, raw: BrowserConsole["raw"], base: string, browser: Browser, s: Seeded;

  beforeAll(async () => {
    c = await startBrowserConsole({ now: new Date(), prepare: async (db, _raw, seeded) => void (await db.campaigns.updateSettings(seeded.campaignId, { reminders: "3d,1d@09:00" })) });
    ({ dir, url, raw, base, browser, s } = c);
  }, 180_000);
  afterAll(() => c?.close());

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
    const cli = JSON.parse(stdout) as { rows: { unit: string; sampled: number; submitted: number; inProgress: number; responses: { import: number } }[]; totals: { sampled: number; submitted: number } };
    const shown = await page.$$eval("#units tbody tr", (rows) =>
      rows.map((r) => ({ unit: r.querySelector("th .muted")?.textContent ?? "", cells: [...r.querySelectorAll("td")].map((td) => td.textContent ?? "") })),
    );
    const byUnit = new Map<string, { sampled: number; submitted: number; inProgress: number; imported: number }>();
    for (const row of cli.rows) {
      const u = byUnit.get(row.unit) ?? { sampled: 0, submitted: 0, inProgress: 0, imported: 0 };
      byUnit.set(row.unit, { sampled: u.sampled + row.sampled, submitted: u.submitted + row.submitted, inProgress: u.inProgress + row.inProgress, imported: u.imported + row.responses.import });
    }
    expect(shown.length).toBe(byUnit.size);
    for (const row of shown) {
      const expected = byUnit.get(row.unit)!;
      // The last column: responses imported from files (paper forms), which no sampled respondent owns.
      expect([Number(row.cells[0]), Number(row.cells[1]), Number(row.cells[2]), Number(row.cells.at(-1))], row.unit).toEqual([expected.sampled, expected.submitted, expected.inProgress, expected.imported]);
    }
    expect([...byUnit.values()].some((u) => u.imported > 0)).toBe(true);
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
      [s.users.admin, ["/campaigns", c, `${c}/units/SO_TC`, `${c}/index`, `${c}/flags`, `${c}/act`, `${c}/broadcast`, `${c}/reminders`, `${c}/report.html`, "/audit"]],
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

  test("upload a respondents file with a bad row: the line is reported, nothing imported; then issue codes and get the file", async () => {
    const { respondentsCsv } = await import("./fixture.js");
    const { writeFileSync, readFileSync } = await import("node:fs");
    const bad = path.join(dir, "bad.csv");
    writeFileSync(bad, respondentsCsv(["NEW-9,,SO_TP,Sở Tư pháp,nobody,vi"]));
    const before = await raw.prisma.respondent.count({ where: { campaignId: s.campaignId } });
    const page = await signedIn(s.users.admin);
    await page.goto(`${base}/campaigns/${s.campaignId}`);
    await page.click("a[href$='/act']");
    await page.setInputFiles("#respondents-file", bad);
    await page.click("form[action$='/respondents/check'] button[type=submit]");
    await page.waitForSelector("#check pre.problems");
    expect(await page.textContent("#check pre.problems")).toMatch(/^dòng 62: /);
    expect(await raw.prisma.respondent.count({ where: { campaignId: s.campaignId } })).toBe(before);

    await page.click("form[action$='/codes'] button[type=submit]");
    await page.waitForSelector("#codes-issued");
    expect(await page.textContent("#codes-issued h2")).toBe(`Đã cấp ${before} mã`);
    expect(await page.textContent("#codes-issued [role=alert]")).toContain("bản duy nhất của các mã này");
    expect(await axe(page)).toEqual([]);
    // The three formats from the one showing; the page stays, so each button can be used in turn.
    const files: Record<string, Buffer> = {};
    for (const format of ["pdf", "xlsx", "csv"]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(`#codes-issued form:has(input[name=format][value=${format}]) button`)]);
      const file = path.join(dir, `codes.${format}`);
      await download.saveAs(file);
      files[format] = readFileSync(file);
    }
    expect(files.pdf!.subarray(0, 5).toString()).toBe("%PDF-");
    expect(files.xlsx!.subarray(0, 2).toString()).toBe("PK");
    const text = files.csv!.toString("utf8");
    expect((text.match(/[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}/g) ?? []).length).toBe(before);
    expect(await raw.prisma.accessCode.count({ where: { campaignId: s.campaignId } })).toBe(before);
  });

  test("the report opens from the overview's button, with its three charts", async () => {
    const page = await signedIn(s.users.viewer);
    await page.goto(`${base}/campaigns/${s.campaignId}`);
    await page.click("a[href$='/report.html']");
    await page.waitForSelector("#slope svg");
    expect(await page.locator("figure.chart").count()).toBe(3);
    expect(await page.locator("figure.chart svg:visible").count()).toBe(3); // the wide or the narrow drawing, not both
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

  test("a form without its CSRF token is refused", async () => {
    const page = await signedIn(s.users.admin);
    await page.goto(`${base}/campaigns/${s.campaignId}/act`);
    await page.locator("form[action$='/codes'] input[name=_csrf]").evaluate((input) => input.remove());
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/codes")), page.click("form[action$='/codes'] button[type=submit]")]);
    expect(response.status()).toBe(403);
    expect(await page.textContent("h1")).toBe("Biểu mẫu đã hết hạn");
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

  test("broadcast: write, preview as the chat shows it with the audience count, confirm, watch the progress; then remind a unit (axe in both languages)", { timeout: 180_000 }, async () => {
    // Runs after the codes were issued: five respondents open the bot (three have not submitted).
    await openBot(raw.prisma, s.campaignId, ["SO_TC-1", "SO_TC-7", "SO_TC-9", "SO_TP-10", "UBND_BM-1"], new Date());
    const problems: string[] = [];
    const page = await signedIn(s.users.admin);
    await page.goto(`${base}/campaigns/${s.campaignId}`);
    await page.click("a[href$='/broadcast']");
    await page.selectOption("#broadcast-audience", "not-submitted");
    await page.selectOption("#broadcast-mode", "HTML");
    await page.fill("#broadcast-text", "Kính gửi anh chị: hạn khảo sát là <b>10/12</b>.");
    await page.click("form[action$='/broadcast/preview'] button[type=submit]");
    await page.waitForSelector("#preview");
    expect(await page.textContent("#audience-count b")).toBe("3 người sẽ nhận được");
    expect(await page.innerHTML(".chat .bubble")).toBe("Kính gửi anh chị: hạn khảo sát là <b>10/12</b>.");
    expect(await raw.prisma.outboxMessage.count({ where: { kind: "broadcast" } })).toBe(0);
    problems.push(...(await axe(page)));
    await page.click("form[action$='/broadcast/send'] button[type=submit]");
    await page.waitForSelector("#progress-counts");
    expect(page.url()).toMatch(/\/broadcasts\/[^/]+$/);
    expect(await page.textContent("#progress-counts tr[data-status=queued] td")).toBe("3");
    expect((await raw.prisma.outboxMessage.findMany({ where: { kind: "broadcast" } })).map((m) => m.chatId).sort()).toEqual(["700002", "700003", "700004"]);
    problems.push(...(await axe(page)));
    // The sender delivers two; htmx refreshes the counts without a reload.
    const rows = await raw.prisma.outboxMessage.findMany({ where: { kind: "broadcast" }, orderBy: { id: "asc" }, take: 2 });
    await raw.prisma.outboxMessage.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { status: "sent", doneAt: new Date() } });
    await page.locator("#progress-counts tr[data-status=sent] td", { hasText: /^2$/ }).waitFor({ timeout: 20_000 });
    expect(await page.textContent("#progress-counts tr[data-status=queued] td")).toBe("1");
    await page.goto(`${base}/lang/en?next=${encodeURIComponent(new URL(page.url()).pathname)}`);
    expect(await page.textContent("h1")).toBe("Broadcast progress");
    problems.push(...(await axe(page)));
    // The preview in English too (not confirmed).
    await page.goto(`${base}/campaigns/${s.campaignId}/broadcast`);
    await page.fill("#broadcast-text", "Reminder: the survey closes on 10/12.");
    await page.click("form[action$='/broadcast/preview'] button[type=submit]");
    await page.waitForSelector("#preview");
    expect(await page.textContent("#audience-count b")).toBe("3 respondents will receive it");
    problems.push(...(await axe(page)));

    // Remind exactly the unit's not-submitted who can be reached (English now).
    await page.goto(`${base}/campaigns/${s.campaignId}/units/SO_TC`);
    await page.click("form[action$='/remind/preview'] button[type=submit]");
    await page.waitForSelector("#remind-count");
    expect(await page.textContent("#remind-count")).toBe("2 respondents who have not submitted can be reminded now");
    problems.push(...(await axe(page)));
    await page.click("form[action$='/remind'] button[type=submit]");
    await page.waitForSelector("[role=status]");
    expect(await page.textContent("[role=status]")).toContain("Queued reminders to 2 respondents");
    expect(await raw.prisma.outboxMessage.count({ where: { kind: "reminder" } })).toBe(2);
    problems.push(...(await axe(page)));
    // In Vietnamese, asking again within 12 hours says when the unit may be reminded next.
    await page.goto(`${base}/lang/vi?next=${encodeURIComponent(`/campaigns/${s.campaignId}/units/SO_TC`)}`);
    await page.click("form[action$='/remind/preview'] button[type=submit]");
    await page.waitForSelector("#remind-count");
    expect(await page.textContent("#remind .flash.warn")).toContain("tối đa 12 giờ một lần");
    problems.push(...(await axe(page)));
    expect(problems).toEqual([]);
  });

  test("paper responses with a bad row: the line reported and nothing imported; the good file imported (axe in both languages)", { timeout: 120_000 }, async () => {
    const { writeFileSync } = await import("node:fs");
    const random = mulberry32(3);
    const good = [RESPONSES_HEADER, responseRow("PAPER-1", "SO_NV", "officials", 3, 0.7, random), responseRow("PAPER-2", "SO_NV", "leaders", 3, 0.7, random)];
    const bad = path.join(dir, "paper-bad.csv");
    writeFileSync(bad, `${[...good, responseRow("PAPER-3", "SO_NV", "officials", 3, 0.7, random).replace(",officials,", ",no_such_group,")].join("\n")}\n`);
    const before = await raw.prisma.response.count({ where: { campaignId: s.campaignId } });
    const problems: string[] = [];
    const page = await signedIn(s.users.admin);
    for (const lang of ["en", "vi"]) {
      await page.goto(`${base}/lang/${lang}?next=/campaigns/${s.campaignId}/act`);
      await page.setInputFiles("#responses-file", bad);
      await page.click("form[action$='/responses/check'] button[type=submit]");
      await page.waitForSelector("#check pre.problems");
      expect(await page.textContent("#check pre.problems")).toMatch(lang === "vi" ? /^dòng 4: .*no_such_group/ : /^line 4: .*no_such_group/);
      problems.push(...(await axe(page)));
    }
    expect(await raw.prisma.response.count({ where: { campaignId: s.campaignId } })).toBe(before);
    const ok = path.join(dir, "paper-good.csv");
    writeFileSync(ok, `${good.join("\n")}\n`);
    await page.setInputFiles("#responses-file", ok);
    await page.click("form[action$='/responses/check'] button[type=submit]");
    await page.waitForSelector("form[action$='/responses/import']");
    await page.click("form[action$='/responses/import'] button[type=submit]");
    await page.waitForSelector("[role=status]");
    expect(await page.textContent("[role=status]")).toContain("Đã nhập: 2 mới");
    expect(await raw.prisma.response.count({ where: { campaignId: s.campaignId, source: "import", externalId: { startsWith: "PAPER-" } } })).toBe(2);
    expect(problems).toEqual([]);
  });
});
