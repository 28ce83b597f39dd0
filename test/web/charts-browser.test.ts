// The charts as a person sees them: Chromium (Playwright) at a phone's width (390 px) and a desk's
// (1280 px), in Vietnamese and in English, on the overview, the index page and the bilingual report,
// for the six-unit fixture and a province of 84 units with long names. On each chart actually shown,
// read from the rendered SVG: every text is drawn at 11 px or more (never scaled down), inside the
// chart, overlapping no other text, and every unit's name is there whole (wrapped, not cut). The
// phone's menu fits the screen with tap-sized links. Writes docs/web-phone-*.png and
// docs/web-province-participation.png. Skipped, saying why, where /usr/bin/chromium is not installed.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserTitle, chromiumAvailable, startBrowserConsole, type BrowserConsole } from "./browser-support.js";
import { PASSWORD, UNITS, type Seeded } from "./fixture.js";
import { seedProvince } from "./province.js";

const NOW = new Date("2026-12-05T03:00:00Z");

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
interface ShownChart {
  readonly label: string;
  readonly svg: Box;
  /** Rendered width over drawn width. */
  readonly scale: number;
  readonly texts: readonly (Box & { text: string; px: number })[];
}

/** Every chart shown on the page (the visible drawing of each figure), read from the rendered SVG. */
async function shownCharts(page: Page): Promise<ShownChart[]> {
  return page.$$eval("figure.chart", (figures) =>
    figures.map((figure) => {
      const svg = [...figure.querySelectorAll("svg")].find((s) => s.getBoundingClientRect().width > 0)!;
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      const texts = [...svg.querySelectorAll("text")]
        .filter((t) => (t.textContent ?? "").trim() !== "")
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? "", x: r.x, y: r.y, w: r.width, h: r.height, px: parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(t).fontSize) * scale };
        });
      return { label: figure.getAttribute("aria-label") ?? "", svg: { x: box.x, y: box.y, w: box.width, h: box.height }, scale, texts };
    }),
  );
}

/** What is wrong with a shown chart: small or clipped text, texts over each other. */
function problems(chart: ShownChart, viewportWidth: number): string[] {
  const out: string[] = [];
  const { svg } = chart;
  if (svg.x < 0 || svg.x + svg.w > viewportWidth + 0.5) out.push(`wider than the screen: ${svg.x}+${svg.w} > ${viewportWidth}`);
  for (const t of chart.texts) {
    if (t.px < 11) out.push(`"${t.text}" drawn at ${t.px.toFixed(1)} px`);
    if (t.x < svg.x - 1 || t.y < svg.y - 1 || t.x + t.w > svg.x + svg.w + 1 || t.y + t.h > svg.y + svg.h + 1) out.push(`"${t.text}" outside the chart (clipped)`);
  }
  const overlap = (a: Box, b: Box) => Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1;
  for (let i = 0; i < chart.texts.length; i++)
    for (let j = i + 1; j < chart.texts.length; j++) if (overlap(chart.texts[i]!, chart.texts[j]!)) out.push(`"${chart.texts[i]!.text}" overlaps "${chart.texts[j]!.text}"`);
  return out.map((p) => `${chart.label}: ${p}`);
}

/** The chart's texts in order, lines joined: a wrapped name reads whole. */
const joined = (chart: ShownChart) => chart.texts.map((t) => t.text).join(" ");
/** Without spaces: a word too long for a line (`<script>alert(1)</script>`) is cut between lines. */
const compact = (text: string) => text.replace(/\s+/g, "");

