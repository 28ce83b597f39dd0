import { MemoryAccessRepository, type NewCode } from "../access/index.js";
import type { AnonymousCompletion, CitizensAudit, CitizensAuditKind, CitizensRepository, NewBatch, NewPoster, StoredPoster } from "./repository.js";

/**
 * An in-memory `CitizensRepository` for tests, sharing its codes and campaign windows with a
 * `MemoryAccessRepository` so redemption sees the batch codes. No method awaits midway, so each is atomic.
 */
export class MemoryCitizensRepository implements CitizensRepository {
  readonly batches: (NewBatch & { id: string; count: number })[] = [];
  readonly posters: (NewPoster & { id: string; revokedAt: Date | null; refused: number })[] = [];
  readonly claims = new Map<string, Date>();
  readonly audit: CitizensAudit[] = [];
  /** Completed anonymous responses: unit and time only. */
  readonly submissions: { campaignId: string; unitCode: string; at: Date }[] = [];
  /** Called on completion with the response and session to forget (the channel's stores in tests). */
  onForget: (responseId: string | null, sessionId: string | null) => void = () => {};
  readonly #units = new Map<string, string>();
  #nextId = 1;

  constructor(readonly access: MemoryAccessRepository = new MemoryAccessRepository()) {}

  /** Adds a unit of a campaign (units belong to the storage layer; tests set them here). */
  setUnit(campaignId: string, unitCode: string, name: string): void {
    this.#units.set(`${campaignId}\u0000${unitCode}`, name);
  }

  async unitName(campaignId: string, unitCode: string): Promise<string | null> {
    return this.#units.get(`${campaignId}\u0000${unitCode}`) ?? null;
  }

  async addUnit(campaignId: string, unitCode: string, name: string): Promise<void> {
    this.setUnit(campaignId, unitCode, name);
  }

  async insertBatch(batch: NewBatch, codes: readonly Omit<NewCode, "batchId">[]): Promise<string> {
    const id = `batch-${this.#nextId++}`;
    await this.access.insertCodes(codes.map((c) => ({ ...c, batchId: id })));
    this.batches.push({ ...batch, id, count: codes.length });
    return id;
  }

  async insertPoster(poster: NewPoster): Promise<string> {
    const id = `poster-${this.#nextId++}`;
    this.posters.push({ ...poster, id, revokedAt: null, refused: 0 });
    return id;
  }

  async findPosterByTokenHash(tokenHash: string): Promise<StoredPoster | null> {
    const poster = this.posters.find((p) => p.tokenHash === tokenHash);
    if (!poster) return null;
    const campaign = await this.access.campaignWindow(poster.campaignId);
    if (!campaign) throw new Error(`MemoryCitizensRepository: campaign ${poster.campaignId} not set`);
    return { id: poster.id, campaign, unitCode: poster.unitCode, service: poster.service, revokedAt: poster.revokedAt, refused: poster.refused, periodDays: poster.periodDays };
  }

  async hasClaim(key: string): Promise<boolean> {
    return this.claims.has(key);
  }

  async countRefusal(posterId: string): Promise<void> {
    const poster = this.posters.find((p) => p.id === posterId);
    if (poster) poster.refused++;
  }

  async completeAnonymous(completion: AnonymousCompletion): Promise<"completed" | "already_claimed"> {
    if (completion.claim && this.claims.has(completion.claim.key)) return "already_claimed";
    if (completion.claim) this.claims.set(completion.claim.key, completion.claim.expiresAt);
    const code = this.access.codes.find((c) => c.id === completion.codeId);
    if (code) {
      code.status = "used";
      code.boundAccountKey = null;
    }
    const attempts = this.access.attempts.filter((a) => !(a.success && a.accountKey === completion.accountKey));
    this.access.attempts.splice(0, this.access.attempts.length, ...attempts);
    this.submissions.push({ campaignId: completion.campaignId, unitCode: completion.unitCode, at: completion.at });
    this.onForget(completion.responseId, completion.sessionId);
    return "completed";
  }

  async submissionsSince(campaignId: string, unitCode: string, since: Date): Promise<number> {
    return this.submissions.filter((s) => s.campaignId === campaignId && s.unitCode === unitCode && s.at >= since).length;
  }

  async recordAudit(event: CitizensAudit): Promise<void> {
    this.audit.push(event);
  }

  async lastAuditAt(kind: CitizensAuditKind, campaignId: string, unitCode: string, since: Date): Promise<Date | null> {
    const times = this.audit.filter((e) => e.kind === kind && e.campaignId === campaignId && e.data["unit"] === unitCode && e.at >= since).map((e) => e.at.getTime());
    return times.length === 0 ? null : new Date(Math.max(...times));
  }
}
