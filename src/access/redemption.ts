import { hashAccount, hashCode, normalizeCode, type CodeKey, type CodeProblem } from "./codes.js";
import type { AccessRepository, AuditRecord, StoredCode } from "./repository.js";

/** Limits on failed code attempts (defaults: `DEFAULT_ACCESS_LIMITS`). */
export interface AccessLimits {
  /** Failures one account may make within `accountWindowMs` before it is locked. */
  readonly accountFailures: number;
  readonly accountWindowMs: number;
  /** How long an account stays locked after its last allowed failure. */
  readonly accountLockMs: number;
  /** More failures than this across all accounts within `globalWindowMs` throttles every attempt. */
  readonly globalFailures: number;
  readonly globalWindowMs: number;
  /** At most one burst audit event per this period, however long the burst lasts. */
  readonly burstAuditCooldownMs: number;
}

/** 5 failures per hour per account, then an hour's lock; more than 50 failures a minute overall throttles everyone. */
export const DEFAULT_ACCESS_LIMITS: AccessLimits = Object.freeze({
  accountFailures: 5,
  accountWindowMs: 60 * 60_000,
  accountLockMs: 60 * 60_000,
  globalFailures: 50,
  globalWindowMs: 60_000,
  burstAuditCooldownMs: 15 * 60_000,
});

/** Who a redeemed code lets in. */
export type RedeemedSubject =
  | { readonly kind: "respondent"; readonly respondentId: string }
  /** A code of an anonymous batch (issue 7): no named person behind it. */
  | { readonly kind: "anonymous"; readonly batchId: string; readonly unitCode: string | null };

/** The outcome of one redemption; every kind has its own respondent-facing message. */
export type RedemptionResult =
  | {
      readonly kind: "ok";
      readonly codeId: string;
      readonly campaignId: string;
      readonly subject: RedeemedSubject;
      /** True when this call bound the code; false when the same account came back. */
      readonly firstUse: boolean;
      /** The account also holds the code of another respondent of the campaign: flag the response. */
      readonly delegation: boolean;
    }
  /** Not a code at all: nothing counted against the account. */
  | { readonly kind: "invalid_format"; readonly problem: CodeProblem }
  | FailureResult<"unknown_code">
  /** A code already bound to another messaging account. */
  | FailureResult<"bound_to_other">
  | FailureResult<"revoked">
  /** An anonymous batch code whose response has been submitted: it works once. */
  | FailureResult<"spent">
  /** This account already holds another respondent's code and delegation is not allowed. */
  | FailureResult<"delegation_refused">
  /** Too many failures from this account: wait `retryAfterSeconds`. */
  | { readonly kind: "locked"; readonly retryAfterSeconds: number }
  /** Too many failures from everyone (an attack is likely): wait `retryAfterSeconds`. */
  | { readonly kind: "throttled"; readonly retryAfterSeconds: number }
  | { readonly kind: "campaign_not_open"; readonly campaignId: string; readonly opensAt: Date }
  | { readonly kind: "campaign_closed"; readonly campaignId: string; readonly closedAt: Date };

/**
 * A refused attempt that counts against the account: how many failures it has left, and when
 * this one used up the last, how long it is now locked.
 */
export interface FailureResult<K extends string> {
  readonly kind: K;
  readonly attemptsLeft: number;
  /** Present when this failure locked the account. */
  readonly retryAfterSeconds?: number;
}

/** Dependencies and settings of the redemption service. */
export interface RedemptionServiceOptions {
  readonly repository: AccessRepository;
  /** The key of code and account hashes (`loadCodeSecret`). */
  readonly secret: CodeKey;
  /** Whether one account may redeem codes of several respondents (always flagged and audited). */
  readonly allowDelegation?: boolean;
  readonly limits?: Partial<AccessLimits>;
}

/** One redemption request: what was typed (or the start payload), by whom, when. */
export interface RedeemRequest {
  readonly input: string;
  /** The messaging account, namespaced by channel, e.g. `telegram:123456789`. */
  readonly account: string;
  readonly now: Date;
}

/**
 * Checks one-time codes and binds each to the first messaging account that redeems it. Stores
 * codes and accounts only as keyed hashes; never logs what was typed.
 */
export class RedemptionService {
  readonly #repo: AccessRepository;
  readonly #secret: CodeKey;
  readonly #allowDelegation: boolean;
  readonly #limits: AccessLimits;
  /** A burst audit event is being written: concurrent failures of the same burst do not write another. */
  #burstAuditPending = false;

