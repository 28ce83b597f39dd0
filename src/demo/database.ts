// The demo over the database: a demo campaign with the demo questionnaire, demo respondents and
// their codes are created once; the console session's answers are stored as Response and Answer rows.
//
// Each demo respondent answers once. When the latest one has submitted (or declined), the next run
// takes a new demo respondent with a new code, so a newcomer always gets the whole walk-through and
// earlier responses stay in the database for `khaosat responses export` and `khaosat score`.
import { createHash } from "node:crypto";
import path from "node:path";
import { RedemptionService, formatCode, generateCode, hashCode, parseCode, type CodeKey } from "../access/index.js";
import type { Database } from "../db/index.js";
import type { Questionnaire } from "../questionnaire/index.js";
import type { CodeChecker, SurveySessionStore } from "./ports.js";
import { RedemptionCodeChecker } from "./redemption-checker.js";
import { DEMO_CODE, DEMO_RESPONDENT } from "./sample.js";

/** The demo campaign's id for the default questionnaire. */
export const DEMO_CAMPAIGN_ID = "demo";

/** The demo's questionnaire could not be stored (another file under the same id and version). */
export class DemoStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DemoStorageError";
  }
}

/** What `prepareDatabaseDemo` needs. */
export interface DatabaseDemoOptions {
  readonly questionnaire: Questionnaire;
  /** The questionnaire file's bytes, stored as loaded. */
  readonly source: Uint8Array;
  readonly fileName: string;
  /** Key of the code hashes (the configured or generated code secret). */
  readonly secret: CodeKey;
  /** Language of the demo respondents. */
  readonly language: string;
  readonly now: Date;
}

/** The demo's ports over the database, and who this run's demo respondent is. */
export interface DatabaseDemo {
  readonly campaignId: string;
  readonly codes: CodeChecker;
  readonly store: SurveySessionStore;
  /** The messaging account of this demo respondent (`console:demo`, `console:demo-2`, …). */
  readonly account: string;
  /** This run's code, formatted. */
  readonly demoCode: string;
  /** 1 for the first demo respondent; more when earlier ones finished. */
  readonly respondentNumber: number;
  /** How the previous demo respondent finished (submitted, or declined at identity or the attestation), when this run starts a new one. */
  readonly fresh: "completed" | "declined" | undefined;
}

/**
 * Creates (once) the demo campaign, and the demo respondent and code this run uses; returns the
 * demo's ports over the database.
 */
export async function prepareDatabaseDemo(db: Database, options: DatabaseDemoOptions): Promise<DatabaseDemo> {
  const { questionnaire } = options;
  const campaignId = await demoCampaign(db, options);
  const existing = (await db.respondents.list(campaignId)).map((r) => ({ r, n: demoNumber(r.externalId) })).filter((x) => x.n > 0);
  let number = Math.max(1, ...existing.map((x) => x.n));
  let latest = existing.find((x) => x.n === number)?.r;
  const storeFor = (n: number) => db.channel.surveySessions({ campaignId, account: accountOf(n) });
  let fresh: DatabaseDemo["fresh"];
  if (latest) {
    // The demo runs on the conversation host (console channel sessions). A session stored by the
    // earlier console demo (its state is the bare engine state, without `stage`) is not resumed by
    // the host: that respondent counts as finished and a new demo respondent starts.
    const session = await db.channel.sessionsOf("console").findLatest(accountOf(number));
    const legacy = session !== undefined && (session as { stage?: unknown }).stage === undefined;
    const position = session?.engine?.position.kind;
    if (legacy || session?.stage === "declined" || position === "completed" || position === "declined") {
      number++;
      latest = undefined;
      fresh = session?.stage === "declined" || position === "declined" ? "declined" : "completed";
    }
  }
  if (!latest) {
    const group = questionnaire.definition.groups?.[0]?.id ?? "respondents";
    await db.respondents.importRespondents(campaignId, [
      {
        externalId: `demo-${number}`,
        fullName: demoRespondentName(number),
        unitCode: DEMO_RESPONDENT.unit.id,
        unitName: DEMO_RESPONDENT.unit.name,
        groupId: group,
        language: options.language,
        phone: null,
        email: null,
        subjectUnits: DEMO_RESPONDENT.subjectUnits.map((u) => u.id),
        coordinator: false,
      },
    ]);
    latest = (await db.respondents.getByExternalId(campaignId, `demo-${number}`))!;
  }
  const code = demoCodeFor(number, options.secret);
  const codeHash = hashCode(code, options.secret);
  const stored = await db.channel.access.findCodeByHash(codeHash);
  if (!stored) {
    // A lost secret file makes the old code's hash useless: replace the code.
    await db.channel.access.revokeRespondentCodes(latest.id, options.now);
    await db.channel.access.insertCodes([{ codeHash, campaignId, respondentId: latest.id, batchId: null, unitCode: null, issuedAt: options.now }]);
  }
  const service = new RedemptionService({ repository: db.channel.access, secret: options.secret });
  // The demo speaks the configured language, whatever the respondent row says.
  const codes = new RedemptionCodeChecker(service, async (id) => {
    const respondent = await db.channel.respondents.find(id);
    if (!respondent) return undefined;
    const { language: _language, ...rest } = respondent;
    return rest;
  });
  return { campaignId, codes, store: storeFor(number), account: accountOf(number), demoCode: formatCode(code), respondentNumber: number, fresh };
}

