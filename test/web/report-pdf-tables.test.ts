// The report PDF's tables with a city's long unit names and one absurd name (500 characters of
// markup, quotes, bidirectional controls, a link, a 100-letter word): every word of a cell stays on
// one line (pdftotext -bbox), rows never overlap, a row is as tall as its tallest cell, every page a
// table runs onto starts with its header row, numbers sit whole on one line and the absurd name is
// cut to a few lines ending in '…'. KEEP_REPORT_PDF=dir keeps the PDF to look at.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { renderReportPdf } from "../../src/web/report-pdf.js";
import { reportModel } from "../../src/web/report.js";
import { useTestDatabase } from "../support/db.js";
import { seedProvince } from "./province.js";

const pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].find((p) => existsSync(p));
const NOW = new Date("2026-12-05T03:00:00Z");
/** Where an A4 page's body ends (its 40 pt bottom margin holds the page number). */
const BODY_BOTTOM = 841.89 - 40;

const WARDS = ["Bến Nghé", "Bến Thành", "Cầu Kho", "Cầu Ông Lãnh", "Cô Giang", "Đa Kao", "Nguyễn Cư Trinh", "Nguyễn Thái Bình", "Phạm Ngũ Lão", "Tân Định"];
const DISTRICTS = ["Quận 1", "Quận 3", "Quận Bình Thạnh", "Quận Gò Vấp"];
const OFFICES = [
  "Sở Lao động – Thương binh và Xã hội Thành phố Hồ Chí Minh",
  "Ban Quản lý các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh",
  "Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính Ủy ban nhân dân huyện Cần Giờ",
  "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
  "Sở Văn hóa, Thể thao và Du lịch Thành phố Hồ Chí Minh",
  // pdfkit would break these after the hyphen, as if it were two words.
  "Ủy ban nhân dân thành phố Phan Rang-Tháp Chàm, tỉnh Ninh Thuận",
  "Sở Tài nguyên và Môi trường tỉnh Bà Rịa-Vũng Tàu",
];

/** 60 units with long names, then two with a 500-character name. */
function cityUnits(): { code: string; name: string }[] {
  const units: { code: string; name: string }[] = [];
  for (const district of DISTRICTS) for (const ward of WARDS) units.push({ code: `P${String(units.length + 1).padStart(2, "0")}`, name: `Ủy ban nhân dân phường ${ward}, ${district}` });
  for (let i = 0; units.length < 60; i++) units.push({ code: `S${String(i + 1).padStart(2, "0")}`, name: `${OFFICES[i % OFFICES.length]}${i >= OFFICES.length ? ` (chi nhánh ${i + 1})` : ""}` });
  // The same absurd name withheld (too few responses): said in a line of the report's text.
  return [...units, { code: "ZZ_ABSURD", name: ABSURD }, { code: "ZZ_HIDDEN", name: ABSURD }];
}

const LONG_WORD = "Ủ".repeat(40) + "ĐƠNVỊ".repeat(12);
export const ABSURD = (
  `Ủy ban <script>alert("x")</script> & 'nhân dân' "phường" \u202Eđảo ngược\u202C zero\u200Bwidth ${LONG_WORD} https://evil.example.com/a/very/long/path/that/goes/on?x=1&y=2 ` +
  "Nguyễn Thái Bình ".repeat(30)
).slice(0, 500);

interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

const unescapeXml = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!);

/** Each word pdftotext finds with its box, page by page, and each page's lines as -layout gives them. */
function pdfWords(file: string): Word[] {
  const html = execFileSync(pdftotext!, ["-enc", "UTF-8", "-bbox-layout", file, "-"], { encoding: "utf8", maxBuffer: 64 << 20 });
  const words: Word[] = [];
  for (const [i, page] of html.split("<page ").slice(1).entries()) {
    for (const m of page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
      words.push({ page: i + 1, text: unescapeXml(m[5]!), xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) });
    }
  }
  return words;
}

