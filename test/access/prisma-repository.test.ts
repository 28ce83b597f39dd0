// The Prisma AccessRepository against real databases: SQLite always, PostgreSQL when
// TEST_DATABASE_URL is set (each run in its own schema, dropped afterwards; test/support/db.ts).
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Secret } from "../../src/config/index.js";
import { DuplicateCodeError, formatCode, hashAccount, hashCode, issueCodes, RedemptionService, type AccessRepository, type IssuedCode } from "../../src/access/index.js";
import { accessRepository } from "../../src/db/access-repository.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { createEmptyDatabase, TEST_DATABASE_URL } from "../support/db.js";
import { seedCampaign } from "./db-fixture.js";

const secret = new Secret(randomBytes(32).toString("base64url"));
const NOW = new Date("2025-03-10T02:00:00Z");
const ACCOUNTS = ["telegram:5550001", "telegram:5550002"] as const;

interface Harness {
  prisma: Prisma;
  /** A second, independent connection: concurrent requests of two bot instances. */
  other: Prisma;
  repo: AccessRepository;
  otherRepo: AccessRepository;
  issued: IssuedCode[];
  sqliteFile?: string;
  close(): Promise<void>;
}

async function open(url: string, extra: { sqliteFile?: string; drop?: () => Promise<void> }): Promise<Harness> {
  await migrateDatabase(url);
  const target = parseDatabaseUrl(url);
  const a = createPrismaClient(target);
  const b = createPrismaClient(target);
  await seedCampaign(
    a.prisma,
    "c1",
    [{ code: "SO_TP", name: "Sở Tư pháp" }],
    Array.from({ length: 30 }, (_, i) => ({ id: `r${i + 1}`, externalId: `CB${i + 1}`, fullName: `Người ${i + 1}`, unitCode: "SO_TP" })),
  );
  const repo = accessRepository(a.prisma);
  const respondents = Array.from({ length: 30 }, (_, i) => ({ id: `r${i + 1}`, unitCode: "SO_TP" }));
  const issued = await issueCodes({ repository: repo, secret, campaignId: "c1", respondents, now: NOW });
  return {
    prisma: a.prisma,
    other: b.prisma,
    repo,
    otherRepo: accessRepository(b.prisma),
    issued,
    ...(extra.sqliteFile ? { sqliteFile: extra.sqliteFile } : {}),
    async close() {
      await a.close();
      await b.close();
      await extra.drop?.();
    },
  };
}

const providers: [string, () => Promise<Harness>][] = [
  [
    "SQLite",
    async () => {
      const empty = await createEmptyDatabase("sqlite");
      return open(empty.url, { sqliteFile: empty.url.slice("file:".length), drop: () => empty.drop() });
    },
  ],
];
if (TEST_DATABASE_URL) {
  providers.push([
    "PostgreSQL",
    async () => {
      const empty = await createEmptyDatabase("postgres");
      return open(empty.url, { drop: () => empty.drop() });
    },
  ]);
}

