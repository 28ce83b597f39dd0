import { expect, test } from "vitest";
import { hashAccount, RedemptionService } from "../../src/access/index.js";
import { CitizenService } from "../../src/citizens/index.js";
import { Secret } from "../../src/config/index.js";
import { accessRepository } from "../../src/db/access-repository.js";
import { citizensRepository } from "../../src/db/citizens-repository.js";
import { describeDatabases } from "../support/db.js";

const secret = new Secret("citizens-prisma-secret-0123456789abcdef0123");
const NOW = new Date("2026-03-10T02:00:00Z");

describeDatabases("citizens' Prisma repository", (ctx) => {
  async function seed(campaignId: string) {
    const prisma = ctx.prisma();
    const version = await prisma.questionnaireVersion.upsert({
      where: { questionnaireId_version: { questionnaireId: "sipas", version: 1 } },
      update: {},
      create: { questionnaireId: "sipas", version: 1, fileName: "s.yaml", source: "x", sourceHash: "h" },
    });
    await prisma.campaign.create({ data: { id: campaignId, name: campaignId, questionnaireVersionPk: version.pk, opensAt: new Date("2026-03-01T00:00:00Z"), closesAt: new Date("2026-06-01T00:00:00Z") } });
    return version.pk;
  }

  test("batch, redemption and completion: code spent, binding and session gone, account cleared from the response", async () => {
    const prisma = ctx.prisma();
    const pk = await seed("c1");
    const repository = citizensRepository(prisma);
    const service = new CitizenService({ repository, secret });
    const redemption = new RedemptionService({ repository: accessRepository(prisma), secret });
    const batch = await service.issueBatch({ campaignId: "c1", unitCode: "UB_BD", unitName: "UBND phường Ba Đình", service: "Chứng thực", count: 3, kind: "receipt", now: NOW });
    expect(await prisma.accessCode.count({ where: { batchId: batch.batchId, service: "Chứng thực", unitCode: "UB_BD" } })).toBe(3);
    const redeemed = await redemption.redeem({ input: batch.codes[0]!, account: "telegram:555", now: NOW });
    if (redeemed.kind !== "ok") throw new Error(redeemed.kind);
    await prisma.session.create({ data: { id: "s1", campaignId: "c1", channel: "telegram", account: "telegram:555", chatId: "555", accessCodeId: redeemed.codeId } });
    await prisma.response.create({ data: { id: "r1", campaignId: "c1", questionnaireVersionPk: pk, subjectUnit: "UB_BD", groupId: "citizens", status: "submitted", account: "telegram:555", accessCodeId: redeemed.codeId, submittedAt: NOW } });

    expect(await service.complete({ campaignId: "c1", unitCode: "UB_BD", account: "telegram:555", source: { kind: "code", codeId: redeemed.codeId }, responseId: "r1", sessionId: "s1", now: NOW })).toBe("completed");
    expect(await prisma.accessCode.findUnique({ where: { id: redeemed.codeId } })).toMatchObject({ status: "used", boundAccount: null, boundAt: null });
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.response.findUnique({ where: { id: "r1" } })).toMatchObject({ account: null, status: "submitted" });
    expect(await prisma.accessAttempt.count({ where: { account: hashAccount("telegram:555", secret), success: true } })).toBe(0);
    expect(await redemption.redeem({ input: batch.codes[0]!, account: "telegram:555", now: NOW })).toMatchObject({ kind: "spent" });
  });

  test("poster claims: one per account, unit and period, stored as a key only; refusals counted; burst audited once", async () => {
    const prisma = ctx.prisma();
    await seed("c2");
    const repository = citizensRepository(prisma);
    const service = new CitizenService({ repository, secret, burst: { responses: 2, windowMinutes: 10, cooldownMinutes: 60 } });
    const poster = await service.createPoster({ campaignId: "c2", unitCode: "UB_HK", unitName: "UBND phường Hoàn Kiếm", now: NOW });
    const pk = (await prisma.campaign.findUniqueOrThrow({ where: { id: "c2" } })).questionnaireVersionPk;
    for (const [i, account] of ["telegram:1", "telegram:2", "telegram:3"].entries()) {
      const scan = await service.scanPoster({ token: poster.token, account, now: NOW });
      if (scan.kind !== "ok") throw new Error(scan.kind);
      await prisma.response.create({ data: { campaignId: "c2", questionnaireVersionPk: pk, subjectUnit: "UB_HK", groupId: "citizens", status: "submitted", submittedAt: new Date(NOW.getTime() + i) } });
      expect(await service.complete({ campaignId: "c2", unitCode: "UB_HK", account, source: scan.source, responseId: null, sessionId: null, now: new Date(NOW.getTime() + i) })).toBe("completed");
    }
    expect(await service.scanPoster({ token: poster.token, account: "telegram:1", now: NOW })).toMatchObject({ kind: "already_answered" });
    expect(await prisma.poster.findUniqueOrThrow({ where: { id: poster.posterId } })).toMatchObject({ refused: 1 });
    const claims = await prisma.posterClaim.findMany();
    expect(claims).toHaveLength(3);
    expect(claims.every((c) => /^[0-9a-f]{64}$/.test(c.key))).toBe(true);
    const bursts = await prisma.auditEvent.findMany({ where: { kind: "citizens.poster_burst" } });
    expect(bursts.map((b) => JSON.parse(b.data))).toEqual([{ unit: "UB_HK", responses: 3, windowMinutes: 10, threshold: 2 }]);
    // A second completion with the same claim changes nothing.
    const again = await service.scanPoster({ token: poster.token, account: "telegram:9", now: NOW });
    if (again.kind !== "ok") throw new Error(again.kind);
    const request = { campaignId: "c2", unitCode: "UB_HK", account: "telegram:1", source: again.source, responseId: null, sessionId: null, now: NOW };
    expect(await service.complete(request)).toBe("already_answered");
    expect(await prisma.posterClaim.count()).toBe(3);
  });
});
