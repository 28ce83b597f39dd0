// The broadcast form's "send a long text as several messages" checkbox as Chromium lays it out: the
// box and its words on one line (at a desktop and a phone width), and a click on the words ticks it.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserTitle, chromiumAvailable, startBrowserConsole, type BrowserConsole } from "./browser-support.js";
import { PASSWORD } from "./fixture.js";

describe.skipIf(!chromiumAvailable)(browserTitle("the broadcast form's checkbox in Chromium"), { timeout: 180_000 }, () => {
  let c: BrowserConsole;
  let browser: Browser;
  beforeAll(async () => {
    c = await startBrowserConsole({ now: new Date() });
    browser = c.browser;
  }, 180_000);
  afterAll(() => c?.close());

  test.each([
    [1200, 900],
    [390, 844],
  ])("at %ipx: the box and its words on one line; the words tick the box", async (width, height) => {
    const context = await browser.newContext({ viewport: { width, height }, locale: "vi-VN" });
    const page = await context.newPage();
    await page.goto(`${c.base}/login`);
    await page.fill("#email", c.s.users.admin);
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForLoadState("load");
    await page.goto(`${c.base}/campaigns/${c.s.campaignId}/broadcast`);
    const box = (await page.locator("#broadcast-split").boundingBox())!;
    const words = page.locator("label[for=broadcast-split] span");
    expect(await words.textContent()).toBe("Gửi văn bản dài thành nhiều tin");
    const text = (await words.boundingBox())!;
    // Side by side: the words start right of the box, and their first line overlaps the box vertically.
    expect(text.x).toBeGreaterThan(box.x + box.width - 1);
    expect(text.y).toBeLessThan(box.y + box.height);
    expect(text.y + Math.min(text.height, 30)).toBeGreaterThan(box.y);
    expect(await page.isChecked("#broadcast-split")).toBe(false);
    await words.click();
    expect(await page.isChecked("#broadcast-split")).toBe(true);
    await context.close();
  });
});
