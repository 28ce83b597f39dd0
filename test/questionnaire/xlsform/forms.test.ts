// The realistic Vietnamese forms (test/fixtures/xlsform/forms.ts) end to end: through the khaosat
// command (validate, preview with scripted answers, import, export) and into a campaign.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { campaignQuestionnaire, createCampaign } from "../../../src/campaigns/index.js";
import { parseQuestionnaire } from "../../../src/questionnaire/index.js";
import { importXlsformFile } from "../../../src/questionnaire/xlsform/index.js";
import { PAR_FORM, SIPAS_FORM } from "../../fixtures/xlsform/forms.js";
import { describeDatabases } from "../../support/db.js";
import { comparable, writeWorkbook } from "./support.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLOCK = "2026-12-01T02:05:00Z";

function khaosat(args: readonly string[], input = "") {
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), ...args], { cwd: ROOT, input, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let sipas = "";
let par = "";
beforeAll(async () => {
  sipas = await writeWorkbook(SIPAS_FORM, "sipas.xlsx");
  par = await writeWorkbook(PAR_FORM, "par.xlsx");
});

describe("SIPAS form (label::Vietnamese (vi) / label::English (en))", () => {
  test("questionnaire validate accepts the workbook and names what it ignores", () => {
    const { status, stdout, stderr } = khaosat(["questionnaire", "validate", sipas]);
    expect(stdout).toBe(`${sipas}: ok: sipas-mot-cua v2026120101, 12 questions in 5 sections, languages vi, en, satisfaction scoring: 6 scale questions, unit index from question hai_long_chung\n`);
    expect(stderr.split("\n").filter((l) => l !== "")).toEqual([
      `${sipas}: settings row 2, column instance_name: warning: instance_name is ignored: it has no meaning in a chat survey`,
      `${sipas}: settings row 2, column form_id: warning: form_id "sipas_mot_cua" is read as "sipas-mot-cua": khaosat questionnaire ids use only a-z, 0-9 and -`,
      `${sipas}: survey, column constraint_message::Vietnamese (vi): warning: ignored (rows 5): the bot says in the respondent's language what answer it expects`,
      `${sipas}: survey, column appearance: warning: ignored (rows 4): a chat survey has one look for each question type`,
    ]);
    expect(status).toBe(0);
  });

  test("preview runs the form in the terminal with scripted answers: conditions, scale labels, 'cannot judge', the note", () => {
    const script = ["1", "1", "45", "4", "na", "5", "4", "1,4", "Phải photo nhiều bản", "3", "Cần thêm ghế chờ", "submit"];
    const { status, stdout, stderr } = khaosat(["preview", sipas, "--clock", CLOCK], script.map((l) => `${l}\n`).join(""));
    expect(stderr).toContain("Xem thử sipas-mot-cua phiên bản 2026120101 (vi); không lưu gì.");
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    for (const line of [
      "Phiếu khảo sát sự hài lòng của người dân đối với dịch vụ hành chính công. Ý kiến của Ông/Bà được giữ bí mật.",
      "  1. Đã đọc, tiếp tục",
      "── Tiếp cận dịch vụ ──",
      "  3 = Bình thường",
      "     → Không đánh giá được",
      "     → Phải chờ lâu; Vấn đề khác",
      "     → Cần thêm ghế chờ",
      "Đã trả lời 11/11 câu.",
    ]) {
      expect(lines).toContain(line);
    }
    // Submitted in person, so the online-portal question (relevant: ${kenh} = 'truc_tuyen') never showed.
    expect(stdout).not.toContain("Cổng dịch vụ công trực tuyến");
    expect(lines[lines.length - 1] || lines[lines.length - 2]).toMatch(/^Xin trân trọng cảm ơn Ông\/Bà! Phiếu khảo sát đã được gửi lúc 09:05/);
  });

  test("preview --lang en shows the English labels", () => {
    const { status, stdout } = khaosat(["preview", sipas, "--lang", "en", "--clock", CLOCK], "1\nquit\n");
    expect(status).toBe(0);
    expect(stdout).toContain("Survey of citizens' satisfaction with public administrative services.");
    expect(stdout).toContain("I have read this, continue");
    expect(stdout).toContain("In person at the one-stop desk");
  });
});

describe("PAR form (nested groups, scores, weights, respondent groups)", () => {
  test("preview: nested group titles joined, count-selected condition, acknowledge step", () => {
    const script = ["1", "1", "5", "2", "1", "skip", "skip", "submit"];
    const { status, stdout } = khaosat(["preview", par, "--clock", CLOCK], script.map((l) => `${l}\n`).join(""));
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    expect(lines).toContain("── Công tác chỉ đạo, điều hành CCHC › Kế hoạch CCHC ──");
    expect(lines).toContain("── Công tác chỉ đạo, điều hành CCHC › Tuyên truyền CCHC ──");
    expect(lines).toContain("     → Không đánh giá được");
    // No area chosen, so "simplified in the chosen areas?" (count-selected(...) >= 1) is skipped.
    expect(stdout).not.toContain("Thủ tục trong lĩnh vực đã chọn đã được đơn giản hoá?");
    expect(stdout).toMatch(/Phiếu khảo sát đã được gửi lúc 09:05/);
  });

  test("import writes YAML that loads as the same questionnaire, and export → import gives it back", () => {
    const dir = path.dirname(par);
    const yaml = path.join(dir, "par.yaml");
    const imported = khaosat(["questionnaire", "import", par, "--out", yaml]);
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toBe(`${yaml}: written: par-index-2026 v3, 8 questions in 5 sections, languages vi, points scoring: 5 scored questions, surveyMax 7, appraisalMax 93\n`);
    expect(imported.status).toBe(0);
    const fromYaml = parseQuestionnaire(readFileSync(yaml), "par.yaml");
    expect(fromYaml.ok).toBe(true);

    const again = khaosat(["questionnaire", "import", par, "--out", yaml]);
    expect(again).toMatchObject({ status: 1, stderr: `khaosat: ${yaml} already exists; choose another --out or add --force to overwrite it\n` });

    const xlsx = path.join(dir, "par-exported.xlsx");
    const exported = khaosat(["questionnaire", "export", yaml, "--out", xlsx]);
    expect(exported.status).toBe(0);
    expect(existsSync(xlsx)).toBe(true);
    return importXlsformFile(xlsx).then((back) => {
      if (!back.ok || !fromYaml.ok) throw new Error("export did not import");
      expect(comparable(back.questionnaire.definition)).toEqual(comparable(fromYaml.questionnaire.definition));
    });
  });

  test("a refused form prints every problem and writes nothing", async () => {
    const broken = await writeWorkbook({ ...PAR_FORM, survey: [...(PAR_FORM.survey ?? []), ["geopoint", "vi_tri", "Vị trí"], ["text", "x", "X", null, "no", "${vi_tri} = 'a' or ${khong_co} = 1"]] }, "broken.xlsx");
    const out = path.join(path.dirname(broken), "broken.yaml");
    const { status, stderr } = khaosat(["questionnaire", "import", broken, "--out", out]);
    expect(status).toBe(1);
    expect(stderr.split("\n").filter((l) => l !== "")).toEqual([
      `${broken}: survey row 18, column type: geopoint: locations are not collected in a chat survey`,
      `${broken}: survey row 19, column relevant: the condition refers to "vi_tri", which is not a question of this questionnaire`,
      `${broken}: survey row 19, column relevant: the condition refers to "khong_co", which is not a question of this questionnaire`,
      `${broken}: 3 errors; nothing written`,
    ]);
    expect(existsSync(out)).toBe(false);
  });
});

describeDatabases("campaign create --questionnaire form.xlsx", (ctx) => {
  test("stores the converted questionnaire; the same workbook again reuses it", async () => {
    const base = { questionnaireFile: par, name: "CCHC 2026", opens: "2026-12-01T08:00", closes: "2026-12-31" };
    const created = await createCampaign(ctx.db().campaigns, base);
    expect(created.questionnaire.id).toBe("par-index-2026");
    const versions = await ctx.prisma().questionnaireVersion.findMany();
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ questionnaireId: "par-index-2026", version: 3, fileName: "par.xlsx" });
    expect(versions[0]!.source).toMatch(/^schemaVersion: 1\nid: par-index-2026\n/);
    const stored = await campaignQuestionnaire(ctx.db().campaigns, created.campaign);
    expect(comparable(stored.definition)).toEqual(comparable(created.questionnaire.definition));
    const again = await createCampaign(ctx.db().campaigns, { ...base, name: "CCHC 2026 (đợt 2)" });
    expect(again.questionnaireReused).toBe(true);
  });
});
