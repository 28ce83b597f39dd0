import {
  DuplicateCodeError,
  type AccessAuditKind,
  type AccessRepository,
  type AttemptRecord,
  type AuditRecord,
  type CampaignWindow,
  type NewCode,
  type StoredCode,
} from "./repository.js";

interface MutableCode {
  id: string;
  codeHash: string;
  campaignId: string;
  respondentId: string | null;
  batchId: string | null;
  unitCode: string | null;
  status: "active" | "revoked" | "used";
  boundAccountKey: string | null;
  boundAt: Date | null;
  issuedAt: Date;
  revokedAt: Date | null;
}

/**
 * An in-memory `AccessRepository` for unit tests and the zero-setup demo. Every method runs to
 * completion without awaiting in between, so `bindCode` is atomic as the contract requires.
 */
export class MemoryAccessRepository implements AccessRepository {
  readonly codes: MutableCode[] = [];
  readonly attempts: AttemptRecord[] = [];
  readonly audit: AuditRecord[] = [];
  readonly #campaigns = new Map<string, CampaignWindow>();
  #nextId = 1;

  /** Adds or replaces a campaign window (campaigns belong to the storage layer; tests set them here). */
  setCampaign(campaign: CampaignWindow): void {
    this.#campaigns.set(campaign.id, campaign);
  }

  /** The window of a campaign set with `setCampaign` (shared with other in-memory repositories). */
  async campaignWindow(campaignId: string): Promise<CampaignWindow | undefined> {
    return this.#campaigns.get(campaignId);
  }

  async findCodeByHash(codeHash: string): Promise<StoredCode | null> {
    const code = this.codes.find((c) => c.codeHash === codeHash);
    return code ? this.#view(code) : null;
  }

  async findCodeById(codeId: string): Promise<StoredCode | null> {
    const code = this.codes.find((c) => c.id === codeId);
    return code ? this.#view(code) : null;
  }

  async bindCode(codeId: string, accountKey: string, at: Date): Promise<boolean> {
    const code = this.codes.find((c) => c.id === codeId && c.status === "active" && c.boundAccountKey === null);
    if (!code) return false;
    code.boundAccountKey = accountKey;
    code.boundAt = at;
    return true;
  }

  async respondentsBoundTo(accountKey: string, campaignId: string): Promise<readonly string[]> {
    const ids = this.codes
      .filter((c) => c.boundAccountKey === accountKey && c.campaignId === campaignId && c.respondentId !== null)
      .map((c) => c.respondentId as string);
    return [...new Set(ids)];
  }

  async recordAttempt(attempt: AttemptRecord): Promise<void> {
    this.attempts.push(attempt);
  }

  async recentFailures(query: { accountKey?: string; since: Date; limit: number }): Promise<readonly Date[]> {
    return this.attempts
      .filter((a) => !a.success && a.at >= query.since && (query.accountKey === undefined || a.accountKey === query.accountKey))
      .map((a) => a.at)
      .sort((a, b) => b.getTime() - a.getTime())
      .slice(0, query.limit);
  }

  async recordAudit(event: AuditRecord): Promise<void> {
    this.audit.push(event);
  }

  async lastAuditAt(kind: AccessAuditKind, since: Date): Promise<Date | null> {
    const times = this.audit.filter((e) => e.kind === kind && e.at >= since).map((e) => e.at.getTime());
    return times.length === 0 ? null : new Date(Math.max(...times));
  }

  async insertCodes(codes: readonly NewCode[], alongside?: () => Promise<void>): Promise<void> {
    await alongside?.();
    const hashes = new Set(this.codes.map((c) => c.codeHash));
    for (const code of codes) {
      if (hashes.has(code.codeHash)) throw new DuplicateCodeError();
      hashes.add(code.codeHash);
    }
    for (const code of codes) {
      this.codes.push({ ...code, id: `code-${this.#nextId++}`, status: "active", boundAccountKey: null, boundAt: null, revokedAt: null });
    }
  }

  async revokeRespondentCodes(respondentId: string, at: Date): Promise<number> {
    let count = 0;
    for (const code of this.codes) {
      if (code.respondentId !== respondentId || code.status !== "active") continue;
      code.status = "revoked";
      code.revokedAt = at;
      count++;
    }
    return count;
  }

  async respondentsWithActiveCode(campaignId: string): Promise<ReadonlySet<string>> {
    return new Set(
      this.codes.filter((c) => c.campaignId === campaignId && c.status === "active" && c.respondentId !== null).map((c) => c.respondentId as string),
    );
  }

  #view(code: MutableCode): StoredCode {
    const campaign = this.#campaigns.get(code.campaignId);
    if (!campaign) throw new Error(`MemoryAccessRepository: campaign ${code.campaignId} not set`);
    return {
      id: code.id,
      campaign,
      respondentId: code.respondentId,
      batchId: code.batchId,
      unitCode: code.unitCode,
      status: code.status,
      boundAccountKey: code.boundAccountKey,
      boundAt: code.boundAt,
    };
  }
}
