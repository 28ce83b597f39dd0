// Prisma implementation of AuditRepository.
import type { Prisma } from "./client.js";
import { parseJsonObject } from "./json.js";
import type { AuditRepository } from "./types.js";

/** Audit events stored through Prisma. */
export function auditRepository(prisma: Prisma): AuditRepository {
  return {
    async record(event) {
      await prisma.auditEvent.create({
        data: {
          at: event.at,
          kind: event.kind,
          campaignId: event.campaignId ?? null,
          actor: event.actor ?? null,
          data: JSON.stringify(event.data ?? {}),
        },
      });
    },
    async list(filter = {}) {
      const rows = await prisma.auditEvent.findMany({
        where: { ...(filter.campaignId ? { campaignId: filter.campaignId } : {}), ...(filter.kind ? { kind: filter.kind } : {}) },
        orderBy: { id: "asc" },
      });
      return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind, campaignId: r.campaignId, actor: r.actor, data: parseJsonObject(r.data) }));
    },
  };
}