describe.skipIf(!chromiumAvailable)(browserTitle("charts in Chromium, phone and desk, vi and en"), { timeout: 300_000 }, () => {
  let c: BrowserConsole;
  let base: string, browser: Browser, s: Seeded;
  let province: Awaited<ReturnType<typeof seedProvince>>;

  beforeAll(async () => {
    c = await startBrowserConsole({ now: NOW, fixedClock: true, prepare: async (db, raw) => void (province = await seedProvince(db, raw.prisma, NOW)) });
    ({ base, browser, s } = c);
  }, 300_000);
  afterAll(() => c?.close());

  async function viewer(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#email", s.users.viewer);
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForLoadState("load");
    return page;
  }

  for (const width of [390, 1280]) {
    test(`${width} px: every chart legible, whole and without overlaps, in vi and en, six units and a province`, async () => {
      const page = await viewer(width);
      const found: string[] = [];
      for (const lang of ["vi", "en"] as const) {
        await page.goto(`${base}/lang/${lang}?next=/campaigns`);
        for (const [campaignId, names] of [
          [s.campaignId, UNITS.map((u) => u.name)],
          [province.campaignId, province.units.map((u) => u.name)],
        ] as const) {
          for (const p of ["", "/index"]) {
            await page.goto(`${base}/campaigns/${campaignId}${p}`);
            const charts = await shownCharts(page);
            expect(charts.length, `${lang} ${p}`).toBe(p === "" ? 2 : 1);
            for (const chart of charts) {
              found.push(...problems(chart, width));
              // Participation and survey-vs-appraisal charts name every unit shown (ranked ones in the slope chart).
              if (chart === charts[0]) {
                const text = joined(chart);
                const expected = p === "" ? names : names.filter((n) => !province.withheld.some((code) => province.units.find((u) => u.code === code)?.name === n) && !n.startsWith("UBND xã An Phú"));
                for (const name of expected) if (!text.includes(name) && !compact(text).includes(compact(name))) found.push(`${lang} ${campaignId}${p}: "${name}" missing or cut`);
                expect(text).not.toContain("…");
              }
            }
            // Screenshots: the six units' charts on a phone, the province's participation on a desk.
            const figure = page.locator("figure.chart").first();
            if (lang === "vi" && width === 390 && campaignId === s.campaignId) await figure.screenshot({ path: `docs/web-phone-${p === "" ? "participation" : "slope"}.png` });
            if (lang === "vi" && width === 1280 && campaignId === province.campaignId && p === "") await figure.screenshot({ path: "docs/web-province-participation.png" });
          }
        }
      }
      // A unit's page: its submissions per day.
      await page.goto(`${base}/campaigns/${s.campaignId}/units/SO_TC`);
      const unitCharts = await shownCharts(page);
      expect(unitCharts.length).toBe(1);
      found.push(...problems(unitCharts[0]!, width));
      // The bilingual report: the same charts with "Vietnamese / English" headings and legends.
      for (const campaignId of [s.campaignId, province.campaignId]) {
        await page.goto(`${base}/campaigns/${campaignId}/report.html`);
        const charts = await shownCharts(page);
        expect(charts.length).toBe(3);
        for (const chart of charts) found.push(...problems(chart, width));
        expect(charts.map(joined).join(" ")).toContain("Hạn chót / Deadline");
      }
      expect(found).toEqual([]);
    });
  }

  test("390 px: the menu fits the screen, its links are tap-sized and do not overlap; no page scrolls sideways", async () => {
    const page = await viewer(390);
    for (const lang of ["vi", "en"]) {
      await page.goto(`${base}/lang/${lang}?next=/campaigns`);
      await page.goto(`${base}/campaigns/${s.campaignId}`);
      const items = await page.$$eval("header.top a, header.top button, header.top .who", (nodes) =>
        nodes.map((n) => {
          const r = n.getBoundingClientRect();
          return { text: (n.textContent ?? "").trim(), x: r.x, y: r.y, w: r.width, h: r.height };
        }),
      );
      for (const item of items) {
        expect(item.x, item.text).toBeGreaterThanOrEqual(0);
        expect(item.x + item.w, item.text).toBeLessThanOrEqual(390);
      }
      const links = items.filter((i) => i.text !== "" && !i.text.includes("@"));
      for (let i = 0; i < links.length; i++)
        for (let j = i + 1; j < links.length; j++) {
          const a = links[i]!;
          const b = links[j]!;
          const overlaps = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 0.5;
          expect(overlaps, `${a.text} / ${b.text}`).toBe(false);
        }
      const nav = items.filter((i) => i.text !== "" && i.y > 0);
      for (const link of await page.$$eval("header.top nav a", (ns) => ns.map((n) => n.getBoundingClientRect().height))) expect(link).toBeGreaterThanOrEqual(32);
      expect(nav.length).toBeGreaterThan(2);
      for (const p of ["", "/index", "/report.html"]) {
        await page.goto(`${base}/campaigns/${s.campaignId}${p}`);
        expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth), p).toBeLessThanOrEqual(390);
      }
    }
    await page.goto(`${base}/lang/vi?next=/campaigns/${s.campaignId}`);
    await page.screenshot({ path: "docs/web-phone-menu.png" });
  });
});
