import type { Respondent } from "../../demo/ports.js";
import type { StepResult } from "../../engine/index.js";
import type {
  BotCampaign,
  BotSession,
  BotSessionStore,
  CampaignDirectory,
  CommitResult,
  LivePrompt,
  RespondentDirectory,
  SessionWrite,
  UpdateStart,
} from "./ports.js";

/**
 * Sessions in memory, for `handleUpdate` tests and the benchmark's ceiling: copies in and out like a
 * database, and each `commit` is atomic (no await inside), as the port requires.
 */
export class MemoryBotSessionStore implements BotSessionStore {
  readonly sessions = new Map<string, BotSession>();
  readonly processed = new Set<number | string>();
  /** Every committed step, in order (what a database implementation applies as answer rows). */
  readonly steps: { readonly sessionId: string; readonly updateId: number | string; readonly step: StepResult }[] = [];
  #order = new Map<string, number>();
  #clock = 0;
  #nextId = 1;

  async isProcessed(updateId: number | string): Promise<boolean> {
    return this.processed.has(updateId);
  }

  async begin(updateId: number | string, account: string | undefined): Promise<UpdateStart> {
    return { processed: this.processed.has(updateId), latest: account === undefined ? undefined : await this.findLatest(account) };
  }

  async findLatest(account: string): Promise<BotSession | undefined> {
    let best: BotSession | undefined;
    for (const s of this.sessions.values()) {
      if (s.account === account && (best === undefined || this.#order.get(s.id)! > this.#order.get(best.id)!)) best = s;
    }
    return best ? structuredClone(best) : undefined;
  }

  async findInCampaign(account: string, campaignId: string): Promise<BotSession | undefined> {
    let best: BotSession | undefined;
    for (const s of this.sessions.values()) {
      if (s.account === account && s.campaignId === campaignId && (best === undefined || this.#order.get(s.id)! > this.#order.get(best.id)!)) best = s;
    }
    return best ? structuredClone(best) : undefined;
  }

  async findFor(account: string, campaignId: string, respondentId: string | null, codeId: string | null): Promise<BotSession | undefined> {
    for (const s of this.sessions.values()) {
      if (s.account !== account || s.campaignId !== campaignId) continue;
      // "Not me" detaches a session from its respondent, as the database store does.
      if (s.stage === "declined" && s.identityDeclinedAt !== undefined) continue;
      if (respondentId !== null ? s.respondentId === respondentId : s.respondentId === null && s.codeId === codeId) return structuredClone(s);
    }
    return undefined;
  }

  async commit(updateId: number | string, write: SessionWrite): Promise<CommitResult> {
    if (this.processed.has(updateId)) return "duplicate";
    this.processed.add(updateId);
    this.sessions.set(write.session.id, structuredClone(write.session));
    this.#order.set(write.session.id, ++this.#clock);
    if (write.step) this.steps.push({ sessionId: write.session.id, updateId, step: structuredClone(write.step) });
    return "stored";
  }

  async markProcessed(updateId: number | string): Promise<void> {
    this.processed.add(updateId);
  }

  async setPrompt(sessionId: string, prompt: LivePrompt | undefined): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const { prompt: _old, ...rest } = session;
    this.sessions.set(sessionId, prompt ? { ...rest, prompt: { ...prompt } } : rest);
  }

  newId(): string {
    return `s${this.#nextId++}`;
  }
}

/** Campaigns held in memory. */
export class MemoryCampaignDirectory implements CampaignDirectory {
  readonly campaigns = new Map<string, BotCampaign>();

  constructor(campaigns: readonly BotCampaign[] = []) {
    for (const c of campaigns) this.campaigns.set(c.id, c);
  }

  async find(campaignId: string): Promise<BotCampaign | undefined> {
    return this.campaigns.get(campaignId);
  }
}

/** Respondents and unit names held in memory. */
export class MemoryRespondentDirectory implements RespondentDirectory {
  readonly respondents = new Map<string, Respondent>();
  readonly units = new Map<string, string>();

  constructor(respondents: readonly Respondent[] = []) {
    for (const r of respondents) {
      this.respondents.set(r.id, r);
      for (const u of [r.unit, ...r.subjectUnits]) this.units.set(u.id, u.name);
    }
  }

  async find(respondentId: string): Promise<Respondent | undefined> {
    return this.respondents.get(respondentId);
  }

  async unitName(_campaignId: string, unitCode: string): Promise<string | undefined> {
    return this.units.get(unitCode);
  }
}
