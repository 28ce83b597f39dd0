/**
 * What the citizens' feedback module needs from storage. Accounts never appear here: a poster claim
 * is an HMAC of (account, campaign, unit, period), and batch codes go through the access module.
 * Implementations: `MemoryCitizensRepository` (tests) and the Prisma one in src/db/citizens-repository.ts.
 */
import type { CampaignWindow, NewCode } from "../access/index.js";

/** How the codes of a batch are printed. */
export type BatchKind = "csv" | "a4" | "receipt";

/** A batch of anonymous codes to store with its codes. */
export interface NewBatch {
  readonly campaignId: string;
  readonly unitCode: string;
  readonly service: string | null;
  readonly kind: BatchKind;
  readonly createdAt: Date;
}

/** A counter poster to store. */
export interface NewPoster {
  readonly campaignId: string;
  readonly unitCode: string;
  readonly service: string | null;
  readonly tokenHash: string;
  readonly createdAt: Date;
  /** One response per account and unit per this many days. */
  readonly periodDays: number;
}

/** A stored poster with its campaign's window. */
export interface StoredPoster {
  readonly id: string;
  readonly campaign: CampaignWindow;
  readonly unitCode: string;
  readonly service: string | null;
  readonly revokedAt: Date | null;
  readonly refused: number;
  readonly periodDays: number;
}

/** Audit event kinds written by the citizens' module. */
export type CitizensAuditKind = "citizens.batch_issued" | "citizens.poster_created" | "citizens.poster_burst";

/** An audit event of the citizens' module (never with an account in it). */
export interface CitizensAudit {
  readonly kind: CitizensAuditKind;
  readonly at: Date;
  readonly campaignId: string;
  readonly actor: string | null;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

/** What happens to an anonymous response once it is submitted, in one transaction. */
export interface AnonymousCompletion {
  readonly campaignId: string;
  readonly unitCode: string;
  readonly at: Date;
  /** The batch code to mark spent (status `used`, binding cleared). */
  readonly codeId: string | null;
  /** The poster claim to insert; a claim already present refuses the whole completion. */
  readonly claim: { readonly key: string; readonly expiresAt: Date } | null;
  /** The stored response, if any: its account is cleared. */
  readonly responseId: string | null;
  /** The channel's session to delete (chat id, account and state go with it). */
  readonly sessionId: string | null;
  /** The account's keyed hash: its successful code entries are deleted, since their times would date the visit. */
  readonly accountKey: string;
}

/** Storage operations of the citizens' module. */
export interface CitizensRepository {
  /** Name of a unit of the campaign; null when the campaign has no such unit. */
  unitName(campaignId: string, unitCode: string): Promise<string | null>;
  /** Adds a unit to the campaign (a citizens' campaign has no imported sample to bring its units). */
  addUnit(campaignId: string, unitCode: string, name: string): Promise<void>;
  /** Stores a batch and its codes (codes' `batchId` is filled in) in one transaction; returns the batch id. */
  insertBatch(batch: NewBatch, codes: readonly Omit<NewCode, "batchId">[]): Promise<string>;
  insertPoster(poster: NewPoster): Promise<string>;
  findPosterByTokenHash(tokenHash: string): Promise<StoredPoster | null>;
  hasClaim(key: string): Promise<boolean>;
  /** Counts one refused scan of a poster (the account already answered this period). */
  countRefusal(posterId: string): Promise<void>;
  /** "already_claimed" (nothing written) when the claim exists; otherwise everything of `completion` is applied. */
  completeAnonymous(completion: AnonymousCompletion): Promise<"completed" | "already_claimed">;
  /** Submitted responses for the unit at or after `since` (the burst rule). */
  submissionsSince(campaignId: string, unitCode: string, since: Date): Promise<number>;
  recordAudit(event: CitizensAudit): Promise<void>;
  /** Time of the latest event of this kind for the campaign and unit at or after `since`, or null. */
  lastAuditAt(kind: CitizensAuditKind, campaignId: string, unitCode: string, since: Date): Promise<Date | null>;
}
