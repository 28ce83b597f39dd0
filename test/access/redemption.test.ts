import { beforeEach, describe, expect, test } from "vitest";
import { loadConfig, Secret } from "../../src/config/index.js";
import {
  hashAccount,
  hashCode,
  issueCodes,
  MemoryAccessRepository,
  RedemptionService,
  reissueCode,
  revokeCodes,
  type RedemptionResult,
} from "../../src/access/index.js";

const secret = new Secret("test-secret-".repeat(4));
const T0 = new Date("2025-03-10T02:00:00Z");
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);
// Deterministic codes: each call hands out the next byte pattern.
let seed = 0;
const random = (size: number) => Uint8Array.from({ length: size }, (_, i) => (seed * 7 + i * 13 + 1) % 248);

let repo: MemoryAccessRepository;
let codes: Map<string, string>;

async function setup(): Promise<void> {
  repo = new MemoryAccessRepository();
  repo.setCampaign({ id: "c1", opensAt: at(-60), closesAt: at(60 * 24 * 30), closedAt: null });
  repo.setCampaign({ id: "closed", opensAt: at(-600), closesAt: at(-60), closedAt: null });
  repo.setCampaign({ id: "later", opensAt: at(60), closesAt: at(600), closedAt: null });
  codes = new Map();
  for (const [campaignId, ids] of [
    ["c1", ["r1", "r2", "r3"]],
    ["closed", ["r9"]],
    ["later", ["r8"]],
  ] as const) {
    const issued = await issueCodes({
      repository: repo,
      secret,
      campaignId,
      respondents: ids.map((id) => ({ id, unitCode: "SO_TP" })),
      now: at(-1),
      random: (n) => {
        seed++;
        return random(n);
      },
    });
    for (const i of issued) codes.set(i.respondentId, i.code);
  }
}

const codeOf = (respondentId: string) => codes.get(respondentId) ?? "";
const service = (options: { allowDelegation?: boolean } = {}) => new RedemptionService({ repository: repo, secret, ...options });
const ALICE = "telegram:1001";
const BOB = "telegram:2002";

beforeEach(setup);

