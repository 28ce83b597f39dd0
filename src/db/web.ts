// Prisma implementation of the web console's storage: organisers' accounts, sessions, login
// failures, and the few read models the console needs that no other repository has (submissions
// per day, channel split, the audit trail paged). Counts only: nothing here returns answers.
import type { Prisma } from "./client.js";
import { parseJsonObject } from "./json.js";
import type { AuditEventRecord } from "./types.js";

/** Roles of the web console. */
export type WebRole = "admin" | "viewer" | "coordinator";

/** An organiser's account as stored (the password hash stays inside the auth module). */
export interface WebUserRecord {
  readonly id: string;
  readonly email: string;
  readonly role: WebRole;
  readonly campaignId: string | null;
  readonly unitCode: string | null;
  readonly passwordHash: string;
  readonly disabledAt: Date | null;
  readonly createdAt: Date;
  readonly passwordChangedAt: Date;
}

/** A web session joined with its user. */
export interface WebSessionRecord {
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly user: WebUserRecord;
}

/** A checked upload waiting for its "Import". */
export interface WebUploadRecord {
  readonly id: string;
  readonly campaignId: string;
  readonly kind: "respondents" | "responses" | "broadcast" | "reminder" | "codes";
  readonly actor: string;
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Storage of the web console. */
export interface WebRepository {
  createUser(input: Omit<WebUserRecord, "id" | "disabledAt">): Promise<WebUserRecord>;
  userByEmail(email: string): Promise<WebUserRecord | null>;
  listUsers(): Promise<WebUserRecord[]>;
  /** Disables an account and deletes its sessions; null if unknown. */
  disableUser(email: string, at: Date): Promise<WebUserRecord | null>;
  /** Sets a new password hash, re-enables nothing, and deletes the account's sessions; null if unknown. */
  setPassword(email: string, passwordHash: string, at: Date): Promise<WebUserRecord | null>;
  /** Re-enables a disabled account (the demo's admin at each demo start); null if unknown. */
  enableUser(email: string): Promise<WebUserRecord | null>;
  createSession(input: { tokenHash: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void>;
  session(tokenHash: string): Promise<WebSessionRecord | null>;
  touchSession(tokenHash: string, at: Date): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Deletes sessions whose absolute expiry passed or that have been idle since before `idleBefore`. */
  deleteExpiredSessions(now: Date, idleBefore: Date): Promise<number>;
  recordLoginFailure(keys: readonly string[], at: Date): Promise<void>;
  /** Failures per key since `since`. */
  loginFailures(keys: readonly string[], since: Date): Promise<Map<string, number>>;
  clearLoginFailures(key: string): Promise<void>;
  /** Submitted responses per calendar day (in `timeZone`), oldest first; responses without a time are left out. */
  submissionsPerDay(campaignId: string, timeZone: string, options?: { unitCode?: string }): Promise<{ day: string; count: number }[]>;
  /** Submitted responses per channel (Response.source; 'bot' counted as telegram). */
  channelSplit(campaignId: string): Promise<Record<string, number>>;
  /** The campaign's latest broadcasts. */
  broadcasts(campaignId: string): Promise<{ id: string; audience: string; recipients: number; createdAt: Date; cancelledAt: Date | null; actor: string | null }[]>;
  /** Appraisal points per unit uploaded for a campaign (empty when none). */
  appraisal(campaignId: string): Promise<Map<string, number>>;
  /** Replaces the campaign's appraisal points in one transaction. */
  setAppraisal(campaignId: string, points: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Keeps a checked upload until it is imported or expires. Expired uploads are deleted first; then
   * the oldest are deleted until all kept uploads, this one included, fit in `maxTotalBytes`.
   */
  storeUpload(upload: WebUploadRecord, now: Date, maxTotalBytes: number): Promise<void>;
  /**
   * Takes an upload for import: returns and deletes it when it exists, is for this campaign, kind
   * and actor, and has not expired. Only one caller (on any instance) gets it; null for the others.
   */
  takeUpload(id: string, match: { campaignId: string; kind: WebUploadRecord["kind"]; actor: string }, now: Date): Promise<WebUploadRecord | null>;
  /** Audit events newest first, at most `limit`, before id `before` when given. */
  auditPage(options: { campaignId?: string; limit: number; before?: number }): Promise<AuditEventRecord[]>;
}

function toUser(r: { id: string; email: string; role: string; campaignId: string | null; unitCode: string | null; passwordHash: string; disabledAt: Date | null; createdAt: Date; passwordChangedAt: Date }): WebUserRecord {
  return { ...r, role: r.role as WebRole };
}

function dayIn(timeZone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return (at) => format.format(at);
}

/** The web console's repository on a Prisma client. */
export function webRepository(prisma: Prisma): WebRepository {
  return {
    async createUser(input) {
      return toUser(await prisma.webUser.create({ data: { ...input } }));
    },
    async userByEmail(email) {
      const row = await prisma.webUser.findUnique({ where: { email } });
      return row ? toUser(row) : null;
    },
    async listUsers() {
      return (await prisma.webUser.findMany({ orderBy: { email: "asc" } })).map(toUser);
    },
    async disableUser(email, at) {
      const row = await prisma.webUser.findUnique({ where: { email } });
      if (!row) return null;
      const [updated] = await prisma.$transaction([
        prisma.webUser.update({ where: { email }, data: { disabledAt: row.disabledAt ?? at } }),
        prisma.webSession.deleteMany({ where: { userId: row.id } }),
      ]);
      return toUser(updated);
    },
    async setPassword(email, passwordHash, at) {
      const row = await prisma.webUser.findUnique({ where: { email } });
      if (!row) return null;
      const [updated] = await prisma.$transaction([
        prisma.webUser.update({ where: { email }, data: { passwordHash, passwordChangedAt: at } }),
        prisma.webSession.deleteMany({ where: { userId: row.id } }),
      ]);
      return toUser(updated);
    },
    async enableUser(email) {
      const row = await prisma.webUser.findUnique({ where: { email } });
      if (!row) return null;
      return toUser(await prisma.webUser.update({ where: { email }, data: { disabledAt: null } }));
    },
    async createSession(input) {
      await prisma.webSession.create({ data: { ...input, lastSeenAt: input.createdAt } });
    },
    async session(tokenHash) {
      const row = await prisma.webSession.findUnique({ where: { tokenHash }, include: { user: true } });
      return row ? { tokenHash: row.tokenHash, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, expiresAt: row.expiresAt, user: toUser(row.user) } : null;
    },
    async touchSession(tokenHash, at) {
      await prisma.webSession.updateMany({ where: { tokenHash }, data: { lastSeenAt: at } });
    },
    async deleteSession(tokenHash) {
      await prisma.webSession.deleteMany({ where: { tokenHash } });
    },
    async deleteExpiredSessions(now, idleBefore) {
      const { count } = await prisma.webSession.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lt: idleBefore } }] } });
      return count;
    },
    async recordLoginFailure(keys, at) {
      await prisma.webLoginFailure.createMany({ data: keys.map((key) => ({ key, at })) });
    },
    async loginFailures(keys, since) {
      const rows = await prisma.webLoginFailure.groupBy({ by: ["key"], where: { key: { in: [...keys] }, at: { gte: since } }, _count: { _all: true } });
      return new Map(rows.map((r) => [r.key, r._count._all]));
    },
    async clearLoginFailures(key) {
      await prisma.webLoginFailure.deleteMany({ where: { key } });
    },
    async submissionsPerDay(campaignId, timeZone, options = {}) {
      const toDay = dayIn(timeZone);
      const counts = new Map<string, number>();
      // Only the submission times are read, in pages, so a national round stays in bounded memory.
      let cursor: string | undefined;
      for (;;) {
        const rows = await prisma.response.findMany({
          where: { campaignId, status: "submitted", submittedAt: { not: null }, ...(options.unitCode !== undefined ? { respondent: { unitCode: options.unitCode } } : {}) },
          select: { id: true, submittedAt: true },
          orderBy: { id: "asc" },
          take: 5000,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        });
        for (const r of rows) {
          const day = toDay(r.submittedAt!);
          counts.set(day, (counts.get(day) ?? 0) + 1);
        }
        if (rows.length < 5000) break;
        cursor = rows[rows.length - 1]!.id;
      }
      return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, count]) => ({ day, count }));
    },
    async channelSplit(campaignId) {
      const rows = await prisma.response.groupBy({ by: ["source"], where: { campaignId, status: "submitted" }, _count: { _all: true } });
      const split: Record<string, number> = {};
      for (const r of rows) {
        const source = r.source === "bot" ? "telegram" : r.source;
        split[source] = (split[source] ?? 0) + r._count._all;
      }
      return split;
    },
    async broadcasts(campaignId) {
      return prisma.broadcast.findMany({
        where: { campaignId },
        select: { id: true, audience: true, recipients: true, createdAt: true, cancelledAt: true, actor: true },
        orderBy: { createdAt: "desc" },
        take: 20,
      });
    },
    async appraisal(campaignId) {
      const rows = await prisma.appraisal.findMany({ where: { campaignId }, orderBy: { unitCode: "asc" } });
      return new Map(rows.map((r) => [r.unitCode, r.points]));
    },
    async setAppraisal(campaignId, points) {
      await prisma.$transaction([
        prisma.appraisal.deleteMany({ where: { campaignId } }),
        prisma.appraisal.createMany({ data: [...points].map(([unitCode, value]) => ({ campaignId, unitCode, points: value })) }),
      ]);
    },
    async storeUpload(upload, now, maxTotalBytes) {
      await prisma.webUpload.deleteMany({ where: { expiresAt: { lte: now } } });
      const kept = await prisma.webUpload.findMany({ select: { id: true, size: true }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      let total = upload.bytes.length;
      const drop: string[] = [];
      for (const k of kept) {
        total += k.size;
        if (total > maxTotalBytes) drop.push(k.id);
      }
      if (drop.length > 0) await prisma.webUpload.deleteMany({ where: { id: { in: drop } } });
      await prisma.webUpload.create({ data: { ...upload, bytes: Buffer.from(upload.bytes), size: upload.bytes.length } });
    },
    async takeUpload(id, match, now) {
      const row = await prisma.webUpload.findUnique({ where: { id } });
      if (!row || row.campaignId !== match.campaignId || row.kind !== match.kind || row.actor !== match.actor || row.expiresAt <= now) return null;
      // The delete decides who imports it: a second request (or instance) deletes nothing.
      const { count } = await prisma.webUpload.deleteMany({ where: { id } });
      if (count !== 1) return null;
      return { id: row.id, campaignId: row.campaignId, kind: row.kind as WebUploadRecord["kind"], actor: row.actor, bytes: new Uint8Array(row.bytes), rows: row.rows, createdAt: row.createdAt, expiresAt: row.expiresAt };
    },
    async auditPage(options) {
      const rows = await prisma.auditEvent.findMany({
        where: { ...(options.campaignId ? { campaignId: options.campaignId } : {}), ...(options.before ? { id: { lt: options.before } } : {}) },
        orderBy: { id: "desc" },
        take: options.limit,
      });
      return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind, campaignId: r.campaignId, actor: r.actor, data: parseJsonObject(r.data) }));
    },
  };
}
