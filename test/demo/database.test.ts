import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { formatCode, hashCode, parseCode } from "../../src/access/index.js";
import { Secret, ENV_VARIABLES } from "../../src/config/index.js";
import { createPrismaClient } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/index.js";
import { DEMO_CODE, demoCodeFor } from "../../src/demo/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../channels/console/fixtures/preview.yaml", import.meta.url));
const CLOCK = "2026-12-01T02:05:00Z";
// One working directory for the whole file: each run finds what the previous one stored.
const cwd = mkdtempSync(path.join(tmpdir(), "khaosat-demo-db-"));
const { prisma, close } = createPrismaClient(parseDatabaseUrl(`file:${path.join(cwd, "data/khaosat.db")}`));
afterAll(close);

function start(lines: readonly string[]) {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ENV_VARIABLES) delete env[name];
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start", "--clock", CLOCK, "--questionnaire", FIXTURE], {
    cwd,
    env,
    input: lines.map((l) => `${l}\n`).join(""),
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout.split("\n");
}

async function responses() {
  const rows = await prisma.response.findMany({ include: { respondent: true, answers: { orderBy: { questionId: "asc" } } }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({
    respondent: r.respondent?.externalId,
    campaign: r.campaignId,
    source: r.source,
    status: r.status,
    unit: r.subjectUnit,
    submittedAt: r.submittedAt?.toISOString() ?? null,
    answers: r.answers.map((a) => [a.questionId, JSON.parse(a.value) as unknown]),
  }));
}

describe("npm start without a token stores the demo in ./data/khaosat.db", { timeout: 120_000 }, () => {
  test("first run: demo campaign, respondent and hashed code created; the submitted answers are rows", async () => {
    const out = start([DEMO_CODE, "có", "có", "1", "1", "1", "1", "1", "submit"]);
    expect(out).toContain("Mã khảo sát dùng thử: CCHC5-DEM26");
    // The closing advice leads somewhere useful: participation now, and why the export withholds rows (issue 11 item 6).
    expect(out.at(-2)).toMatch(/^Câu trả lời đã được lưu vào cơ sở dữ liệu \(chiến dịch demo\)\. Xem tình hình tham gia bằng: npx khaosat participation --campaign demo\. .*dưới \d+ phiếu.*bản chạy thử mới có 1 phiếu/);
    const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: "demo" }, include: { questionnaireVersion: true } });
    expect([campaign.questionnaireVersion.questionnaireId, campaign.questionnaireVersion.version]).toEqual(["console-preview", 2]);
    expect(campaign.questionnaireVersion.source).toBe(readFileSync(FIXTURE, "utf8"));
    expect(await responses()).toEqual([
      {
        respondent: "demo-1",
        campaign: "demo",
        source: "console",
        status: "submitted",
        unit: "SO_TP",
        submittedAt: "2026-12-01T02:05:00.000Z",
        answers: [
          ["q1", "yes"],
          ["q2", ["a"]],
          ["q3", 1],
          ["q4", 1],
          ["q5", "1"],
        ],
      },
    ]);
    // Only the keyed hash of the code is stored.
    const secret = new Secret(readFileSync(path.join(cwd, "data/code-secret"), "utf8").trim());
    const codes = await prisma.accessCode.findMany();
    expect(codes.map((c) => c.codeHash)).toEqual([hashCode(parseCode(DEMO_CODE), secret)]);
    expect(codes[0]?.boundAccount).not.toBeNull();
  });

  test("second run: the first demo respondent has submitted, so a new one with a new code starts; a third run resumes it", async () => {
    const secret = new Secret(readFileSync(path.join(cwd, "data/code-secret"), "utf8").trim());
    const code = formatCode(demoCodeFor(2, secret));
    expect(code).not.toBe(DEMO_CODE);
    const second = start([DEMO_CODE, code, "có", "có", "1", "thoát"]);
    expect(second[1]).toBe("Người trả lời thử trước đã hoàn tất phiếu, nên lần chạy này dùng người trả lời thử mới (số 2) với mã mới bên dưới.");
    expect(second).toContain(`Mã khảo sát dùng thử: ${code}`);
    // A new demo respondent has a name of their own, so the identity question tells them apart.
    expect(second.join("\n")).toContain("Trần Thị Bình");
    // The first code is this terminal's own, already submitted: said so, with when (issue 11 item 4).
    expect(second).toContain("Phiếu này đã được gửi từ tài khoản này lúc 09:05 ngày 01/12/2026. Xin cảm ơn Ông/Bà; không cần làm gì thêm.");
    // Quit says the answers are kept and until when (issue 11 item 2).
    expect(second.find((l) => l.startsWith("Đã tạm dừng."))).toMatch(/đã được lưu.*đến 17:00 ngày 31\/12\/2026/);
    // The third run resumes without the code: welcome back at the question where it stopped.
    const third = start(["1", "1", "1", "1", "gửi"]);
    expect(third[1]).not.toMatch(/^Người trả lời thử trước/);
    expect(third).toContain(`Mã khảo sát dùng thử: ${code}`);
    expect(third).toContain("Chào mừng Ông/Bà quay lại! Ông/Bà đã dừng ở câu 2/5; các câu trả lời trước đã được lưu.");
    const rows = await responses();
    expect(rows.map((r) => [r.respondent, r.status, r.answers.length])).toEqual([
      ["demo-1", "submitted", 5],
      ["demo-2", "submitted", 5],
    ]);
    expect(await prisma.campaign.count()).toBe(1);
  });

  test("a demo respondent who declines the attestation is followed by a new one, and the demo says they declined (not 'finished')", async () => {
    const secret = new Secret(readFileSync(path.join(cwd, "data/code-secret"), "utf8").trim());
    const code3 = formatCode(demoCodeFor(3, secret));
    const declined = start([code3, "có", "không"]);
    expect(declined[1]).toBe("Người trả lời thử trước đã hoàn tất phiếu, nên lần chạy này dùng người trả lời thử mới (số 3) với mã mới bên dưới.");
    expect(declined.join("\n")).toContain("Lê Văn Cường");
    const code4 = formatCode(demoCodeFor(4, secret));
    const next = start([code4, "thoát"]);
    expect(next[1]).toBe("Người trả lời thử trước đã từ chối (không xác nhận danh tính hoặc không cam kết tự trả lời), nên lần chạy này dùng người trả lời thử mới (số 4) với mã mới bên dưới.");
    expect(next).toContain(`Mã khảo sát dùng thử: ${code4}`);
    expect(next.join("\n")).toContain("Phạm Thị Dung");
    const rows = await responses();
    expect(rows.filter((r) => r.respondent === "demo-3").map((r) => [r.status, r.answers.length])).toEqual([["declined", 0]]);
  });
});
