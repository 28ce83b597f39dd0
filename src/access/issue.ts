import { generateCode, hashCode, type CodeKey, type RandomBytes } from "./codes.js";
import { DuplicateCodeError, type AccessRepository, type NewCode } from "./repository.js";

/** A respondent who may receive a code. */
export interface CodeHolder {
  readonly id: string;
  readonly unitCode: string;
}

/** A freshly issued code: the only place the plain code exists, until it is written to the issued file. */
export interface IssuedCode {
  readonly respondentId: string;
  /** Canonical form; show it with `formatCode`. */
  readonly code: string;
}

/** What `issueCodes` needs. */
export interface IssueCodesOptions {
  readonly repository: AccessRepository;
  readonly secret: CodeKey;
  readonly campaignId: string;
  readonly respondents: readonly CodeHolder[];
  readonly now: Date;
  /** Actor recorded in the audit log, e.g. `cli`. */
  readonly actor?: string;
  readonly random?: RandomBytes;
  /**
   * Called with the new codes before their hashes are stored (again if a draw is retried): write
   * the issued file here, so a file that cannot be written leaves no stored code nobody holds. On
   * PostgreSQL it runs while the hashes are written in a transaction committed only once it resolved.
   */
  readonly beforeStore?: (issued: readonly IssuedCode[]) => Promise<void>;
}

const MAX_TRIES = 3;

/**
 * Issues one code to every given respondent who has no active code, storing only the hashes in one
 * transaction; returns the plain codes (in the respondents' order) for the issued file.
 */
export async function issueCodes(options: IssueCodesOptions): Promise<IssuedCode[]> {
  const { repository, secret, campaignId, now } = options;
  const holding = await repository.respondentsWithActiveCode(campaignId);
  const pending = options.respondents.filter((r) => !holding.has(r.id));
  if (pending.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    const issued = pending.map((r) => ({ respondentId: r.id, unitCode: r.unitCode, code: generateCode(options.random) }));
    const rows: NewCode[] = issued.map((i) => ({
      codeHash: hashCode(i.code, secret),
      campaignId,
      respondentId: i.respondentId,
      batchId: null,
      unitCode: i.unitCode,
      issuedAt: now,
    }));
    const plain = issued.map(({ respondentId, code }) => ({ respondentId, code }));
    const beforeStore = options.beforeStore;
    try {
      // The file is written while the rows travel to the database (PostgreSQL); they are committed only once it is.
      await repository.insertCodes(rows, beforeStore ? () => beforeStore(plain) : undefined);
    } catch (error) {
      // A collision among 8.2e14 codes is practically impossible, but a fresh draw costs nothing.
      if (error instanceof DuplicateCodeError && attempt < MAX_TRIES) continue;
      throw error;
    }
    await repository.recordAudit({
      kind: "access.codes_issued",
      at: now,
      campaignId,
      actor: options.actor ?? null,
      data: { count: issued.length },
    });
    return plain;
  }
}

/** Revokes the active codes of one respondent; returns how many were revoked (0: none was active). */
export async function revokeCodes(options: {
  readonly repository: AccessRepository;
  readonly campaignId: string;
  readonly respondentId: string;
  readonly now: Date;
  readonly actor?: string;
}): Promise<number> {
  const count = await options.repository.revokeRespondentCodes(options.respondentId, options.now);
  if (count > 0) {
    await options.repository.recordAudit({
      kind: "access.code_revoked",
      at: options.now,
      campaignId: options.campaignId,
      actor: options.actor ?? null,
      data: { respondentId: options.respondentId, count },
    });
  }
  return count;
}

/** Revokes a respondent's active code (if any) and issues a new one: for a lost or leaked slip. */
export async function reissueCode(options: Omit<IssueCodesOptions, "respondents"> & { readonly respondent: CodeHolder }): Promise<IssuedCode> {
  await revokeCodes({ ...options, respondentId: options.respondent.id });
  const [issued] = await issueCodes({ ...options, respondents: [options.respondent] });
  if (!issued) throw new Error(`reissue: respondent ${options.respondent.id} still holds an active code after revocation`);
  return issued;
}
