// PDF files stream into their pending file page by page (bounded memory at any size of round): the
// bytes of a national round's slips (about 120 MB) once sat twice in memory before a single write.
// Caught here without 50,000 rows: the partial file grows while pages are drawn, a failure mid-render
// leaves neither the target nor the partial file (nor stored codes), and an existing file survives.
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

/** Writes into files under `dir` ending in ".partial": their sizes, and a failure to inject (a full disk). */
const watch = vi.hoisted(() => ({ dir: "", writes: [] as number[], failAt: 0, onWrite: undefined as (() => void) | undefined }));

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    let target = "";
    try {
      target = real.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // Not Linux: nothing is watched.
    }
    if (watch.dir !== "" && target.startsWith(watch.dir) && target.endsWith(".partial")) {
      watch.onWrite?.();
      if (watch.failAt > 0 && watch.writes.length + 1 >= watch.failAt) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      const written = (real.writeSync as (...args: unknown[]) => number)(fd, ...rest);
      watch.writes.push(written);
      return written;
    }
    return (real.writeSync as (...args: unknown[]) => number)(fd, ...rest);
  }) as typeof real.writeSync;
  return { ...real, default: { ...real, writeSync }, writeSync };
});

const { renderSlipsPdf, writeSlipsPdf } = await import("../../src/access/index.js");
const { renderPosterPdf, renderReceiptPdf, writePosterPdf, writeReceiptPdf } = await import("../../src/citizens/index.js");
const { newPdf, streamPdf } = await import("../../src/documents/index.js");
const { main } = await import("../../src/cli/main.js");
const { createPrismaClient } = await import("../../src/db/client.js");
const { parseDatabaseUrl } = await import("../../src/db/connection.js");
const { migrateDatabase } = await import("../../src/db/migrate.js");
const { AVAILABLE_PROVIDERS, createEmptyDatabase } = await import("../support/db.js");
const { seedCampaign } = await import("../access/db-fixture.js");

