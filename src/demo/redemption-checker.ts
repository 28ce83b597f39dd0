import { randomBytes } from "node:crypto";
import { MemoryAccessRepository, RedemptionService, hashCode, parseCode, type CodeKey } from "../access/index.js";
import { Secret } from "../config/index.js";
import type { CodeChecker, CodeCheckResult, Respondent } from "./ports.js";

/**
 * A `CodeChecker` over the access module's redemption service: codes as keyed hashes, one account
 * per code, failure limits. The bot gives it the database repository; the demo an in-memory one.
 */
export class RedemptionCodeChecker implements CodeChecker {
  constructor(
    private readonly service: RedemptionService,
    /** The respondent a redeemed named code belongs to. */
    private readonly findRespondent: (respondentId: string) => Promise<Respondent | undefined>,
  ) {}

  async redeem(input: string, account: string, now: Date): Promise<CodeCheckResult> {
    const result = await this.service.redeem({ input, account, now });
    switch (result.kind) {
      case "ok": {
        if (result.subject.kind !== "respondent") return { kind: "invalid" };
        const respondent = await this.findRespondent(result.subject.respondentId);
        return respondent ? { kind: "ok", respondent } : { kind: "invalid" };
      }
      case "locked":
      case "throttled":
        return { kind: "too_many_attempts", retryAfterSeconds: result.retryAfterSeconds };
      case "bound_to_other":
      case "spent":
      case "delegation_refused":
        return result.retryAfterSeconds !== undefined ? { kind: "too_many_attempts", retryAfterSeconds: result.retryAfterSeconds } : { kind: "already_used" };
      case "unknown_code":
      case "revoked":
        return result.retryAfterSeconds !== undefined ? { kind: "too_many_attempts", retryAfterSeconds: result.retryAfterSeconds } : { kind: "invalid" };
      case "invalid_format":
        return { kind: "invalid" };
      case "campaign_not_open":
        return { kind: "campaign_not_open", opensAt: result.opensAt };
      case "campaign_closed":
        return { kind: "campaign_closed", closedAt: result.closedAt };
    }
  }
}

/**
 * The demo's access: one campaign open around `now`, the given codes issued to their respondents,
 * all in memory under a throw-away secret.
 */
export async function createDemoCodeChecker(codes: ReadonlyMap<string, Respondent>, now: Date, secret: CodeKey = new Secret(randomBytes(32).toString("hex"))): Promise<CodeChecker> {
  const repository = new MemoryAccessRepository();
  const day = 24 * 60 * 60 * 1000;
  repository.setCampaign({ id: "demo", opensAt: new Date(now.getTime() - day), closesAt: new Date(now.getTime() + 30 * day), closedAt: null });
  const respondents = new Map<string, Respondent>();
  await repository.insertCodes(
    [...codes].map(([code, respondent]) => {
      respondents.set(respondent.id, respondent);
      return { codeHash: hashCode(parseCode(code), secret), campaignId: "demo", respondentId: respondent.id, batchId: null, unitCode: null, issuedAt: now };
    }),
  );
  return new RedemptionCodeChecker(new RedemptionService({ repository, secret }), async (id) => respondents.get(id));
}
