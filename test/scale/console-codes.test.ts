// Issuing codes from the web console at national size (50,000 respondents over 700 units), on
// SQLite and, with TEST_DATABASE_URL, PostgreSQL: the issue request stores only the sealed slips'
// data and answers at once; each file is drawn when downloaded and streamed (the PDF, ~120 MB, page
// by page) while the console keeps answering others, all 50,000 codes in each, in bounded memory.
// Heavy: it runs only with SCALE=1 (`npm run test:scale`; .ci/run sets it), like full-size.test.ts.
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Readable } from "node:stream";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { addUser } from "../../src/web/accounts.js";
import { createWebServer } from "../../src/web/server.js";
import { AVAILABLE_PROVIDERS, PROVIDER_NAMES, useTestDatabase, type TestProvider } from "../support/db.js";
import { seedScaleCampaign, seedUnit } from "../support/scale-seed.js";
import { Client } from "../web/http.js";
import { PASSWORD } from "../web/fixture.js";

const SCALE = process.env.SCALE === "1";
const RESPONDENTS = 50_000;
const UNITS = 700;
const ADMIN = "admin@example.org";
const NOW = new Date("2026-12-05T03:00:00Z");
const CODE = /[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}/g;
/** Growth of the process's resident memory allowed from just before the issue to the end of the last download. */
const RSS_GROWTH_MB = 600;

