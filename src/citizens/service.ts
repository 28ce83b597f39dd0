import { DuplicateCodeError, generateCode, hashAccount, hashCode, type CodeKey, type NewCode, type RandomBytes } from "../access/index.js";
import { DEFAULT_POSTER_PERIOD_DAYS, generatePosterToken, hashPosterToken, posterClaimKey, posterPeriod } from "./poster.js";
import type { BatchKind, CitizensRepository } from "./repository.js";

/** Most codes one batch may hold: a day's receipts of a busy desk many times over, and a PDF that still opens. */
export const MAX_BATCH_COUNT = 10_000;
/** Longest service name printed on a slip. */
export const MAX_SERVICE_LENGTH = 200;

/** When many responses for one unit arrive within minutes, organisers are told (an audit event). */
export interface BurstRule {
  /** More than this many submitted responses for one unit within `windowMinutes` is a burst. */
  readonly responses: number;
  readonly windowMinutes: number;
  /** At most one burst event per unit per this many minutes. */
  readonly cooldownMinutes: number;
}

/** More than 30 responses for one unit within 10 minutes; one event per unit an hour at most. */
export const DEFAULT_BURST_RULE: BurstRule = Object.freeze({ responses: 30, windowMinutes: 10, cooldownMinutes: 60 });

/** Bad organiser input to the citizens' module (the CLI prints the message). */
export class CitizensInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CitizensInputError";
  }
}

/** Settings of `CitizenService`. */
export interface CitizenServiceOptions {
  readonly repository: CitizensRepository;
  /** The key of the keyed hashes (`loadCodeSecret`). */
  readonly secret: CodeKey;
  /** Period of new posters: one response per account and unit per this many days (default 30). */
  readonly posterPeriodDays?: number;
  readonly burst?: Partial<BurstRule>;
  readonly random?: RandomBytes;
}

/** A freshly issued batch: the plain codes exist only here until written to the issued file. */
export interface IssuedBatch {
  readonly batchId: string;
  readonly unitName: string;
  readonly codes: readonly string[];
}

/** A freshly created poster: the plain token exists only here until printed. */
export interface CreatedPoster {
  readonly posterId: string;
  readonly unitName: string;
  readonly token: string;
  readonly periodDays: number;
}

/** Outcome of scanning a poster. */
export type PosterScanResult =
  | {
      readonly kind: "ok";
      readonly posterId: string;
      readonly campaignId: string;
      readonly unitCode: string;
      readonly service: string | null;
      /** What `complete` needs to record the claim for this poster. */
      readonly source: AnonymousSource & { readonly kind: "poster" };
    }
  | { readonly kind: "unknown_poster" }
  | { readonly kind: "withdrawn" }
  /** This account already answered for this unit in the current period: refused and counted. */
  | { readonly kind: "already_answered"; readonly campaignId: string; readonly nextPeriodAt: Date }
  | { readonly kind: "campaign_not_open"; readonly campaignId: string; readonly opensAt: Date }
  | { readonly kind: "campaign_closed"; readonly campaignId: string; readonly closedAt: Date };

/** How an anonymous response came in. */
export type AnonymousSource =
  | { readonly kind: "code"; readonly codeId: string }
  | { readonly kind: "poster"; readonly posterId: string; readonly opensAt: Date; readonly periodDays: number };

/** What to do once an anonymous response is submitted. */
export interface CompleteRequest {
  readonly campaignId: string;
  readonly unitCode: string;
  /** The messaging account, only to derive the poster claim key; never stored. */
  readonly account: string;
  readonly source: AnonymousSource;
  readonly responseId: string | null;
  readonly sessionId: string | null;
  readonly now: Date;
}

/**
 * Citizens' feedback: anonymous code batches, counter posters with their one-response-per-period
 * rule, and the clean-up after an anonymous submission that leaves nothing linking the response to
 * the account or chat.
 */
export class CitizenService {
  readonly #repo: CitizensRepository;
  readonly #secret: CodeKey;
  readonly #periodDays: number;
  readonly #burst: BurstRule;
  readonly #random: RandomBytes | undefined;