  constructor(options: RedemptionServiceOptions) {
    this.#repo = options.repository;
    this.#secret = options.secret;
    this.#allowDelegation = options.allowDelegation ?? false;
    this.#limits = { ...DEFAULT_ACCESS_LIMITS, ...options.limits };
  }

  /** Redeems a code for an account; see `RedemptionResult` for every outcome. */
  async redeem(request: RedeemRequest): Promise<RedemptionResult> {
    const { now } = request;
    const normalized = normalizeCode(request.input);
    if (!normalized.ok) return { kind: "invalid_format", problem: normalized.problem };
    const accountKey = hashAccount(request.account, this.#secret);

    const lockedFor = await this.#accountLockSeconds(accountKey, now);
    if (lockedFor > 0) return { kind: "locked", retryAfterSeconds: lockedFor };
    const throttledFor = await this.#globalThrottleSeconds(now);
    if (throttledFor > 0) return { kind: "throttled", retryAfterSeconds: throttledFor };

    const code = await this.#repo.findCodeByHash(hashCode(normalized.code, this.#secret));
    if (!code) return this.#fail("unknown_code", accountKey, now);
    if (code.status === "revoked") return this.#fail("revoked", accountKey, now);
    if (code.status === "used") return this.#fail("spent", accountKey, now);

    const window = code.campaign;
    const closedAt = window.closedAt !== null && window.closedAt <= now ? window.closedAt : window.closesAt <= now ? window.closesAt : null;
    if (closedAt) return { kind: "campaign_closed", campaignId: window.id, closedAt };
    if (now < window.opensAt) return { kind: "campaign_not_open", campaignId: window.id, opensAt: window.opensAt };

    if (code.boundAccountKey !== null) return this.#alreadyBound(code, accountKey, now);

    const othersBefore = await this.#otherRespondents(code, accountKey);
    if (othersBefore.length > 0 && !this.#allowDelegation) {
      await this.#audit("access.delegation_refused", now, code, accountKey, { otherRespondents: othersBefore.length });
      return this.#fail("delegation_refused", accountKey, now);
    }
    if (!(await this.#repo.bindCode(code.id, accountKey, now))) {
      // Lost a race: another request bound or revoked the code between our read and our update.
      const current = await this.#repo.findCodeById(code.id);
      if (!current || current.status === "revoked") return this.#fail("revoked", accountKey, now);
      if (current.status === "used") return this.#fail("spent", accountKey, now);
      return this.#alreadyBound(current, accountKey, now);
    }
    // Checked again after binding: two codes redeemed at once by one account are still flagged.
    const others = await this.#otherRespondents(code, accountKey);
    if (others.length > 0) await this.#audit("access.delegation", now, code, accountKey, { otherRespondents: others.length });
    return this.#succeed(code, accountKey, now, true, others.length > 0);
  }

  async #alreadyBound(code: StoredCode, accountKey: string, now: Date): Promise<RedemptionResult> {
    if (code.boundAccountKey === accountKey) {
      const others = await this.#otherRespondents(code, accountKey);
      return this.#succeed(code, accountKey, now, false, others.length > 0);
    }
    await this.#audit("access.bound_to_other", now, code, accountKey, { boundAt: code.boundAt?.toISOString() ?? null });
    return this.#fail("bound_to_other", accountKey, now);
  }

  async #otherRespondents(code: StoredCode, accountKey: string): Promise<readonly string[]> {
    if (code.respondentId === null) return [];
    const bound = await this.#repo.respondentsBoundTo(accountKey, code.campaign.id);
    return bound.filter((id) => id !== code.respondentId);
  }