/** Characters a PDF draws as nothing, which pdftotext does not give back (it ends a word at a zero-width space). */
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069]/g;
const norm = (text: string) => text.replace(INVISIBLE, "").replace(/\u200B/g, " ").replace(/\s+/g, " ").trim();

/** Words sorted into lines (same top), top to bottom, each line left to right. */
function linesOf(words: readonly Word[]): Word[][] {
  const lines: Word[][] = [];
  for (const w of [...words].sort((a, b) => a.yMin - b.yMin || a.xMin - b.xMin)) {
    const line = lines[lines.length - 1];
    if (line && Math.abs(line[0]!.yMin - w.yMin) < 1) line.push(w);
    else lines.push([w]);
  }
  return lines.map((line) => line.sort((a, b) => a.xMin - b.xMin));
}

/**
 * The text of a table cell: the words of `page` between `left` and `right` from the row's top down
 * to the next row's, line after line while the lines touch (a cell's lines are set solid; the next
 * paragraph after a table stands clear of it).
 */
function cell(words: readonly Word[], page: number, top: number, next: number, left: number, right: number): { text: string; lines: number; bottom: number } {
  const inside = words.filter((w) => w.page === page && w.yMin >= top - 1 && w.yMin < next - 1 && w.xMin >= left && w.xMax <= right);
  const kept: Word[][] = [];
  for (const line of linesOf(inside)) {
    const previous = kept[kept.length - 1];
    if (previous && line[0]!.yMin - Math.max(...previous.map((w) => w.yMax)) > 3) break;
    kept.push(line);
  }
  return { text: kept.map((line) => line.map((w) => w.text).join(" ")).join(" "), lines: kept.length, bottom: Math.max(0, ...kept.flat().map((w) => w.yMax)) };
}

/** The absurd name as a cell shows it: whole words of it (a link broken after a '/'), then "…", at most four lines. */
function expectCutAbsurd(shown: { text: string; lines: number }, end = ""): void {
  expect(shown.lines).toBeLessThanOrEqual(4);
  expect(shown.text.endsWith(`…${end}`), shown.text).toBe(true);
  const words = norm(ABSURD).split(" ");
  const link = words.find((w) => w.startsWith("https://"))!;
  const shownWords = norm(shown.text.slice(0, shown.text.length - end.length)).split(" ");
  for (const [i, w] of shownWords.entries()) {
    if (w === "…") continue;
    if (w.endsWith("…") && i === shownWords.length - 1) continue; // the last word may be cut; it is said so
    if (w.endsWith("…")) expect(words.some((whole) => whole.startsWith(w.slice(0, -1))), w).toBe(true); // a word too long for any line, cut
    else expect(words.includes(w) || (link.includes(w) && /[/?]$|^https:/.test(w)) || link.endsWith(w), w).toBe(true);
  }
}

