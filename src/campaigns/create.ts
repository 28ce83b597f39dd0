// Creating a campaign: load and freeze the questionnaire file, check the window, store both.
import { createHash, randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { formatIssue, parseQuestionnaire, type Questionnaire, type QuestionnaireIssue } from "../questionnaire/index.js";
import { isXlsformPath } from "../questionnaire/xlsform/source.js";
import type { CampaignRecord, CampaignRepository } from "../db/index.js";
import { DEFAULT_TIME_ZONE, formatZonedTime, isValidTimeZone, parseZonedTime } from "./time.js";
import { englishText, type Problem } from "../i18n/problem.js";

/** A problem with what the organiser asked for; the message says what to fix. */
export class CampaignInputError extends Error {
  constructor(
    message: string,
    /** The same by key of the `problems` namespace (where one is set), for a reader of another language. */
    readonly problem?: Problem,
    /** The questionnaire's problems the message lists (`issues` of the problem, in English), for a front end to list in its reader's language. */
    readonly issues?: readonly QuestionnaireIssue[],
  ) {
    super(message);
    this.name = "CampaignInputError";
  }
}

/** A CampaignInputError told by key (`problems:campaign.<key>`); its message is the English text. */
function inputError(key: string, params: Record<string, string | number> = {}, issues?: readonly QuestionnaireIssue[]): CampaignInputError {
  const problem = { key: `campaign.${key}`, params };
  return new CampaignInputError(englishText(problem), problem, issues);
}

/** What `campaign create` is given. */
export interface CreateCampaignInput {
  readonly questionnaireFile: string;
  readonly name: string;
  /** ISO 8601; without an offset, in `timeZone`. */
  readonly opens: string;
  /** ISO 8601; without an offset, in `timeZone`; a bare date means the end of that day. */
  readonly closes: string;
  readonly timeZone?: string;
  readonly identified?: boolean;
}

/** The created campaign and whether its questionnaire version was already stored. */
export interface CreatedCampaign {
  readonly campaign: CampaignRecord;
  readonly questionnaire: Questionnaire;
  readonly questionnaireReused: boolean;
}

// Lowercase letters and digits without look-alikes, so ids survive being read aloud or retyped.
const ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A new random campaign id, e.g. `c-7hk2mx9q`. */
export function newCampaignId(): string {
  let id = "c-";
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** Hex SHA-256 of the file bytes: identifies a questionnaire file exactly as loaded. */
export function sourceHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Loads and validates a questionnaire file; throws CampaignInputError listing every problem. */
export async function readQuestionnaire(file: string): Promise<{ questionnaire: Questionnaire; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw inputError("questionnaireMissing", { file });
    throw inputError("questionnaireUnreadable", { file, reason: (error as Error).message });
  }
  // An XLSForm is stored as the YAML it converts to, so the stored source loads like any other.
  if (isXlsformPath(file)) {
    const { importXlsform } = await import("../questionnaire/xlsform/import.js");
    const imported = await importXlsform(bytes, file);
    if (!imported.ok) throw inputError("questionnaireInvalid", { issues: imported.issues.map((i) => `  ${formatIssue(i)}`).join("\n") }, imported.issues);
    return { questionnaire: imported.questionnaire, bytes: new TextEncoder().encode(imported.yaml) };
  }
  const result = parseQuestionnaire(bytes, file);
  if (!result.ok) throw inputError("questionnaireInvalid", { issues: result.issues.map((i) => `  ${formatIssue(i)}`).join("\n") }, result.issues);
  return { questionnaire: result.questionnaire, bytes };
}

/** Creates a campaign, storing the questionnaire version (or reusing the identical stored one). */
export async function createCampaign(campaigns: CampaignRepository, input: CreateCampaignInput): Promise<CreatedCampaign> {
  const name = input.name.trim();
  if (name === "") throw inputError("emptyName");
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) throw inputError("badTimeZone", { timeZone, example: DEFAULT_TIME_ZONE });
  const opensAt = parseZonedTime(input.opens, timeZone);
  if (!opensAt) throw inputError("badOpens", { value: input.opens, timeZone });
  const closesAt = parseZonedTime(input.closes, timeZone, { endOfDay: true });
  if (!closesAt) throw inputError("badCloses", { value: input.closes, timeZone });
  if (closesAt.getTime() <= opensAt.getTime()) {
    throw inputError("closesBeforeOpens", { closes: formatZonedTime(closesAt, timeZone), opens: formatZonedTime(opensAt, timeZone) });
  }
  const { questionnaire, bytes } = await readQuestionnaire(input.questionnaireFile);
  const stored = await campaigns.storeQuestionnaireVersion({
    questionnaireId: questionnaire.id,
    version: questionnaire.version,
    fileName: path.basename(input.questionnaireFile),
    source: new TextDecoder().decode(bytes),
    sourceHash: sourceHash(bytes),
  });
  if (!stored.ok) {
    throw inputError("versionTaken", {
      id: questionnaire.id,
      version: questionnaire.version,
      storedFile: stored.stored.fileName,
      loadedAt: formatZonedTime(stored.stored.loadedAt, timeZone),
      file: input.questionnaireFile,
    });
  }
  const campaign = await campaigns.create({
    id: newCampaignId(),
    name,
    questionnaireVersionPk: stored.record.pk,
    opensAt,
    closesAt,
    timeZone,
    identified: input.identified ?? false,
  });
  return { campaign, questionnaire, questionnaireReused: stored.reused };
}

/** The questionnaire of a campaign, parsed from the stored source. */
export async function campaignQuestionnaire(campaigns: CampaignRepository, campaign: CampaignRecord): Promise<Questionnaire> {
  const version = await campaigns.questionnaireVersion(campaign.questionnaireVersionPk);
  if (!version) throw new Error(`bug: campaign ${campaign.id} has no questionnaire version`);
  const result = parseQuestionnaire(version.source, version.fileName);
  if (!result.ok) throw new CampaignInputError(`the stored questionnaire ${version.fileName} no longer loads:\n${result.issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`);
  return result.questionnaire;
}