const LINUX = process.platform === "linux";
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-pdf-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CREATED = new Date("2026-12-01T00:00:00Z");
const slips = Array.from({ length: 37 }, (_, i) => ({ code: `ABCDEFGH${20 + i}`, link: `https://t.me/x_bot?start=KS_C${i}`, unit: `Đơn vị số ${i % 3}`, name: `Người số ${i}`, externalId: `R${i}` }));
const options = { botUsername: "x_bot", title: "Vòng quốc gia", createdAt: CREATED, closing: { at: new Date("2026-12-20T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh" } };

/** What `write` puts into a fresh file. */
async function streamed(name: string, write: (fd: number) => Promise<void>): Promise<Buffer> {
  const file = path.join(dir, name);
  const fd = openSync(file, "w");
  try {
    await write(fd);
  } finally {
    closeSync(fd);
  }
  return readFileSync(file);
}

describe("streamPdf", () => {
  test("each page's bytes reach the file as the next page begins; nothing piles up in the stream", async () => {
    const doc = await newPdf({ title: "t", createdAt: CREATED });
    const fd = openSync(path.join(dir, "pages.pdf"), "w");
    const out = streamPdf(doc, fd);
    const sizes: number[] = [];
    for (let page = 0; page < 120; page++) {
      doc.addPage().font("regular").fontSize(12);
      for (let line = 0; line < 40; line++) doc.text(`Trang ${page}, dòng ${line}: Người số ${page * 40 + line}`, 30, 30 + line * 18);
      sizes.push(fstatSync(fd).size);
      // At most the page being drawn is held: the ones before it are in the file.
      expect(doc.readableLength).toBe(0);
    }
    // Nor do the layouts of words already set (pdfkit's cache, which otherwise keeps every word of the document).
    const fonts = (doc as unknown as { _fontFamilies: Record<string, { layoutCache?: object }> })._fontFamilies;
    const cached = Object.values(fonts).reduce((sum, font) => sum + Object.keys(font.layoutCache ?? {}).length, 0);
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThan(4_000);
    await out.end();
    const total = fstatSync(fd).size;
    closeSync(fd);
    // The file grew page by page while the document was drawn, not in one write at its end.
    expect(sizes[119]).toBeGreaterThan(sizes[60]!);
    expect(sizes[60]).toBeGreaterThan(sizes[1]!);
    expect(sizes[119]).toBeGreaterThan(total / 2);
    const bytes = readFileSync(path.join(dir, "pages.pdf"), "latin1");
    expect(bytes.startsWith("%PDF-")).toBe(true);
    expect(bytes.trimEnd().endsWith("%%EOF")).toBe(true);
  });

  test("slips, receipts and posters streamed are byte for byte the documents in memory (fixed dates)", async () => {
    expect((await streamed("slips.pdf", (fd) => writeSlipsPdf(fd, slips, options))).equals(await renderSlipsPdf(slips, options))).toBe(true);
    expect((await streamed("receipts.pdf", (fd) => writeReceiptPdf(fd, slips, options))).equals(await renderReceiptPdf(slips, options))).toBe(true);
    const poster = { unit: "Bộ phận một cửa", link: "https://t.me/x_bot?start=P_1", periodDays: 30 };
    expect((await streamed("poster.pdf", (fd) => writePosterPdf(fd, poster, options))).equals(await renderPosterPdf(poster, options))).toBe(true);
  });

  test("a failing write stops the drawing at once", async () => {
    const doc = await newPdf({ title: "t" });
    const fd = openSync(path.join(dir, "closed.pdf"), "w");
    closeSync(fd);
    streamPdf(doc, fd);
    // The first page writes the document's header into a closed descriptor.
    expect(() => doc.addPage()).toThrow(/EBADF/);
  });
});

describe.each(AVAILABLE_PROVIDERS)("PDF files of the commands stream into a partial file, renamed only when complete (%s)", (provider) => {
  let url = "";
  let drop = async (): Promise<void> => undefined;
  let prisma: Awaited<ReturnType<typeof createPrismaClient>>["prisma"];
  let close = async (): Promise<void> => undefined;
  const work = path.join(dir, provider);
  const saved = { DATABASE_URL: process.env.DATABASE_URL, CODE_SECRET: process.env.CODE_SECRET, BOT_USERNAME: process.env.BOT_USERNAME, ZALO_BOT_LINK: process.env.ZALO_BOT_LINK };

  beforeAll(async () => {
    ({ url, drop } = await createEmptyDatabase(provider));
    await migrateDatabase(url);
    fs.mkdirSync(work);
    process.env.DATABASE_URL = url;
    process.env.CODE_SECRET = "pdf-stream-test-secret-0123456789abcdef0123";
    delete process.env.BOT_USERNAME;
    delete process.env.ZALO_BOT_LINK;
    ({ prisma, close } = createPrismaClient(parseDatabaseUrl(url)));
    const units = [0, 1, 2].map((u) => ({ code: `U${u}`, name: `Đơn vị số ${u}` }));
    const people = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, externalId: `CB${i}`, fullName: `Người số ${i}`, unitCode: `U${i % 3}` }));
    await seedCampaign(prisma, "round", units, people);
    watch.dir = work;
  }, 120_000);

  afterAll(async () => {
    watch.dir = "";
    await close();
    await drop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  async function run(...argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = "";
    const o = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
    watch.writes = [];
    try {
      return { code: await main(argv), stderr };
    } finally {
      o.mockRestore();
      e.mockRestore();
      process.exitCode = undefined;
      watch.failAt = 0;
      watch.onWrite = undefined;
    }
  }

  const leftovers = () => readdirSync(work).filter((f) => f.endsWith(".partial") || f.startsWith(".khaosat-issue-"));
  const stored = () => prisma.accessCode.count({ where: { campaignId: "round" } });

  test.runIf(LINUX)("a failure mid-render (a full disk) leaves no file, no partial file and no stored code; an existing file is untouched", async () => {
    const target = path.join(work, "slips.pdf");
    watch.failAt = 3;
    const failed = await run("codes", "issue", "--campaign", "round", "--out", target, "--bot", "khaosat_bot");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ENOSPC");
    // Two writes made it into the partial file before the disk "filled": the render was streaming.
    expect(watch.writes).toHaveLength(2);
    expect(existsSync(target)).toBe(false);
    expect(leftovers()).toEqual([]);
    expect(await stored()).toBe(0);

    // A file of that name appearing while the slips render is never replaced by a broken one.
    watch.failAt = 4;
    watch.onWrite = () => {
      if (!existsSync(target)) writeFileSync(target, "the good copy");
    };
    expect((await run("codes", "issue", "--campaign", "round", "--out", target, "--bot", "khaosat_bot")).code).toBe(1);
    expect(readFileSync(target, "utf8")).toBe("the good copy");
    expect(leftovers()).toEqual([]);
    expect(await stored()).toBe(0);
    // And an existing file is refused before anything is issued.
    expect((await run("codes", "issue", "--campaign", "round", "--out", target, "--bot", "khaosat_bot")).code).toBe(1);
    expect(readFileSync(target, "utf8")).toBe("the good copy");
    expect(await stored()).toBe(0);
  });

  test.runIf(LINUX)("codes issue --out slips.pdf: written page by page, then linked into place and the codes stored", async () => {
    const target = path.join(work, "issued.pdf");
    const done = await run("codes", "issue", "--campaign", "round", "--out", target, "--bot", "khaosat_bot");
    expect(done).toEqual({ code: 0, stderr: "" });
    const size = readFileSync(target).length;
    expect(watch.writes.reduce((a, b) => a + b, 0)).toBe(size);
    // 40 slips over 3 units: 6 pages, each written when the next began (the fonts, xref and trailer last).
    expect(watch.writes.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...watch.writes)).toBeLessThan(size / 2);
    expect(readFileSync(target, "latin1").trimEnd().endsWith("%%EOF")).toBe(true);
    expect(leftovers()).toEqual([]);
    expect(await stored()).toBe(40);
  });

  test.runIf(LINUX)("codes batch (A4 slips and receipts) and codes poster: a failure mid-render leaves neither file nor partial file", async () => {
    for (const format of ["a4", "receipt"]) {
      const target = path.join(work, `batch-${format}.pdf`);
      watch.failAt = 2;
      const failed = await run("codes", "batch", "--campaign", "round", "--unit", "U1", "--count", "20", "--format", format, "--out", target, "--bot", "khaosat_bot");
      expect(failed.code).toBe(1);
      expect(existsSync(target)).toBe(false);
      expect(leftovers()).toEqual([]);
      expect(await prisma.codeBatch.count()).toBe(0);
      const done = await run("codes", "batch", "--campaign", "round", "--unit", "U1", "--count", "20", "--format", format, "--out", target, "--bot", "khaosat_bot");
      expect(done).toEqual({ code: 0, stderr: "" });
      expect(watch.writes.length).toBeGreaterThan(1);
      expect(readFileSync(target, "latin1").trimEnd().endsWith("%%EOF")).toBe(true);
      await prisma.accessCode.deleteMany({ where: { batchId: { not: null } } });
      await prisma.codeBatch.deleteMany();
    }
    const poster = path.join(work, "poster.pdf");
    watch.failAt = 1;
    expect((await run("codes", "poster", "--campaign", "round", "--unit", "U1", "--out", poster, "--bot", "khaosat_bot")).code).toBe(1);
    expect(existsSync(poster)).toBe(false);
    expect(leftovers()).toEqual([]);
    expect((await run("codes", "poster", "--campaign", "round", "--unit", "U1", "--out", poster, "--bot", "khaosat_bot")).code).toBe(0);
    expect(readFileSync(poster, "latin1").trimEnd().endsWith("%%EOF")).toBe(true);
  });
});