describe.each(providers)("Prisma access repository on %s", (_name, make) => {
  let h: Harness;
  beforeAll(async () => {
    h = await make();
  }, 120_000);
  afterAll(async () => h?.close());

  test("issued codes are stored as hashes, one active code per respondent", async () => {
    expect(h.issued).toHaveLength(30);
    const rows = await h.prisma.accessCode.findMany({ orderBy: { respondentId: "asc" } });
    expect(rows).toHaveLength(30);
    for (const { respondentId, code } of h.issued) {
      const row = rows.find((r) => r.respondentId === respondentId);
      expect(row).toMatchObject({ codeHash: hashCode(code, secret), status: "active", boundAccount: null, campaignId: "c1", unitCode: "SO_TP" });
    }
    // Issuing again gives nobody a second code.
    expect(await issueCodes({ repository: h.repo, secret, campaignId: "c1", respondents: [{ id: "r1", unitCode: "SO_TP" }], now: NOW })).toEqual([]);
  });

  test("redeem, return visit and refusal of another account, with the audit row", async () => {
    const service = new RedemptionService({ repository: h.repo, secret });
    const code = h.issued[0]!;
    expect(await service.redeem({ input: formatCode(code.code).toLowerCase(), account: ACCOUNTS[0], now: NOW })).toMatchObject({
      kind: "ok",
      firstUse: true,
      subject: { kind: "respondent", respondentId: code.respondentId },
    });
    expect(await service.redeem({ input: code.code, account: ACCOUNTS[0], now: NOW })).toMatchObject({ kind: "ok", firstUse: false });
    expect(await service.redeem({ input: code.code, account: ACCOUNTS[1], now: NOW })).toEqual({ kind: "bound_to_other", attemptsLeft: 4 });
    const audit = await h.prisma.auditEvent.findMany({ where: { kind: "access.bound_to_other" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ campaignId: "c1", actor: hashAccount(ACCOUNTS[1], secret) });
    expect(JSON.parse(audit[0]!.data)).toMatchObject({ respondentId: code.respondentId });
    const failures = await h.prisma.accessAttempt.count({ where: { account: hashAccount(ACCOUNTS[1], secret), success: false } });
    expect(failures).toBe(1);
  });

  test("two accounts on two connections redeeming the same code at once: exactly one wins, every time", async () => {
    const services = [new RedemptionService({ repository: h.repo, secret }), new RedemptionService({ repository: h.otherRepo, secret })];
    const contested = h.issued.slice(1, 21);
    for (const [index, { code }] of contested.entries()) {
      const accounts = [`telegram:7${index}0`, `telegram:7${index}1`];
      const results = await Promise.all(services.map((s, i) => s.redeem({ input: code, account: accounts[i]!, now: NOW })));
      expect(results.map((r) => r.kind).sort()).toEqual(["bound_to_other", "ok"]);
      const winner = results.findIndex((r) => r.kind === "ok");
      const row = await h.prisma.accessCode.findUnique({ where: { codeHash: hashCode(code, secret) } });
      expect(row?.boundAccount).toBe(hashAccount(accounts[winner]!, secret));
    }
  });

  test("the conditional update itself decides the race", async () => {
    const row = await h.prisma.accessCode.findUnique({ where: { codeHash: hashCode(h.issued[25]!.code, secret) } });
    const outcomes = await Promise.all([h.repo.bindCode(row!.id, "key-a", NOW), h.otherRepo.bindCode(row!.id, "key-b", NOW)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  test("revocation, failures and audit queries", async () => {
    const target = h.issued[26]!;
    expect(await h.repo.revokeRespondentCodes(target.respondentId, NOW)).toBe(1);
    expect(await h.repo.revokeRespondentCodes(target.respondentId, NOW)).toBe(0);
    expect((await h.repo.findCodeByHash(hashCode(target.code, secret)))?.status).toBe("revoked");
    expect((await h.repo.respondentsWithActiveCode("c1")).has(target.respondentId)).toBe(false);
    const t = (s: number) => new Date(NOW.getTime() + s * 1000);
    for (const s of [1, 2, 3]) await h.repo.recordAttempt({ accountKey: "k-fail", at: t(s), success: false });
    await h.repo.recordAttempt({ accountKey: "k-fail", at: t(4), success: true });
    expect(await h.repo.recentFailures({ accountKey: "k-fail", since: t(2), limit: 5 })).toEqual([t(3), t(2)]);
    expect(await h.repo.recentFailures({ accountKey: "k-fail", since: t(0), limit: 1 })).toEqual([t(3)]);
    expect(await h.repo.lastAuditAt("access.failure_burst", t(0))).toBeNull();
    await h.repo.recordAudit({ kind: "access.failure_burst", at: t(5), campaignId: null, actor: null, data: { failures: 51 } });
    expect(await h.repo.lastAuditAt("access.failure_burst", t(0))).toEqual(t(5));
  });

  test("codes are stored only once `alongside` (the issued file) succeeded: its failure stores nothing", async () => {
    const row = (codeHash: string) => ({ codeHash, campaignId: "c1", respondentId: "r27", batchId: null, unitCode: "SO_TP", issuedAt: NOW });
    const before = await h.prisma.accessCode.count();
    await expect(h.repo.insertCodes([row("alongside-fails"), row("alongside-fails-2")], () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    expect(await h.prisma.accessCode.count()).toBe(before);
    // While it runs, no other connection sees the codes (PostgreSQL writes them meanwhile, uncommitted).
    let seen: unknown = "not run";
    await h.repo.insertCodes([row("alongside-ok")], async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await h.otherRepo.findCodeByHash("alongside-ok");
    });
    expect(seen).toBeNull();
    expect(await h.otherRepo.findCodeByHash("alongside-ok")).toMatchObject({ respondentId: "r27", status: "active", campaign: { id: "c1" } });
    // A duplicate hash refuses the call only after `alongside` settled (a retry would write the file again).
    let settled = false;
    const duplicate = h.repo.insertCodes([row("alongside-new"), row("alongside-ok")], async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      settled = true;
    });
    await expect(duplicate).rejects.toBeInstanceOf(DuplicateCodeError);
    expect(settled).toBe(true);
    expect(await h.prisma.accessCode.count()).toBe(before + 1);
  });

  test("300 simultaneous wrong codes from 300 accounts on two connections: the burst is throttled and audited", async () => {
    const when = new Date(NOW.getTime() + 2 * 86_400_000);
    const services = [new RedemptionService({ repository: h.repo, secret }), new RedemptionService({ repository: h.otherRepo, secret })];
    const wrong = (i: number) => `ZZZZZ-ZZZ${"23456789AB"[i % 10]}Z`;
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => services[i % 2]!.redeem({ input: wrong(i), account: `telegram:77${i}`, now: when })));
    const kinds = results.map((r) => r.kind);
    expect(kinds.filter((k) => k === "unknown_code").length).toBeLessThanOrEqual(50);
    expect(kinds.filter((k) => k === "throttled").length).toBeGreaterThanOrEqual(250);
    const bursts = await h.prisma.auditEvent.count({ where: { kind: "access.failure_burst", at: when } });
    expect(bursts).toBeGreaterThanOrEqual(1);
    expect(bursts).toBeLessThanOrEqual(2); // one per bot instance at most
  }, 120_000);

  test("a stolen database reveals no usable code", async () => {
    const plain = h.issued.flatMap(({ code }) => [code, formatCode(code), code.toLowerCase()]);
    const accountIds = ["5550001", "5550002"];
    const cells = await allStoredText(h);
    expect(cells.length).toBeGreaterThan(100);
    for (const cell of cells) {
      for (const secretText of [...plain, ...accountIds]) {
        if (cell.includes(secretText)) throw new Error(`stored value contains "${secretText}": ${cell}`);
      }
    }
    if (h.sqliteFile) {
      // The raw bytes too (journal and WAL files included): nothing in freed pages or logs.
      const dir = path.dirname(h.sqliteFile);
      const bytes = readdirSync(dir)
        .map((f) => readFileSync(path.join(dir, f)).toString("latin1"))
        .join("");
      for (const secretText of plain) expect(bytes.includes(secretText)).toBe(false);
    }
    // The stored hashes cannot be checked without the secret: neither a plain digest nor a guessed key matches.
    const storedHashes = new Set((await h.prisma.accessCode.findMany({ select: { codeHash: true } })).map((r) => r.codeHash));
    const sample = h.issued[0]!.code;
    expect(storedHashes.has(createHash("sha256").update(sample).digest("hex"))).toBe(false);
    expect(storedHashes.has(hashCode(sample, new Secret("")))).toBe(false);
    expect(storedHashes.has(hashCode(sample, new Secret(randomBytes(32).toString("base64url"))))).toBe(false);
    expect(storedHashes.has(hashCode(sample, secret))).toBe(true);
  });
});

/** Every text, number and date value of every table, as strings. */
async function allStoredText(h: Harness): Promise<string[]> {
  if (h.sqliteFile) {
    const db = new Sqlite(h.sqliteFile, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      return tables.flatMap(({ name }) =>
        (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).flatMap((row) => Object.values(row).map((v) => String(v))),
      );
    } finally {
      db.close();
    }
  }
  const tables = await h.prisma.$queryRawUnsafe<{ table_name: string }[]>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  );
  const cells: string[] = [];
  for (const { table_name } of tables) {
    const rows = await h.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table_name}"`);
    for (const row of rows) cells.push(...Object.values(row).map((v) => (v instanceof Date ? v.toISOString() : String(v))));
  }
  return cells;
}
