// A campaign's submitted responses in the responses file layout (SURVEY-FORMAT 4), and as scoring
// input: the same module scores bot responses and responses imported from files.
import type { AnswerValue, Questionnaire } from "../questionnaire/index.js";
import type { CampaignRecord, Database, ImportCounts, StoredResponse } from "../db/index.js";
import type { ScoringInput, ScoringResponse } from "../scoring/index.js";
import { parseResponsesCsv, writeResponsesCsv, type RejectedRow, type RowWarning, type FileIssue } from "../scoring/io/index.js";
import { campaignQuestionnaire } from "./create.js";

function toScoring(r: StoredResponse, withIdentity: boolean): ScoringResponse {
  return {
    id: r.externalId ?? r.id,
    unit: r.unit,
    group: r.group,
    ...(r.startedAt ? { startedAt: r.startedAt.getTime() } : {}),
    ...(r.submittedAt ? { submittedAt: r.submittedAt.getTime() } : {}),
    answers: r.answers as Readonly<Record<string, AnswerValue>>,
    ...(withIdentity && r.respondentId ? { respondent: r.respondentId } : {}),
    ...(withIdentity && r.account ? { account: r.account } : {}),
    ...(r.decision ? { decision: r.decision } : {}),
  };
}

/** Scoring input of a campaign: its submitted responses and its units (campaign mode). */
export async function campaignScoringInput(
  db: Database,
  campaign: CampaignRecord,
  appraisal?: ReadonlyMap<string, number>,
): Promise<ScoringInput> {
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  // Respondent and account feed the delegation flag only; they never leave scoring.
  const responses = (await db.responses.submitted(campaign.id)).map((r) => toScoring(r, true));
  const units = new Set((await db.respondents.units(campaign.id)).map((u) => u.code));
  for (const r of responses) units.add(r.unit);
  return { questionnaire, responses, units: [...units].sort(), ...(appraisal ? { appraisal } : {}) };
}

/** The campaign's submitted responses as a responses CSV (no respondent identity in it). */
export async function exportCampaignResponses(db: Database, campaign: CampaignRecord): Promise<{ csv: string; count: number }> {
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  const responses = (await db.responses.submitted(campaign.id)).map((r) => toScoring(r, false));
  return { csv: writeResponsesCsv(questionnaire, responses, { timezone: campaign.timeZone }), count: responses.length };
}

/** The outcome of importing a responses file (nothing is written unless `imported`). */
export interface ResponsesImportReport {
  readonly imported: boolean;
  readonly counts: ImportCounts;
  readonly errors: readonly FileIssue[];
  readonly rejected: readonly RejectedRow[];
  readonly warnings: readonly RowWarning[];
  readonly questionnaire: Questionnaire;
}

/** Imports a responses file into a campaign: every row checked against its questionnaire; all or nothing unless `skipInvalid`. */
export async function importCampaignResponses(
  db: Database,
  campaign: CampaignRecord,
  source: Uint8Array,
  options: { skipInvalid?: boolean; now: Date },
): Promise<ResponsesImportReport> {
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  const parsed = parseResponsesCsv(source, questionnaire, { timezone: campaign.timeZone });
  const none = { created: 0, updated: 0, unchanged: 0 };
  const base = { errors: parsed.errors, rejected: parsed.rejected, warnings: parsed.warnings, questionnaire };
  if (parsed.errors.length > 0 || (parsed.rejected.length > 0 && !options.skipInvalid)) return { imported: false, counts: none, ...base };
  const counts = await db.responses.importResponses(
    campaign.id,
    campaign.questionnaireVersionPk,
    parsed.responses.map((r) => ({
      externalId: r.id,
      unit: r.unit,
      group: r.group,
      startedAt: r.startedAt === undefined ? null : new Date(r.startedAt),
      submittedAt: r.submittedAt === undefined ? null : new Date(r.submittedAt),
      answers: r.answers,
    })),
    options.now,
  );
  return { imported: true, counts, ...base };
}
