/**
 * What the access module needs from storage. Codes and accounts appear here only as keyed hashes
 * (`codeHash`, `accountKey`): no method ever receives a plain code or a Telegram user id.
 * Implementations: `MemoryAccessRepository` (tests) and `PrismaAccessRepository` (src/db).
 */

/** Status of a stored code; `used`: an anonymous batch code whose response was submitted (spent). */
export type CodeStatus = "active" | "revoked" | "used";

/** The open window of the campaign a code belongs to. */
export interface CampaignWindow {
  readonly id: string;
  readonly opensAt: Date;
  readonly closesAt: Date;
  /** Set when an organiser closed the campaign early. */
  readonly closedAt: Date | null;
}

/** A stored code, as the redemption service sees it. */
export interface StoredCode {
  readonly id: string;
  readonly campaign: CampaignWindow;
  /** Named code: the respondent it was issued to. */
  readonly respondentId: string | null;
  /** Anonymous code (issue 7): the batch it belongs to. */
  readonly batchId: string | null;
  readonly unitCode: string | null;
  readonly status: CodeStatus;
  readonly boundAccountKey: string | null;
  readonly boundAt: Date | null;
}

/** A code to store at issue time. */
export interface NewCode {
  readonly codeHash: string;
  readonly campaignId: string;
  readonly respondentId: string | null;
  readonly batchId: string | null;
  readonly unitCode: string | null;
  readonly issuedAt: Date;
}

/** One code entry attempt, counted by the failure limits. */
export interface AttemptRecord {
  readonly accountKey: string;
  readonly at: Date;
  readonly success: boolean;
}

/** An event organisers must be able to see later (stored in the shared audit log). */
export interface AuditRecord {
  readonly kind: AccessAuditKind;
  readonly at: Date;
  readonly campaignId: string | null;
  /** The account key of who caused it, if any. */
  readonly actor: string | null;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

/** Audit event kinds written by the access module. */
export type AccessAuditKind =
  | "access.bound_to_other"
  | "access.delegation"
  | "access.delegation_refused"
  | "access.account_locked"
  | "access.failure_burst"
  | "access.codes_issued"
  | "access.code_revoked";

/** Storage operations of the access module. */
export interface AccessRepository {
  /** The code stored under this hash, with its campaign window; null when none. */
  findCodeByHash(codeHash: string): Promise<StoredCode | null>;
  /** The code with this id (to re-read after losing a bind race); null when none. */
  findCodeById(codeId: string): Promise<StoredCode | null>;
  /**
   * Binds an active, unbound code to an account: ONE ATOMIC CONDITIONAL UPDATE, e.g.
   * `UPDATE AccessCode SET boundAccount = ?, boundAt = ? WHERE id = ? AND status = 'active' AND boundAccount IS NULL`
   * (Prisma: `updateMany` with that `where`), returning true only when it changed a row. Two accounts
   * binding the same code at once must see exactly one `true`; never read-then-write.
   */
  bindCode(codeId: string, accountKey: string, at: Date): Promise<boolean>;
  /** Respondent ids of the named codes of a campaign bound to this account (for the delegation rule). */
  respondentsBoundTo(accountKey: string, campaignId: string): Promise<readonly string[]>;
  /** Stores one attempt. */
  recordAttempt(attempt: AttemptRecord): Promise<void>;
  /**
   * Times of the most recent failed attempts at or after `since`, newest first, at most `limit`;
   * of one account when `accountKey` is given, of everyone otherwise.
   */
  recentFailures(query: { readonly accountKey?: string; readonly since: Date; readonly limit: number }): Promise<readonly Date[]>;
  /** Stores an audit event. */
  recordAudit(event: AuditRecord): Promise<void>;
  /** Time of the latest audit event of this kind at or after `since`, or null. */
  lastAuditAt(kind: AccessAuditKind, since: Date): Promise<Date | null>;
  /**
   * Stores new codes in one transaction (all or none); a duplicate hash rejects the whole call.
   * `alongside` (e.g. writing the issued file) must succeed before any code is stored: it is run
   * first, or, where the database works in another process (PostgreSQL), while the rows are written
   * in a transaction that commits only once it has resolved; if it rejects, nothing is stored and
   * its error is thrown. Either way it has settled when the call returns or throws.
   */
  insertCodes(codes: readonly NewCode[], alongside?: () => Promise<void>): Promise<void>;
  /** Revokes the active codes of a respondent; returns how many were revoked. */
  revokeRespondentCodes(respondentId: string, at: Date): Promise<number>;
  /** Ids of the respondents of a campaign who hold an active code. */
  respondentsWithActiveCode(campaignId: string): Promise<ReadonlySet<string>>;
}

/** A duplicate code hash on insert (practically impossible with 8.2e14 codes, yet handled by retrying). */
export class DuplicateCodeError extends Error {
  constructor() {
    super("a generated code already exists");
    this.name = "DuplicateCodeError";
  }
}