describe("redeem: outcomes", () => {
  test("first use binds the code; the same account may come back any number of times", async () => {
    const s = service();
    const first = await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) });
    expect(first).toEqual({
      kind: "ok",
      codeId: "code-1",
      campaignId: "c1",
      subject: { kind: "respondent", respondentId: "r1" },
      firstUse: true,
      delegation: false,
    });
    for (const minute of [1, 60, 60 * 24]) {
      const again = await s.redeem({ input: codeOf("r1").toLowerCase(), account: ALICE, now: at(minute) });
      expect(again).toMatchObject({ kind: "ok", firstUse: false, delegation: false });
    }
    const stored = repo.codes.find((c) => c.id === "code-1");
    expect(stored).toMatchObject({ boundAccountKey: hashAccount(ALICE, secret), boundAt: at(0), status: "active" });
  });

  test("another account presenting a bound code is refused and audited", async () => {
    const s = service();
    await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) });
    const result = await s.redeem({ input: codeOf("r1"), account: BOB, now: at(5) });
    expect(result).toEqual({ kind: "bound_to_other", attemptsLeft: 4 });
    expect(repo.audit).toEqual([
      expect.objectContaining({ kind: "access.codes_issued" }),
      expect.objectContaining({ kind: "access.codes_issued" }),
      expect.objectContaining({ kind: "access.codes_issued" }),
      {
        kind: "access.bound_to_other",
        at: at(5),
        campaignId: "c1",
        actor: hashAccount(BOB, secret),
        data: { codeId: "code-1", respondentId: "r1", batchId: null, boundAt: at(0).toISOString() },
      },
    ]);
    expect(repo.codes.find((c) => c.id === "code-1")?.boundAccountKey).toBe(hashAccount(ALICE, secret));
  });

  test("a second respondent's code on the same account: refused unless delegation is allowed", async () => {
    const s = service();
    await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) });
    expect(await s.redeem({ input: codeOf("r2"), account: ALICE, now: at(1) })).toEqual({ kind: "delegation_refused", attemptsLeft: 4 });
    expect(repo.audit.at(-1)).toMatchObject({ kind: "access.delegation_refused", data: { respondentId: "r2", otherRespondents: 1 } });
    expect(repo.codes.find((c) => c.respondentId === "r2")?.boundAccountKey).toBeNull();
  });

  test("delegation allowed by configuration: bound, flagged and audited, also on return visits", async () => {
    const s = service({ allowDelegation: true });
    expect(await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) })).toMatchObject({ kind: "ok", delegation: false });
    const second = await s.redeem({ input: codeOf("r2"), account: ALICE, now: at(1) });
    expect(second).toMatchObject({ kind: "ok", firstUse: true, delegation: true, subject: { kind: "respondent", respondentId: "r2" } });
    expect(repo.audit.at(-1)).toMatchObject({ kind: "access.delegation", campaignId: "c1", data: { respondentId: "r2", otherRespondents: 1 } });
    expect(await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(2) })).toMatchObject({ kind: "ok", firstUse: false, delegation: true });
  });

  test("a revoked code is refused distinctly; the reissued code works", async () => {
    const s = service();
    const old = codeOf("r3");
    expect(await revokeCodes({ repository: repo, campaignId: "c1", respondentId: "r3", now: at(0), actor: "cli" })).toBe(1);
    expect(await s.redeem({ input: old, account: ALICE, now: at(1) })).toEqual({ kind: "revoked", attemptsLeft: 4 });
    const fresh = await reissueCode({ repository: repo, secret, campaignId: "c1", respondent: { id: "r3", unitCode: "SO_TP" }, now: at(2) });
    expect(fresh.code).not.toBe(old);
    expect(await s.redeem({ input: fresh.code, account: ALICE, now: at(3) })).toMatchObject({ kind: "ok", firstUse: true });
  });

  test("campaign window: closed and not yet open, without binding or counting a failure", async () => {
    const s = service();
    expect(await s.redeem({ input: codeOf("r9"), account: ALICE, now: at(0) })).toEqual({ kind: "campaign_closed", campaignId: "closed", closedAt: at(-60) });
    expect(await s.redeem({ input: codeOf("r8"), account: ALICE, now: at(0) })).toEqual({ kind: "campaign_not_open", campaignId: "later", opensAt: at(60) });
    repo.setCampaign({ id: "c1", opensAt: at(-60), closesAt: at(600), closedAt: at(-1) });
    expect(await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) })).toEqual({ kind: "campaign_closed", campaignId: "c1", closedAt: at(-1) });
    expect(repo.codes.every((c) => c.boundAccountKey === null)).toBe(true);
    expect(repo.attempts.filter((a) => !a.success)).toEqual([]);
  });

  test("malformed input is explained and not counted", async () => {
    const result = await service().redeem({ input: "ABCD0-FGHJK", account: ALICE, now: at(0) });
    expect(result).toEqual({ kind: "invalid_format", problem: { kind: "bad_character", character: "0", position: 5, lookalike: "zero_o" } });
    expect(repo.attempts).toEqual([]);
  });

  test("nothing stored holds the plain code or the account id", async () => {
    const s = service();
    await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) });
    await s.redeem({ input: codeOf("r1"), account: BOB, now: at(1) });
    await s.redeem({ input: "ZZZZZ-ZZZZZ", account: BOB, now: at(2) });
    const everything = JSON.stringify([repo.codes, repo.attempts, repo.audit]);
    for (const code of codes.values()) expect(everything).not.toContain(code);
    expect(everything).not.toContain("1001");
    expect(everything).not.toContain("2002");
    expect(repo.codes.find((c) => c.respondentId === "r1")?.codeHash).toBe(hashCode(codeOf("r1"), secret));
  });
});