  async #succeed(code: StoredCode, accountKey: string, now: Date, firstUse: boolean, delegation: boolean): Promise<RedemptionResult> {
    await this.#repo.recordAttempt({ accountKey, at: now, success: true });
    const subject: RedeemedSubject =
      code.respondentId !== null
        ? { kind: "respondent", respondentId: code.respondentId }
        : { kind: "anonymous", batchId: code.batchId ?? "", unitCode: code.unitCode };
    return { kind: "ok", codeId: code.id, campaignId: code.campaign.id, subject, firstUse, delegation };
  }

  // A success never clears earlier failures: otherwise one valid code of one's own would reset the
  // counter between every few guesses.
  // The failure is stored before it is counted: concurrent attempts all passed the checks at the
  // start, and counting after storing is what stops a simultaneous burst (the one whose count goes
  // over a limit is answered "locked" or "throttled", which tells nothing about the code).
  async #fail<K extends "unknown_code" | "bound_to_other" | "revoked" | "spent" | "delegation_refused">(
    kind: K,
    accountKey: string,
    now: Date,
  ): Promise<FailureResult<K> | { readonly kind: "locked" | "throttled"; readonly retryAfterSeconds: number }> {
    const limits = this.#limits;
    await this.#repo.recordAttempt({ accountKey, at: now, success: false });
    const inWindow = await this.#repo.recentFailures({
      accountKey,
      since: windowStart(now, limits.accountWindowMs),
      limit: limits.accountFailures + 1,
    });
    const throttledFor = await this.#globalThrottleSeconds(now);
    if (throttledFor > 0) await this.#auditBurst(now);
    if (inWindow.length > limits.accountFailures) {
      // Concurrent attempts of this account used up its last allowed failure before this one.
      return { kind: "locked", retryAfterSeconds: Math.max(1, await this.#accountLockSeconds(accountKey, now)) };
    }
    if (throttledFor > 0) return { kind: "throttled", retryAfterSeconds: throttledFor };
    const attemptsLeft = Math.max(0, limits.accountFailures - inWindow.length);
    if (inWindow.length === limits.accountFailures) {
      await this.#repo.recordAudit({ kind: "access.account_locked", at: now, campaignId: null, actor: accountKey, data: { failures: inWindow.length } });
    }
    const lockedFor = attemptsLeft === 0 ? await this.#accountLockSeconds(accountKey, now) : 0;
    return lockedFor > 0 ? { kind, attemptsLeft, retryAfterSeconds: lockedFor } : { kind, attemptsLeft };
  }

  /** Seconds left of the account's lock: its last `accountFailures` failures fell within one window. */
  async #accountLockSeconds(accountKey: string, now: Date): Promise<number> {
    const limits = this.#limits;
    const failures = await this.#repo.recentFailures({
      accountKey,
      since: new Date(now.getTime() - limits.accountLockMs - limits.accountWindowMs),
      limit: limits.accountFailures,
    });
    const newest = failures[0];
    const oldest = failures[limits.accountFailures - 1];
    if (newest === undefined || oldest === undefined) return 0;
    if (newest.getTime() - oldest.getTime() >= limits.accountWindowMs) return 0;
    return secondsUntil(newest.getTime() + limits.accountLockMs, now);
  }

  /** Seconds until the failures of everyone within the last window drop back to the limit. */
  async #globalThrottleSeconds(now: Date): Promise<number> {
    const limits = this.#limits;
    const failures = await this.#repo.recentFailures({
      since: windowStart(now, limits.globalWindowMs),
      limit: limits.globalFailures + 1,
    });
    const oldest = failures[limits.globalFailures];
    if (oldest === undefined) return 0;
    return Math.max(1, secondsUntil(oldest.getTime() + limits.globalWindowMs, now));
  }

  /** One burst audit event per cooldown, however long the burst lasts. */
  async #auditBurst(now: Date): Promise<void> {
    const limits = this.#limits;
    if (this.#burstAuditPending) return;
    this.#burstAuditPending = true;
    try {
      const last = await this.#repo.lastAuditAt("access.failure_burst", new Date(now.getTime() - limits.burstAuditCooldownMs));
      if (last !== null) return;
      await this.#repo.recordAudit({
        kind: "access.failure_burst",
        at: now,
        campaignId: null,
        actor: null,
        data: { failures: limits.globalFailures + 1, windowSeconds: Math.round(limits.globalWindowMs / 1000) },
      });
    } finally {
      this.#burstAuditPending = false;
    }
  }

  async #audit(kind: AuditRecord["kind"], now: Date, code: StoredCode, accountKey: string, extra: AuditRecord["data"]): Promise<void> {
    await this.#repo.recordAudit({
      kind,
      at: now,
      campaignId: code.campaign.id,
      actor: accountKey,
      data: { codeId: code.id, respondentId: code.respondentId, batchId: code.batchId, ...extra },
    });
  }
}

// Windows are half-open, (now - window, now]: a failure exactly one window old no longer counts.
function windowStart(now: Date, windowMs: number): Date {
  return new Date(now.getTime() - windowMs + 1);
}

function secondsUntil(timeMs: number, now: Date): number {
  return Math.max(0, Math.ceil((timeMs - now.getTime()) / 1000));
}
