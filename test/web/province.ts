// A province-sized campaign for the charts and the report: 84 units with long Vietnamese names
// (districts' people's committees, departments, communes), six sampled respondents each, most with
// enough responses to be ranked, a few withheld under minResponses, and appraisal points that put
// some units' survey rank far below their appraisal rank.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createCampaign, importCampaignResponses } from "../../src/campaigns/index.js";
import type { Database } from "../../src/db/index.js";
import type { Prisma } from "../../src/db/client.js";
import { importRespondentsFile } from "../../src/respondents/index.js";
import { mulberry32 } from "../support/random.js";
import { RESPONSES_HEADER, responseRow } from "./fixture.js";

const DISTRICTS = ["Hoằng Hóa", "Quảng Xương", "Thọ Xuân", "Triệu Sơn", "Nông Cống", "Tĩnh Gia", "Hậu Lộc", "Nga Sơn", "Hà Trung", "Vĩnh Lộc", "Yên Định", "Thiệu Hóa", "Đông Sơn", "Cẩm Thủy", "Thạch Thành", "Ngọc Lặc", "Lang Chánh", "Bá Thước", "Quan Hóa", "Quan Sơn", "Mường Lát", "Như Xuân", "Như Thanh", "Thường Xuân"];
const DEPARTMENTS = ["Sở Tư pháp", "Sở Tài chính", "Sở Nội vụ", "Sở Y tế", "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường", "Sở Lao động – Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giáo dục và Đào tạo", "Sở Giao thông vận tải", "Sở Xây dựng", "Sở Công Thương", "Sở Thông tin và Truyền thông", "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Ban Quản lý Khu kinh tế Nghi Sơn và các khu công nghiệp"];

/** The units: 24 districts' people's committees, 16 departments, 44 communes. */
export function provinceUnits(): { code: string; name: string }[] {
  const units = [
    ...DISTRICTS.map((d, i) => ({ code: `H${String(i + 1).padStart(2, "0")}`, name: `Ủy ban nhân dân huyện ${d}` })),
    ...DEPARTMENTS.map((d, i) => ({ code: `S${String(i + 1).padStart(2, "0")}`, name: d })),
  ];
  for (let i = 0; i < 44; i++) units.push({ code: `X${String(i + 1).padStart(2, "0")}`, name: `UBND xã ${DISTRICTS[i % DISTRICTS.length]} ${i + 1}` });
  return units;
}

export const PROVINCE_PER_UNIT = 6;

/** Seeds the province campaign (respondents, responses linked to them, appraisal) and returns its id and units (by default `provinceUnits()`). */
export async function seedProvince(
  db: Database,
  prisma: Prisma,
  now: Date,
  units: { code: string; name: string }[] = provinceUnits(),
  /** Units with too few responses to be shown (by default every seventh). */
  few: (code: string, k: number) => boolean = (_code, k) => k % 7 === 3,
): Promise<{ campaignId: string; units: { code: string; name: string }[]; withheld: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-province-"));
  const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "Chỉ số CCHC tỉnh 2026", opens: "2026-12-01T08:00", closes: "2026-12-10" });
  const lines = ["external_id,full_name,unit,unit_name,group,language"];
  for (const u of units) for (let i = 1; i <= PROVINCE_PER_UNIT; i++) lines.push(`${u.code}-${i},"Người ${u.code} ${i}",${u.code},"${u.name.replaceAll('"', '""')}",${i <= 2 ? "leaders" : "officials"},vi`);
  const file = path.join(dir, "respondents.csv");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const imported = await importRespondentsFile(db, campaign.id, file, {});
  if (!imported.imported) throw new Error(`province respondents: ${JSON.stringify(imported.errors)}`);
  const random = mulberry32(63);
  const rows = [RESPONSES_HEADER];
  const submitted = new Map<string, number>();
  const withheld: string[] = [];
  units.forEach((u, k) => {
    // Every seventh unit (by default) has too few responses to be shown (withheld under minResponses = 5).
    const n = few(u.code, k) ? 3 : 5 + (k % 2);
    if (n < 5) withheld.push(u.code);
    submitted.set(u.code, n);
    const quality = 0.2 + ((k * 37) % 70) / 100;
    for (let i = 1; i <= n; i++) rows.push(responseRow(`R-${u.code}-${i}`, u.code, i <= 2 ? "leaders" : "officials", 1 + ((i + k) % 4), quality, random));
  });
  const responses = await importCampaignResponses(db, campaign, new TextEncoder().encode(`${rows.join("\n")}\n`), { now });
  if (!responses.imported) throw new Error(`province responses: ${JSON.stringify([...responses.errors, ...responses.rejected])}`);
  const respondents = new Map((await db.respondents.list(campaign.id)).map((r) => [r.externalId, r.id]));
  for (const u of units) {
    for (let i = 1; i <= submitted.get(u.code)!; i++) {
      await prisma.response.update({ where: { campaignId_externalId: { campaignId: campaign.id, externalId: `R-${u.code}-${i}` } }, data: { respondentId: respondents.get(`${u.code}-${i}`)!, source: i % 2 === 0 ? "zalo" : "telegram" } });
    }
  }
  // Appraisal points: mostly in the opposite order of the survey's quality, so that gaps are called out.
  await db.web.setAppraisal(campaign.id, new Map(units.map((u, k) => [u.code, 40 + ((k * 53) % 29)])));
  return { campaignId: campaign.id, units, withheld };
}
