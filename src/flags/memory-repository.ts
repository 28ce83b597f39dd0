import { median } from "../scoring/index.js";
import type { FlagDecision, FlagName, FlagSubject, FlagsRepository } from "./repository.js";

type Row = FlagSubject & { campaignId: string; status: string };

/** In-memory `FlagsRepository` for tests: responses are set directly, decisions and audit kept in arrays. */
export class MemoryFlagsRepository implements FlagsRepository {
  readonly rows: Row[] = [];
  readonly audit: { kind: string; at: Date; actor: string; data: Record<string, unknown> }[] = [];

  async submitted(campaignId: string, options: { withAnswers: boolean; answersFor?: readonly string[] }): Promise<FlagSubject[]> {
    return this.rows
      .filter((r) => r.campaignId === campaignId && r.status === "submitted")
      .map(({ campaignId: _c, status: _s, answers, ...rest }) => (options.withAnswers || options.answersFor?.includes(rest.id) ? { ...rest, ...(answers ? { answers } : {}) } : rest));
  }

  async submittedOne(campaignId: string, responseId: string): Promise<FlagSubject | null> {
    const row = this.rows.find((r) => r.id === responseId && r.campaignId === campaignId && r.status === "submitted");
    if (!row) return null;
    const { campaignId: _c, status: _s, ...rest } = row;
    return rest;
  }

  async durationMedian(campaignId: string): Promise<{ count: number; median: number }> {
    const durations = this.rows.flatMap((r) => (r.campaignId === campaignId && r.status === "submitted" && r.startedAt && r.submittedAt ? [r.submittedAt.getTime() - r.startedAt.getTime()] : []));
    return { count: durations.length, median: median(durations) };
  }

  async accountShared(campaignId: string, account: string): Promise<boolean> {
    const named = new Set(this.rows.flatMap((r) => (r.campaignId === campaignId && r.status === "submitted" && r.account === account && r.respondentId !== null ? [r.respondentId] : [])));
    return named.size >= 2;
  }

  async setFlags(updates: readonly { responseId: string; flags: readonly FlagName[] }[]): Promise<void> {
    for (const u of updates) {
      const i = this.rows.findIndex((r) => r.id === u.responseId);
      if (i >= 0) this.rows[i] = { ...this.rows[i]!, flags: [...u.flags] };
    }
  }

  async find(responseId: string): Promise<Row | null> {
    return this.rows.find((r) => r.id === responseId) ?? null;
  }

  async findImported(campaignId: string, externalId: string): Promise<string | null> {
    return this.rows.find((r) => r.campaignId === campaignId && r.externalId === externalId)?.id ?? null;
  }

  async decide(responseId: string, decision: FlagDecision, reason: string, at: Date, actor: string): Promise<void> {
    const i = this.rows.findIndex((r) => r.id === responseId);
    const row = this.rows[i]!;
    this.rows[i] = { ...row, decision, reason };
    this.audit.push({ kind: "flags.decision", at, actor, data: { responseId, decision, reason, previous: row.decision, flags: row.flags } });
  }
}