describe("redeem: limits on failures (injected clock)", () => {
  const wrong = (i: number) => `ZZZZZ-ZZZ${"23456789AB"[i]}${"Z"}`;

  test("5 failures within an hour lock the account for an hour, with the remaining wait", async () => {
    const s = service();
    const results: RedemptionResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await s.redeem({ input: wrong(i), account: BOB, now: at(i * 10) }));
    expect(results.map((r) => (r.kind === "unknown_code" ? r.attemptsLeft : -1))).toEqual([4, 3, 2, 1, 0]);
    expect(results[4]).toEqual({ kind: "unknown_code", attemptsLeft: 0, retryAfterSeconds: 3600 });
    expect(repo.audit.filter((e) => e.kind === "access.account_locked")).toHaveLength(1);

    // Even the right code is refused while locked, and does not extend the lock.
    expect(await s.redeem({ input: codeOf("r1"), account: BOB, now: at(40, 1) })).toEqual({ kind: "locked", retryAfterSeconds: 3599 });
    expect(await s.redeem({ input: wrong(0), account: BOB, now: at(99) })).toEqual({ kind: "locked", retryAfterSeconds: 60 });
    expect(repo.codes.find((c) => c.respondentId === "r1")?.boundAccountKey).toBeNull();

    // Other accounts are not affected.
    expect(await s.redeem({ input: codeOf("r2"), account: ALICE, now: at(41) })).toMatchObject({ kind: "ok" });

    // An hour after the last failure the account is free again, with a fresh allowance.
    expect(await s.redeem({ input: codeOf("r1"), account: BOB, now: at(100) })).toMatchObject({ kind: "ok", firstUse: true });
    expect(await s.redeem({ input: wrong(1), account: BOB, now: at(101) })).toEqual({ kind: "unknown_code", attemptsLeft: 4 });
  });

  test("failures spread over more than an hour never lock", async () => {
    const s = service();
    for (let i = 0; i < 12; i++) {
      const result = await s.redeem({ input: wrong(i % 10), account: BOB, now: at(i * 16) });
      expect(result.kind).toBe("unknown_code");
    }
  });

  test("a success does not reset the failure count", async () => {
    const s = service();
    for (let i = 0; i < 4; i++) await s.redeem({ input: wrong(i), account: BOB, now: at(i) });
    expect(await s.redeem({ input: codeOf("r1"), account: BOB, now: at(5) })).toMatchObject({ kind: "ok" });
    expect(await s.redeem({ input: wrong(5), account: BOB, now: at(6) })).toEqual({ kind: "unknown_code", attemptsLeft: 0, retryAfterSeconds: 3600 });
  });

  test("a burst of failures across accounts throttles everyone and raises one audit event", async () => {
    const s = service();
    // 51 failures from 51 fresh accounts within 51 seconds: each account is far below its own limit;
    // the 51st is counted as soon as it is stored, so it is already answered "throttled".
    for (let i = 0; i < 50; i++) {
      const result = await s.redeem({ input: wrong(i % 10), account: `telegram:9${i}`, now: at(0, i) });
      expect(result.kind).toBe("unknown_code");
    }
    expect(await s.redeem({ input: wrong(0), account: "telegram:950", now: at(0, 50) })).toEqual({ kind: "throttled", retryAfterSeconds: 10 });
    const bursts = () => repo.audit.filter((e) => e.kind === "access.failure_burst");
    expect(bursts()).toEqual([{ kind: "access.failure_burst", at: at(0, 50), campaignId: null, actor: null, data: { failures: 51, windowSeconds: 60 } }]);

    // Everyone waits until the oldest of those failures leaves the one-minute window, valid code or not.
    expect(await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0, 52) })).toEqual({ kind: "throttled", retryAfterSeconds: 8 });
    expect(await s.redeem({ input: wrong(0), account: "telegram:777", now: at(0, 59) })).toEqual({ kind: "throttled", retryAfterSeconds: 1 });
    expect(await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(1, 0) })).toMatchObject({ kind: "ok" });

    // The burst continues: still only one audit event within the cooldown.
    await s.redeem({ input: wrong(1), account: "telegram:778", now: at(1, 0) });
    expect(await s.redeem({ input: wrong(1), account: "telegram:779", now: at(1, 0) })).toEqual({ kind: "throttled", retryAfterSeconds: 1 });
    expect(bursts()).toHaveLength(1);
  });
});

describe("ALLOW_DELEGATION (as src/bot/run.ts passes it)", () => {
  test.each([
    [{}, { kind: "delegation_refused", attemptsLeft: 4 }, "access.delegation_refused"],
    [{ ALLOW_DELEGATION: "no" }, { kind: "delegation_refused", attemptsLeft: 4 }, "access.delegation_refused"],
    [{ ALLOW_DELEGATION: "yes" }, { kind: "ok", firstUse: true, delegation: true }, "access.delegation"],
  ])("%j: a second respondent's code on one account → %j, audited as %s", async (env, outcome, audit) => {
    const config = loadConfig(env);
    const s = new RedemptionService({ repository: repo, secret, allowDelegation: config.allowDelegation });
    expect(await s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) })).toMatchObject({ kind: "ok", delegation: false });
    expect(await s.redeem({ input: codeOf("r2"), account: ALICE, now: at(1) })).toMatchObject(outcome);
    expect(repo.audit.map((e) => e.kind).filter((k) => k !== "access.codes_issued")).toEqual([audit]);
    expect(repo.codes.find((c) => c.respondentId === "r2")?.boundAccountKey ?? null).toBe(audit === "access.delegation" ? hashAccount(ALICE, secret) : null);
  });
});

