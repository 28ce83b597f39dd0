import { describe, expect, test } from "vitest";
import { hashAccount, MemoryAccessRepository, RedemptionService } from "../../src/access/index.js";
import { CitizenService, MemoryCitizensRepository, parsePosterPayload, posterDeepLink, posterPeriod, posterStartPayload } from "../../src/citizens/index.js";
import { Secret } from "../../src/config/index.js";

const secret = new Secret("citizens-service-secret-0123456789abcdef0123");
const OPENS = new Date("2026-03-01T00:00:00Z");
const NOW = new Date("2026-03-10T02:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function setup(burst?: { responses: number; windowMinutes: number; cooldownMinutes: number }) {
  const access = new MemoryAccessRepository();
  access.setCampaign({ id: "sipas", opensAt: OPENS, closesAt: new Date("2026-06-01T00:00:00Z"), closedAt: null });
  const repository = new MemoryCitizensRepository(access);
  repository.setUnit("sipas", "UB_BD", "UBND phường Ba Đình");
  const service = new CitizenService({ repository, secret, ...(burst ? { burst } : {}) });
  const redemption = new RedemptionService({ repository: access, secret });
  return { access, repository, service, redemption };
}

describe("poster payloads", () => {
  test.each([
    ["KP_ABCDEFGHJKMNPQRSTUVW", { kind: "poster", token: "ABCDEFGHJKMNPQRSTUVW" }],
    ["kp_abcdefghjkmnpqrstuvw", { kind: "poster", token: "ABCDEFGHJKMNPQRSTUVW" }],
    ["KP_ABCDEFGHJKMNPQRSTUV", { kind: "malformed" }],
    ["KP_ABCDEFGHJKMNPQRSTUV0", { kind: "malformed" }],
    [`KP_${"A".repeat(70)}`, { kind: "malformed" }],
    ["KP_", { kind: "malformed" }],
    ["KS_ABCDEFGHJK", { kind: "not_poster" }],
    ["", { kind: "not_poster" }],
  ])("%s", (payload, expected) => {
    expect(parsePosterPayload(payload)).toEqual(expected);
  });

  test("the deep link carries KP_ and the token", () => {
    expect(posterStartPayload("ABCDEFGHJKMNPQRSTUVW")).toBe("KP_ABCDEFGHJKMNPQRSTUVW");
    expect(posterDeepLink("@khaosat_bot", "ABCDEFGHJKMNPQRSTUVW")).toBe("https://t.me/khaosat_bot?start=KP_ABCDEFGHJKMNPQRSTUVW");
    expect(() => posterDeepLink("x", "ABCDEFGHJKMNPQRSTUVW")).toThrow(/not a Telegram bot username/);
  });

  test.each([
    ["2026-03-01T00:00:00Z", 0, "2026-03-31T00:00:00.000Z"],
    ["2026-03-30T23:59:59Z", 0, "2026-03-31T00:00:00.000Z"],
    ["2026-03-31T00:00:00Z", 1, "2026-04-30T00:00:00.000Z"],
    ["2026-02-01T00:00:00Z", 0, "2026-03-31T00:00:00.000Z"],
  ])("period of %s is %i", (at, index, endsAt) => {
    const period = posterPeriod(new Date(at), OPENS, 30);
    expect({ index: period.index, endsAt: period.endsAt.toISOString() }).toEqual({ index, endsAt });
  });
});

describe("anonymous batch codes", () => {
  test("a batch code works once: after submission it is spent, its binding and the account's successful entries are gone", async () => {
    const { access, repository, service, redemption } = setup();
    const { codes, batchId } = await service.issueBatch({ campaignId: "sipas", unitCode: "UB_BD", service: "Đăng ký kết hôn", count: 2, kind: "a4", now: NOW });
    expect(repository.batches).toEqual([{ campaignId: "sipas", unitCode: "UB_BD", service: "Đăng ký kết hôn", kind: "a4", createdAt: NOW, id: batchId, count: 2 }]);
    const code = codes[0]!;
    const first = await redemption.redeem({ input: code.toLowerCase(), account: "telegram:42", now: NOW });
    expect(first).toMatchObject({ kind: "ok", subject: { kind: "anonymous", batchId, unitCode: "UB_BD" }, firstUse: true });
    if (first.kind !== "ok") throw new Error("not ok");
    // Coming back before submitting resumes.
    expect(await redemption.redeem({ input: code, account: "telegram:42", now: minutes(1) })).toMatchObject({ kind: "ok", firstUse: false });

    const done = await service.complete({ campaignId: "sipas", unitCode: "UB_BD", account: "telegram:42", source: { kind: "code", codeId: first.codeId }, responseId: "r1", sessionId: "s1", now: minutes(3) });
    expect(done).toBe("completed");
    const stored = access.codes.find((c) => c.id === first.codeId)!;
    expect(stored).toMatchObject({ status: "used", boundAccountKey: null });
    expect(access.attempts.filter((a) => a.accountKey === hashAccount("telegram:42", secret))).toEqual([]);

    expect(await redemption.redeem({ input: code, account: "telegram:42", now: minutes(5) })).toEqual({ kind: "spent", attemptsLeft: 4 });
    expect(await redemption.redeem({ input: code, account: "telegram:77", now: minutes(5) })).toEqual({ kind: "spent", attemptsLeft: 4 });
    // The other code of the batch is untouched.
    expect(await redemption.redeem({ input: codes[1]!, account: "telegram:77", now: minutes(6) })).toMatchObject({ kind: "ok", firstUse: true });
  });
});