/** How long a demo campaign stays open from its creation: like a real survey round. */
export const DEMO_CAMPAIGN_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The demo campaign for this questionnaire: `demo` for the first one stored, else
 * `demo-<id>-v<version>`; once that one has closed (a demo database older than a month), a new one
 * named after the day, so the demo works whatever the clock says.
 */
async function demoCampaign(db: Database, options: DatabaseDemoOptions): Promise<string> {
  const { questionnaire, now } = options;
  const matches = (c: { questionnaireId: string; questionnaireVersion: number; opensAt: Date; closesAt: Date; closedAt: Date | null } | null) =>
    c !== null && c.questionnaireId === questionnaire.id && c.questionnaireVersion === questionnaire.version && c.opensAt <= now && now < c.closesAt && c.closedAt === null;
  const main = await db.campaigns.get(DEMO_CAMPAIGN_ID);
  if (matches(main)) return DEMO_CAMPAIGN_ID;
  const versioned = `demo-${questionnaire.id}-v${questionnaire.version}`;
  const candidates = [DEMO_CAMPAIGN_ID, versioned, `${versioned}-${now.toISOString().slice(0, 10).replace(/-/g, "")}`];
  let id: string | undefined;
  for (const candidate of candidates) {
    const existing = candidate === DEMO_CAMPAIGN_ID ? main : await db.campaigns.get(candidate);
    if (matches(existing)) return candidate;
    if (existing === null) {
      id = candidate;
      break;
    }
  }
  if (id === undefined) throw new DemoStorageError(`the demo campaigns of questionnaire ${questionnaire.id} version ${questionnaire.version} are all closed; use another DATABASE_URL for the demo`);
  const stored = await db.campaigns.storeQuestionnaireVersion({
    questionnaireId: questionnaire.id,
    version: questionnaire.version,
    fileName: path.basename(options.fileName),
    source: new TextDecoder().decode(options.source),
    sourceHash: createHash("sha256").update(options.source).digest("hex"),
  });
  if (!stored.ok) {
    throw new DemoStorageError(
      `the database already holds questionnaire ${questionnaire.id} version ${questionnaire.version} from a different file (${stored.stored.fileName}); bump version in ${options.fileName}, or use another DATABASE_URL for the demo`,
    );
  }
  // Open since yesterday, closing in a month at 17:00 Vietnam time (10:00 UTC): a believable round.
  const closesAt = new Date(Math.floor((now.getTime() + DEMO_CAMPAIGN_DAYS * DAY_MS) / DAY_MS) * DAY_MS + 10 * 3_600_000);
  await db.campaigns.create({
    id,
    name: `Demo: ${questionnaire.id} v${questionnaire.version}`,
    questionnaireVersionPk: stored.record.pk,
    opensAt: new Date(now.getTime() - DAY_MS),
    closesAt,
    timeZone: "Asia/Ho_Chi_Minh",
    identified: false,
  });
  return id;
}

function demoNumber(externalId: string): number {
  const match = /^demo-(\d+)$/.exec(externalId);
  return match ? Number(match[1]) : 0;
}

/** The messaging account of demo respondent `n`. */
export function demoAccountOf(n: number): string {
  return accountOf(n);
}

function accountOf(n: number): string {
  return n === 1 ? "console:demo" : `console:demo-${n}`;
}

/**
 * The code of demo respondent `n`: the published DEMO_CODE for the first; for later ones derived from
 * the secret, so a resumed run shows the same code without storing it in plain text.
 */
export function demoCodeFor(n: number, secret: CodeKey): string {
  if (n === 1) return parseCode(DEMO_CODE);
  let block = 0;
  return generateCode((size) => Buffer.from(hashCode(`demo-respondent:${n}:${block++}`, secret), "hex").subarray(0, size));
}

/** Names of the demo respondents after the first, so that each new one is told apart from the last. */
const MORE_DEMO_NAMES = ["Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang", "Đặng Văn Hải", "Bùi Thị Lan"];

/** The name of demo respondent number `n` (1: the sample's). */
export function demoRespondentName(n: number): string {
  return n <= 1 ? DEMO_RESPONDENT.name : MORE_DEMO_NAMES[(n - 2) % MORE_DEMO_NAMES.length]!;
}