describe("concurrency", () => {
  const wrong = (i: number) => `ZZZZZ-ZZZ${"23456789AB"[i]}${"Z"}`;
  test("300 simultaneous wrong codes from 300 accounts: at most the global limit get an answer, the rest are throttled, one audit event", async () => {
    const s = service();
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => s.redeem({ input: wrong(i % 10), account: `telegram:8${i}`, now: at(0) })));
    const kinds = results.map((r) => r.kind);
    expect(kinds.filter((k) => k === "unknown_code").length).toBeLessThanOrEqual(50);
    expect(kinds.filter((k) => k !== "unknown_code" && k !== "throttled")).toEqual([]);
    expect(results.filter((r) => r.kind === "throttled")).toContainEqual({ kind: "throttled", retryAfterSeconds: 60 });
    expect(repo.audit.filter((e) => e.kind === "access.failure_burst")).toHaveLength(1);
  });

  test("20 simultaneous wrong codes from one account: at most 5 answered, the rest locked", async () => {
    const s = service();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.redeem({ input: wrong(i % 10), account: BOB, now: at(0) })));
    expect(results.filter((r) => r.kind === "unknown_code").length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.kind === "locked")).toContainEqual({ kind: "locked", retryAfterSeconds: 3600 });
    expect(await s.redeem({ input: codeOf("r1"), account: BOB, now: at(1) })).toEqual({ kind: "locked", retryAfterSeconds: 3540 });
  });

  test("two accounts redeeming the same code at once: exactly one wins", async () => {
    const s = service();
    const results = await Promise.all([
      s.redeem({ input: codeOf("r1"), account: ALICE, now: at(0) }),
      s.redeem({ input: codeOf("r1"), account: BOB, now: at(0) }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(["bound_to_other", "ok"]);
  });

  test("a lost bind race is resolved by re-reading the code", async () => {
    const s = service();
    // Simulate the other request winning between our read and our conditional update.
    const realBind = repo.bindCode.bind(repo);
    repo.bindCode = async (codeId, _accountKey, when) => {
      await realBind(codeId, hashAccount(ALICE, secret), when);
      return realBind(codeId, hashAccount(BOB, secret), when);
    };
    expect(await s.redeem({ input: codeOf("r1"), account: BOB, now: at(0) })).toEqual({ kind: "bound_to_other", attemptsLeft: 4 });
    expect(repo.codes.find((c) => c.respondentId === "r1")?.boundAccountKey).toBe(hashAccount(ALICE, secret));
  });

  test("a double tap of the same account racing itself is a return visit, not a refusal", async () => {
    const s = service();
    const realBind = repo.bindCode.bind(repo);
    repo.bindCode = async (codeId, accountKey, when) => {
      await realBind(codeId, accountKey, when);
      return realBind(codeId, accountKey, when);
    };
    expect(await s.redeem({ input: codeOf("r2"), account: ALICE, now: at(0) })).toMatchObject({ kind: "ok", firstUse: false });
    expect(repo.attempts.filter((a) => !a.success)).toEqual([]);
  });
});

describe("issueCodes", () => {
  test("skips respondents who already hold an active code; stores hashes only", async () => {
    const issued = await issueCodes({
      repository: repo,
      secret,
      campaignId: "c1",
      respondents: [
        { id: "r1", unitCode: "SO_TP" },
        { id: "r4", unitCode: "SO_YT" },
      ],
      now: at(0),
    });
    expect(issued.map((i) => i.respondentId)).toEqual(["r4"]);
    expect(repo.codes.at(-1)).toMatchObject({ respondentId: "r4", unitCode: "SO_YT", codeHash: hashCode(issued[0]?.code ?? "", secret) });
  });

  test("a colliding draw is retried and the file hook sees only the stored codes", async () => {
    const seen: string[][] = [];
    let draws = 0;
    const existing = codeOf("r1");
    const issued = await issueCodes({
      repository: repo,
      secret,
      campaignId: "c1",
      respondents: [{ id: "r5", unitCode: "SO_TP" }],
      now: at(0),
      // First draw reproduces an existing code, the second is new.
      random: (n) => (draws++ === 0 ? Uint8Array.from([...existing].map((ch) => "23456789ABCDEFGHJKMNPQRSTUVWXYZ".indexOf(ch)).concat([0, 0, 0, 0]).slice(0, n)) : new Uint8Array(n).fill(5)),
      beforeStore: async (list) => {
        seen.push(list.map((i) => i.code));
      },
    });
    expect(seen).toEqual([[existing], ["7777777777"]]);
    expect(issued).toEqual([{ respondentId: "r5", code: "7777777777" }]);
  });

  test("a failing file hook stores nothing", async () => {
    const before = repo.codes.length;
    await expect(
      issueCodes({
        repository: repo,
        secret,
        campaignId: "c1",
        respondents: [{ id: "r6", unitCode: "SO_TP" }],
        now: at(0),
        beforeStore: async () => {
          throw new Error("disk full");
        },
      }),
    ).rejects.toThrow("disk full");
    expect(repo.codes).toHaveLength(before);
  });
});