describe("posters", () => {
  async function poster(setupResult: ReturnType<typeof setup>, periodDays?: number) {
    return setupResult.service.createPoster({ campaignId: "sipas", unitCode: "UB_BD", now: NOW, ...(periodDays ? { periodDays } : {}) });
  }

  test("the same account scanning twice in a day is refused politely and counted; another account is not", async () => {
    const s = setup();
    const { token, posterId } = await poster(s);
    const scan = await s.service.scanPoster({ token, account: "telegram:1", now: NOW });
    expect(scan).toMatchObject({ kind: "ok", posterId, campaignId: "sipas", unitCode: "UB_BD" });
    if (scan.kind !== "ok") throw new Error("not ok");
    expect(await s.service.complete({ campaignId: "sipas", unitCode: "UB_BD", account: "telegram:1", source: scan.source, responseId: null, sessionId: null, now: minutes(2) })).toBe("completed");

    expect(await s.service.scanPoster({ token, account: "telegram:1", now: minutes(60) })).toEqual({
      kind: "already_answered",
      campaignId: "sipas",
      nextPeriodAt: new Date("2026-03-31T00:00:00Z"),
    });
    expect(await s.service.scanPoster({ token, account: "telegram:1", now: minutes(61) })).toMatchObject({ kind: "already_answered" });
    expect(s.repository.posters[0]!.refused).toBe(2);
    expect(await s.service.scanPoster({ token, account: "telegram:2", now: minutes(62) })).toMatchObject({ kind: "ok" });
    // The next period lets the same account answer again.
    expect(await s.service.scanPoster({ token, account: "telegram:1", now: new Date("2026-03-31T00:00:00Z") })).toMatchObject({ kind: "ok" });
  });

  test("the claim holds no account: only an HMAC key and when it expires", async () => {
    const s = setup();
    const { token } = await poster(s, 7);
    const scan = await s.service.scanPoster({ token, account: "telegram:123456789", now: NOW });
    if (scan.kind !== "ok") throw new Error("not ok");
    await s.service.complete({ campaignId: "sipas", unitCode: "UB_BD", account: "telegram:123456789", source: scan.source, responseId: null, sessionId: null, now: NOW });
    const [key, expires] = [...s.repository.claims.entries()][0]!;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(expires).toEqual(new Date("2026-03-15T00:00:00Z"));
    expect(JSON.stringify([...s.repository.claims, s.repository.submissions, s.repository.audit])).not.toContain("123456789");
  });

  test("two submissions racing through one scan: the second is refused", async () => {
    const s = setup();
    const { token } = await poster(s);
    const scan = await s.service.scanPoster({ token, account: "telegram:1", now: NOW });
    if (scan.kind !== "ok") throw new Error("not ok");
    const request = { campaignId: "sipas", unitCode: "UB_BD", account: "telegram:1", source: scan.source, responseId: null, sessionId: null, now: NOW };
    expect(await Promise.all([s.service.complete(request), s.service.complete(request)])).toEqual(["completed", "already_answered"]);
  });

  test("1,000 fresh accounts within a minute: all accepted, one burst event for the unit", async () => {
    const s = setup({ responses: 30, windowMinutes: 10, cooldownMinutes: 60 });
    const { token } = await poster(s);
    for (let i = 0; i < 1000; i++) {
      const at = new Date(NOW.getTime() + i * 60);
      const scan = await s.service.scanPoster({ token, account: `telegram:${100000 + i}`, now: at });
      if (scan.kind !== "ok") throw new Error(`scan ${i}: ${scan.kind}`);
      expect(await s.service.complete({ campaignId: "sipas", unitCode: "UB_BD", account: `telegram:${100000 + i}`, source: scan.source, responseId: null, sessionId: null, now: at })).toBe("completed");
    }
    expect(s.repository.submissions).toHaveLength(1000);
    const bursts = s.repository.audit.filter((e) => e.kind === "citizens.poster_burst");
    expect(bursts).toEqual([
      { kind: "citizens.poster_burst", at: new Date(NOW.getTime() + 30 * 60), campaignId: "sipas", actor: null, data: { unit: "UB_BD", responses: 31, windowMinutes: 10, threshold: 30 } },
    ]);
  });

  test("unknown, withdrawn, not yet open and closed", async () => {
    const s = setup();
    const { token } = await poster(s);
    expect(await s.service.scanPoster({ token: "ABCDEFGHJKMNPQRSTUVW", account: "telegram:1", now: NOW })).toEqual({ kind: "unknown_poster" });
    expect(await s.service.scanPoster({ token, account: "telegram:1", now: new Date("2026-02-01T00:00:00Z") })).toEqual({ kind: "campaign_not_open", campaignId: "sipas", opensAt: OPENS });
    expect(await s.service.scanPoster({ token, account: "telegram:1", now: new Date("2026-07-01T00:00:00Z") })).toEqual({
      kind: "campaign_closed",
      campaignId: "sipas",
      closedAt: new Date("2026-06-01T00:00:00Z"),
    });
    s.repository.posters[0]!.revokedAt = NOW;
    expect(await s.service.scanPoster({ token, account: "telegram:1", now: NOW })).toEqual({ kind: "withdrawn" });
  });
});