describe.skipIf(!pdftotext)(pdftotext ? "report PDF tables" : "report PDF tables (skipped: pdftotext not found; apt-get install poppler-utils)", { timeout: 180_000 }, () => {
  const ctx = useTestDatabase("sqlite");
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-report-tables-"));
  const file = path.join(dir, "report.pdf");
  let units: { code: string; name: string }[];
  let words: Word[];
  let withheld: Set<string>;
  beforeAll(async () => {
    const seeded = await seedProvince(ctx.db(), ctx.prisma(), NOW, cityUnits(), (code, k) => code === "ZZ_HIDDEN" || (code !== "ZZ_ABSURD" && k % 7 === 3));
    units = seeded.units;
    withheld = new Set(seeded.withheld);
    const campaign = (await ctx.db().campaigns.get(seeded.campaignId))!;
    writeFileSync(file, await renderReportPdf(await reportModel(ctx.db(), campaign, NOW)));
    if (process.env.KEEP_REPORT_PDF) copyFileSync(file, path.join(process.env.KEEP_REPORT_PDF, "report-tables.pdf"));
    words = pdfWords(file);
  }, 180_000);

  test("participation table: each unit's name whole (words never split), its numbers on its first line, the header on every page", () => {
    const byCode = new Map(units.map((u, k) => [u.code, { ...u, submitted: withheld.has(u.code) ? 3 : 5 + (k % 2) }]));
    // The code column holds each code once, as a word of its own (the ranking writes "(P01)").
    const codes = words.filter((w) => byCode.has(w.text));
    expect(codes.map((w) => w.text).sort()).toEqual([...byCode.keys()].sort());
    const pages = [...new Set(codes.map((w) => w.page))];
    expect(pages.length).toBeGreaterThan(1); // the table runs over pages
    for (const page of pages) {
      const rows = codes.filter((w) => w.page === page).sort((a, b) => a.yMin - b.yMin);
      // The header row on every page, above its first row, its "Mã / Code" over the codes.
      const header = words.find((w) => w.page === page && w.text === "Mã" && Math.abs(w.xMin - rows[0]!.xMin) < 1);
      expect(header, `header on page ${page}`).toBeDefined();
      expect(header!.yMax).toBeLessThan(rows[0]!.yMin);
      let above = header!.yMax;
      for (const [i, code] of rows.entries()) {
        const unit = byCode.get(code.text)!;
        expect(code.yMin, `${code.text} below the row above`).toBeGreaterThan(above);
        const name = cell(words, page, code.yMin, rows[i + 1]?.yMin ?? code.yMin + 60, 39, code.xMin - 1);
        // The row ends where the next one starts, or (the page's last) where something is written at the left below its name.
        const next = rows[i + 1]?.yMin ?? Math.min(BODY_BOTTOM, ...words.filter((w) => w.page === page && w.yMin > name.bottom && w.xMin < code.xMin - 1).map((w) => w.yMin));
        if (unit.name === ABSURD) expectCutAbsurd(name); // (in its own column, the code stays whole)
        else expect(norm(name.text), code.text).toBe(norm(unit.name));
        // Sampled, submitted, in progress and rate on the code's line, whole; nothing of them below it.
        const rest = words.filter((w) => w.page === page && w.xMin > code.xMax && w.yMin > code.yMin - 1 && w.yMin < next - 1);
        const first = rest.filter((w) => Math.abs(w.yMin - code.yMin) < 1).map((w) => w.text);
        expect(first, code.text).toEqual(["6", String(unit.submitted), "0", `${((unit.submitted / 6) * 100).toFixed(1).replace(".", ",")}%`]);
        expect(rest.length, code.text).toBe(4);
        above = name.bottom;
      }
    }
  });

  test("ranking: each ranked unit's name and code whole, the absurd one cut after four lines keeping its code, numbers on the row's first line, the header on every page", () => {
    const ranked = units.filter((u) => !withheld.has(u.code));
    const found: string[] = [];
    // Ranking pages: those with the "Hạng / Rank" heading at the left of the page.
    const pages = [...new Set(words.filter((w) => w.text === "Rank" && w.xMin < 60).map((w) => w.page))];
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      const on = words.filter((w) => w.page === page);
      const rankHead = on.find((w) => w.text === "Rank" && w.xMin < 60)!;
      const unitHead = on.find((w) => w.text === "Đơn" && Math.abs(w.yMin - rankHead.yMin) < 10)!;
      const responsesHead = on.find((w) => w.text === "Responses" && w.yMin < rankHead.yMax + 20)!;
      const headBottom = cell(words, page, unitHead.yMin, Infinity, responsesHead.xMin - 1, Infinity).bottom;
      // The table ends where something other than a rank is written left of the unit column.
      const end = Math.min(BODY_BOTTOM, ...on.filter((w) => w.yMin > headBottom && w.xMin < unitHead.xMin - 1 && !/^\d+$/.test(w.text)).map((w) => w.yMin));
      const ranks = on.filter((w) => /^\d+$/.test(w.text) && w.xMax < unitHead.xMin && w.yMin > headBottom && w.yMin < end).sort((a, b) => a.yMin - b.yMin);
      expect(ranks.length, `rows on page ${page}`).toBeGreaterThan(0);
      let above = headBottom;
      for (const [i, rank] of ranks.entries()) {
        expect(rank.yMin).toBeGreaterThan(above);
        const next = ranks[i + 1]?.yMin ?? end;
        const name = cell(words, page, rank.yMin, next, unitHead.xMin - 1, responsesHead.xMin);
        const code = /\(([A-Z0-9_]+)\)$/.exec(name.text)?.[1];
        const unit = ranked.find((u) => u.code === code);
        expect(unit, name.text).toBeDefined();
        found.push(unit!.code);
        if (unit!.name === ABSURD) expectCutAbsurd(name, ` (${unit!.code})`);
        else expect(norm(name.text)).toBe(norm(`${unit!.name} (${unit!.code})`));
        // Every number of the row on its first line.
        const numbers = on.filter((w) => w.xMin >= responsesHead.xMin - 1 && w.yMin > rank.yMin - 1 && w.yMin < next - 1);
        expect(numbers.length).toBeGreaterThanOrEqual(8);
        for (const n of numbers) expect(Math.abs(n.yMin - rank.yMin), `${unit!.code}: ${n.text}`).toBeLessThan(1);
        above = name.bottom;
      }
    }
    expect(found.sort()).toEqual(ranked.map((u) => u.code).sort());
  });

  test("a withheld unit's absurd name is cut in the line that says why, the code and the reason kept, in four lines at most", () => {
    expect(withheld.has("ZZ_HIDDEN")).toBe(true);
    const end = words.findIndex((w) => w.text === "(ZZ_HIDDEN):");
    expect(end).toBeGreaterThan(0);
    const start = words.slice(0, end).findLastIndex((w) => w.text === "•");
    const line = words.slice(start, end + 1);
    expect(new Set(line.map((w) => w.yMin)).size).toBeLessThanOrEqual(4);
    expect(line[1]!.text).toBe("Ủy");
    expect(line.at(-2)!.text.endsWith("…")).toBe(true);
    expectCutAbsurd({ text: line.slice(1, -1).map((w) => w.text).join(" "), lines: 1 });
    expect(words.slice(end + 1, end + 6).map((w) => w.text).join(" ")).toBe("ẩn: chưa đủ 5 phiếu");
  });

  test("no word is split across lines and no two words overlap, on any page", () => {
    // A word split by a line break leaves pieces of a name's word that are not words of any name
    // (the absurd name's one word too long for any line and its link may be cut, said with "…", or broken after a '/').
    const nameWords = new Set(
      units
        .flatMap((u) => norm(u.name).split(" "))
        .filter((w) => w !== LONG_WORD && !w.startsWith("https://"))
        .flatMap((w) => [w, w.replace(/^[("']+|[)"',.:;]+$/g, "")]),
    );
    const pieces = words.filter((w) => w.text.length > 1 && !w.text.endsWith("…") && !/^[\d.,%()–-]+$/.test(w.text) && !nameWords.has(w.text) && [...nameWords].some((n) => n !== w.text && (n.startsWith(w.text) || n.endsWith(w.text))));
    expect(pieces.map((w) => `${w.page}: ${w.text}`)).toEqual([]);
    const overlaps: string[] = [];
    for (const page of new Set(words.map((w) => w.page))) {
      const on = words.filter((w) => w.page === page);
      for (const [i, a] of on.entries()) {
        for (const b of on.slice(i + 1)) {
          if (a.xMin < b.xMax - 0.5 && b.xMin < a.xMax - 0.5 && a.yMin < b.yMax - 0.5 && b.yMin < a.yMax - 0.5) overlaps.push(`${page}: ${a.text} / ${b.text}`);
        }
      }
    }
    expect(overlaps).toEqual([]);
  });
});