/** Peak resident memory while `work` runs, sampled every 20 ms. */
class PeakMemory {
  peak = process.memoryUsage().rss;
  heap = process.memoryUsage().heapUsed;
  readonly phases: string[] = [];
  readonly #timer = setInterval(() => this.sample(), 20);
  sample(): void {
    const now = process.memoryUsage();
    this.peak = Math.max(this.peak, now.rss);
    this.heap = Math.max(this.heap, now.heapUsed);
  }
  /** Notes the peaks so far at the end of a phase. */
  phase(name: string): void {
    this.sample();
    this.phases.push(`${name} ${mb(this.peak)}/${mb(this.heap)}`);
  }
  stop(): number {
    this.sample();
    clearInterval(this.#timer);
    return this.peak;
  }
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function suite(provider: TestProvider): void {
  describe(`console codes at national size: ${RESPONDENTS.toLocaleString("en")} respondents over ${UNITS} units (${PROVIDER_NAMES[provider]})`, { timeout: 900_000 }, () => {
    const ctx = useTestDatabase(provider);
    let app: FastifyInstance;
    let campaignId = "";
    beforeAll(async () => {
      const { campaign } = await createCampaign(ctx.db().campaigns, { questionnaireFile: "test/scale/round.yaml", name: "Vòng quốc gia 2026", opens: "2026-12-01", closes: "2026-12-31" });
      campaignId = campaign.id;
      await seedScaleCampaign(ctx.prisma(), { campaignId, questionnaireVersionPk: campaign.questionnaireVersionPk, respondents: RESPONDENTS, units: UNITS, groups: ["leaders", "officials", "deputies"], respondentsOnly: true });
      await addUser(ctx.db(), { email: ADMIN, role: "admin", password: PASSWORD }, "test", NOW);
      app = await createWebServer({ db: ctx.db(), now: () => NOW, codeSecret: { reveal: () => "scale-test-code-secret-0123456789abcdef" }, botUsername: "khaosat_bot" });
    }, 300_000);
    afterAll(async () => app?.close());

    test("issue, then PDF, XLSX and CSV each streamed with all 50,000 codes, in bounded memory, the console answering meanwhile", async () => {
      const client = new Client(app);
      expect((await client.login(ADMIN)).statusCode).toBe(302);
      const base = process.memoryUsage().rss;
      const memory = new PeakMemory();
      const times: Record<string, number> = {};
      let t0 = performance.now();
      const issued = await client.post(`/campaigns/${campaignId}/codes`, { bot: "khaosat_bot" });
      times.issue = (performance.now() - t0) / 1000;
      memory.phase("issue");
      expect(issued.statusCode).toBe(200);
      expect(issued.body).toMatch(/Đã cấp 50[.,]?000 mã/);
      expect(await ctx.prisma().accessCode.count({ where: { campaignId, status: "active" } })).toBe(RESPONDENTS);
      const forms = [...issued.body.matchAll(/name="file" value="([0-9a-f]{32})"><input type="hidden" name="key" value="([A-Za-z0-9_-]{43})"><input type="hidden" name="format" value="(pdf|xlsx|csv)">/g)].map((m) => ({ file: m[1]!, key: m[2]!, format: m[3]! }));
      expect(forms.map((f) => f.format)).toEqual(["pdf", "xlsx", "csv"]);
      // Only the sealed slips' data waits: a few MB for all three formats, far under the 100 MiB bound.
      const waiting = await ctx.prisma().webUpload.findMany({ where: { kind: "codes" }, select: { size: true } });
      const stored = waiting.reduce((sum, w) => sum + w.size, 0);
      expect(stored).toBeLessThan(10 * 1024 * 1024);
      const download = (format: string) => client.postStream(`/campaigns/${campaignId}/codes/download`, forms.find((f) => f.format === format)!);

      // The PDF, read as it comes: its pages counted across chunk boundaries; the event loop stays free meanwhile.
      const loop = monitorEventLoopDelay({ resolution: 20 });
      loop.enable();
      t0 = performance.now();
      const pdf = await download("pdf");
      times.pdfFirstByte = (performance.now() - t0) / 1000;
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers["content-type"]).toBe("application/pdf");
      let pages = 0;
      let pdfBytes = 0;
      let tail = "";
      let head = "";
      let pageDuring: number | undefined;
      for await (const chunk of pdf.stream()) {
        const text = tail + (chunk as Buffer).toString("latin1");
        if (head === "") head = text.slice(0, 5);
        pages += text.match(/\/Type \/Page\b/g)?.length ?? 0;
        // Keep the last bytes for a match split across chunks, past any match already counted.
        const cut = Math.max(text.length - 16, text.lastIndexOf("/Type /Page") + 11);
        tail = text.slice(cut);
        pdfBytes += (chunk as Buffer).length;
        if (pageDuring === undefined && pdfBytes > 20 * 1024 * 1024) {
          // Another admin's page while the slips are drawn: answered, not queued behind the PDF.
          const other = performance.now();
          expect((await client.get("/campaigns")).statusCode).toBe(200);
          pageDuring = (performance.now() - other) / 1000;
        }
      }
      loop.disable();
      times.pdf = (performance.now() - t0) / 1000;
      memory.phase("pdf");
      expect(head).toBe("%PDF-");
      expect(tail.trimEnd().endsWith("%%EOF")).toBe(true);
      // Eight slips a page, each unit on pages of its own: every slip is in it.
      const perUnit = new Map<string, number>();
      for (let i = 0; i < RESPONDENTS; i++) perUnit.set(seedUnit(i, UNITS), (perUnit.get(seedUnit(i, UNITS)) ?? 0) + 1);
      expect(pages).toBe([...perUnit.values()].reduce((sum, n) => sum + Math.ceil(n / 8), 0));
      expect(pageDuring).toBeLessThan(5);

      // The XLSX, read back with ExcelJS's streaming reader as it arrives.
      t0 = performance.now();
      const xlsx = await download("xlsx");
      expect(xlsx.statusCode).toBe(200);
      const reader = new ExcelJS.stream.xlsx.WorkbookReader(xlsx.stream() as unknown as Readable, { sharedStrings: "cache", worksheets: "emit" });
      const xlsxCodes = new Set<string>();
      for await (const sheet of reader) {
        for await (const row of sheet as AsyncIterable<ExcelJS.Row>) if (row.number > 1) xlsxCodes.add(String(row.getCell(5).value));
      }
      times.xlsx = (performance.now() - t0) / 1000;
      memory.phase("xlsx");
      expect(xlsxCodes.size).toBe(RESPONDENTS);

      t0 = performance.now();
      const csv = await download("csv");
      expect(csv.statusCode).toBe(200);
      const csvCodes = new Set<string>();
      let carry = "";
      for await (const chunk of csv.stream()) {
        const lines = (carry + (chunk as Buffer).toString("utf8")).split("\r\n");
        carry = lines.pop()!;
        for (const line of lines) for (const code of line.match(CODE) ?? []) csvCodes.add(code);
      }
      times.csv = (performance.now() - t0) / 1000;
      memory.phase("csv");
      expect(csvCodes.size).toBe(RESPONDENTS);
      expect([...xlsxCodes].every((code) => csvCodes.has(code))).toBe(true);
      const peak = memory.stop();

      // Each once: nothing waits any more.
      expect(await ctx.prisma().webUpload.count({ where: { kind: "codes" } })).toBe(0);
      expect((await client.post(`/campaigns/${campaignId}/codes/download`, forms[0]!)).statusCode).toBe(410);
      process.stderr.write(
        `console codes at ${RESPONDENTS} (${provider}): issue ${times.issue!.toFixed(1)} s (sealed data ${(stored / 1024).toFixed(0)} KiB for 3 formats); ` +
          `PDF ${mb(pdfBytes)} MB, ${pages} pages, first byte ${times.pdfFirstByte!.toFixed(1)} s, all ${times.pdf!.toFixed(1)} s (a page asked meanwhile: ${pageDuring!.toFixed(2)} s; ` +
          `event loop delay max ${(loop.max / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms); XLSX ${times.xlsx!.toFixed(1)} s; CSV ${times.csv!.toFixed(1)} s; ` +
          `RSS before ${mb(base)} MB, peak ${mb(peak)} MB (+${mb(peak - base)} MB); peak RSS/heap MB after each: ${memory.phases.join(", ")}\n`,
      );
      expect(mb(peak - base)).toBeLessThan(RSS_GROWTH_MB);
    });
  });
}

if (SCALE) {
  for (const provider of AVAILABLE_PROVIDERS) suite(provider);
} else {
  describe.skip("console codes at national size (50,000 respondents): set SCALE=1 to run (`npm run test:scale`; .ci/run does)", () => {
    test("skipped", () => undefined);
  });
}