  constructor(options: CitizenServiceOptions) {
    this.#repo = options.repository;
    this.#secret = options.secret;
    this.#periodDays = options.posterPeriodDays ?? DEFAULT_POSTER_PERIOD_DAYS;
    if (!(Number.isInteger(this.#periodDays) && this.#periodDays >= 1)) throw new CitizensInputError(`the poster period must be a whole number of days, at least 1 (got ${this.#periodDays})`);
    this.#burst = { ...DEFAULT_BURST_RULE, ...options.burst };
    this.#random = options.random;
  }

  /** Issues `count` single-use anonymous codes for a unit (and service); `beforeStore` writes the file first. */
  async issueBatch(request: {
    readonly campaignId: string;
    readonly unitCode: string;
    readonly service?: string;
    /** Creates the unit when the campaign does not have it yet (citizens' campaigns have no imported sample). */
    readonly unitName?: string;
    readonly count: number;
    readonly kind: BatchKind;
    readonly now: Date;
    readonly actor?: string;
    readonly beforeStore?: (batch: { readonly unitName: string; readonly codes: readonly string[] }) => Promise<void>;
  }): Promise<IssuedBatch> {
    const { campaignId, unitCode, count, now } = request;
    if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_COUNT) {
      throw new CitizensInputError(`--count must be a whole number from 1 to ${MAX_BATCH_COUNT} (got ${String(count)})`);
    }
    const service = this.#service(request.service);
    const unitName = await this.#unitName(campaignId, unitCode, request.unitName);
    for (let attempt = 1; ; attempt++) {
      const codes = Array.from({ length: count }, () => generateCode(this.#random));
      const rows: Omit<NewCode, "batchId">[] = codes.map((code) => ({ codeHash: hashCode(code, this.#secret), campaignId, respondentId: null, unitCode, issuedAt: now }));
      if (new Set(rows.map((r) => r.codeHash)).size !== rows.length) continue;
      await request.beforeStore?.({ unitName, codes });
      let batchId: string;
      try {
        batchId = await this.#repo.insertBatch({ campaignId, unitCode, service, kind: request.kind, createdAt: now }, rows);
      } catch (error) {
        // A collision with a stored code is practically impossible (8.2e14 codes), but a fresh draw costs nothing.
        if (error instanceof DuplicateCodeError && attempt < 3) continue;
        throw error;
      }
      await this.#repo.recordAudit({ kind: "citizens.batch_issued", at: now, campaignId, actor: request.actor ?? null, data: { batchId, unit: unitCode, service, count, kind: request.kind } });
      return { batchId, unitName, codes };
    }
  }

  /** Creates a counter poster for a unit (and service): a new token, stored only as a keyed hash. */
  async createPoster(request: {
    readonly campaignId: string;
    readonly unitCode: string;
    readonly service?: string;
    readonly unitName?: string;
    readonly now: Date;
    readonly actor?: string;
    /** Overrides the service's default period for this poster. */
    readonly periodDays?: number;
  }): Promise<CreatedPoster> {
    const { campaignId, unitCode, now } = request;
    const periodDays = request.periodDays ?? this.#periodDays;
    if (!(Number.isInteger(periodDays) && periodDays >= 1 && periodDays <= 3660)) throw new CitizensInputError(`--period-days must be a whole number of days from 1 to 3660 (got ${String(periodDays)})`);
    const service = this.#service(request.service);
    const unitName = await this.#unitName(campaignId, unitCode, request.unitName);
    const token = generatePosterToken(this.#random);
    const posterId = await this.#repo.insertPoster({ campaignId, unitCode, service, tokenHash: hashPosterToken(token, this.#secret), createdAt: now, periodDays });
    await this.#repo.recordAudit({ kind: "citizens.poster_created", at: now, campaignId, actor: request.actor ?? null, data: { posterId, unit: unitCode, service, periodDays } });
    return { posterId, unitName, token, periodDays };
  }

  /** Checks a scanned poster for an account: open campaign, and no response from this account for the unit this period. */
  async scanPoster(request: { readonly token: string; readonly account: string; readonly now: Date }): Promise<PosterScanResult> {
    const { now } = request;
    const poster = await this.#repo.findPosterByTokenHash(hashPosterToken(request.token, this.#secret));
    if (!poster) return { kind: "unknown_poster" };
    if (poster.revokedAt !== null && poster.revokedAt <= now) return { kind: "withdrawn" };
    const window = poster.campaign;
    const closedAt = window.closedAt !== null && window.closedAt <= now ? window.closedAt : window.closesAt <= now ? window.closesAt : null;
    if (closedAt) return { kind: "campaign_closed", campaignId: window.id, closedAt };
    if (now < window.opensAt) return { kind: "campaign_not_open", campaignId: window.id, opensAt: window.opensAt };
    const period = posterPeriod(now, window.opensAt, poster.periodDays);
    if (await this.#repo.hasClaim(this.#claimKey(request.account, window.id, poster.unitCode, period.index))) {
      await this.#repo.countRefusal(poster.id);
      return { kind: "already_answered", campaignId: window.id, nextPeriodAt: period.endsAt };
    }
    return {
      kind: "ok",
      posterId: poster.id,
      campaignId: window.id,
      unitCode: poster.unitCode,
      service: poster.service,
      source: { kind: "poster", posterId: poster.id, opensAt: window.opensAt, periodDays: poster.periodDays },
    };
  }

  /**
   * After an anonymous submission: spends the batch code, or records the poster claim (refusing a
   * second response in the period), clears the account from the response, deletes the chat
   * session, and reports a burst. "already_answered" when the poster claim already existed.
   */
  async complete(request: CompleteRequest): Promise<"completed" | "already_answered"> {
    const { campaignId, unitCode, source, now } = request;
    let claim: { key: string; expiresAt: Date } | null = null;
    if (source.kind === "poster") {
      const period = posterPeriod(now, source.opensAt, source.periodDays);
      claim = { key: this.#claimKey(request.account, campaignId, unitCode, period.index), expiresAt: period.endsAt };
    }
    const outcome = await this.#repo.completeAnonymous({
      campaignId,
      unitCode,
      at: now,
      codeId: source.kind === "code" ? source.codeId : null,
      claim,
      responseId: request.responseId,
      sessionId: request.sessionId,
      accountKey: hashAccount(request.account, this.#secret),
    });
    if (outcome === "already_claimed") {
      // A second response in the period (two sessions raced): still forget the account and chat.
      await this.#repo.completeAnonymous({ campaignId, unitCode, at: now, codeId: null, claim: null, responseId: request.responseId, sessionId: request.sessionId, accountKey: hashAccount(request.account, this.#secret) });
      return "already_answered";
    }
    await this.#checkBurst(campaignId, unitCode, now);
    return "completed";
  }

  async #checkBurst(campaignId: string, unitCode: string, now: Date): Promise<void> {
    const rule = this.#burst;
    const since = new Date(now.getTime() - rule.windowMinutes * 60_000 + 1);
    const count = await this.#repo.submissionsSince(campaignId, unitCode, since);
    if (count <= rule.responses) return;
    const last = await this.#repo.lastAuditAt("citizens.poster_burst", campaignId, unitCode, new Date(now.getTime() - rule.cooldownMinutes * 60_000));
    if (last !== null) return;
    await this.#repo.recordAudit({
      kind: "citizens.poster_burst",
      at: now,
      campaignId,
      actor: null,
      data: { unit: unitCode, responses: count, windowMinutes: rule.windowMinutes, threshold: rule.responses },
    });
  }

  #claimKey(account: string, campaignId: string, unitCode: string, period: number): string {
    // The account is hashed first with the access module's key, so the claim derives from the same
    // account key the access tables use and never from the raw id alone.
    return posterClaimKey(hashAccount(account, this.#secret), campaignId, unitCode, period, this.#secret);
  }

  #service(service: string | undefined): string | null {
    const text = service?.normalize("NFC").trim() ?? "";
    if (text === "") return null;
    if ([...text].length > MAX_SERVICE_LENGTH) throw new CitizensInputError(`--service is too long: at most ${MAX_SERVICE_LENGTH} characters fit on a slip`);
    if (/\p{Cc}/u.test(text)) throw new CitizensInputError("--service must be one line of text, without control characters");
    return text;
  }

  async #unitName(campaignId: string, unitCode: string, newName: string | undefined): Promise<string> {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(unitCode)) throw new CitizensInputError(`--unit "${unitCode}" is not a unit code: 1-64 letters, digits, "_", "." or "-"`);
    const name = await this.#repo.unitName(campaignId, unitCode);
    if (name !== null) return name;
    const given = newName?.normalize("NFC").trim() ?? "";
    if (given === "") {
      throw new CitizensInputError(`campaign "${campaignId}" has no unit "${unitCode}"; give its name with --unit-name "..." to add it, or check the code`);
    }
    await this.#repo.addUnit(campaignId, unitCode, given);
    return given;
  }
}
