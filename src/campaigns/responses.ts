// A campaign's submitted responses in the responses file layout (SURVEY-FORMAT 4), and as scoring
// input: the same module scores bot responses and responses imported from files.
import type { AnswerValue, Questionnaire } from "../questionnaire/index.js";
import type { CampaignRecord, Database, ImportCounts, StoredResponse } from "../db/index.js";
import type { ScoringInput, ScoringResponse } from "../scoring/index.js";
import { parseResponsesCsv, writeResponsesCsv, type RejectedRow, type RowWarning, type FileIssue } from "../scoring/io/index.js";
import { protectBreakdown, smallCellThreshold } from "../privacy/index.js";
import { englishText, type Problem } from "../i18n/problem.js";
import { campaignQuestionnaire } from "./create.js";

/** Changed rows of collected responses named one by one; the rest counted. */
const MAX_CONFLICTS_LISTED = 10;

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
    ...(r.seconds ? { seconds: r.seconds } : {}),
  };
}

/** Scoring input of a campaign: its submitted responses and its units (campaign mode). */
export async function campaignScoringInput(
  db: Database,
  campaign: CampaignRecord,
  appraisal?: ReadonlyMap<string, number>,
): Promise<ScoringInput & { readonly responses: readonly ScoringResponse[] }> {
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  // Respondent and account feed the delegation flag only; they never leave scoring.
  const responses = (await db.responses.submitted(campaign.id)).map((r) => toScoring(r, true));
  const units = new Set((await db.respondents.units(campaign.id)).map((u) => u.code));
  for (const r of responses) units.add(r.unit);
  return { questionnaire, responses, units: [...units].sort(), ...(appraisal ? { appraisal } : {}) };
}

/** What an export wrote, and how many rows the small-cell rule withheld from it. */
export interface CampaignResponsesCounts {
  /** Rows written. */
  readonly count: number;
  /** Rows withheld: their (subject unit, group) cell has fewer than `minResponses` submitted responses. */
  readonly withheld: number;
  /** Cells withheld (counts only, never which people). */
  readonly withheldCells: number;
  readonly minResponses: number;
}

/** A campaign's responses file as one text (small campaigns, the admin's /export), and its counts. */
export interface CampaignResponsesExport extends CampaignResponsesCounts {
  readonly csv: string;
}

/**
 * Writes the campaign's submitted responses as a responses CSV to `write`, page by page (bounded
 * memory at any size): the fixed columns, `channel` (telegram, zalo, console, import), identity
 * columns when asked, then the questions. Without `--identified` the rows of a (subject unit,
 * group) cell with fewer than `minResponses` submitted responses are withheld: a row is one
 * person's answers, and participation tells who the few people of a small cell are (for anonymous
 * citizens, the unit and time could point to the person served at the counter). The cells' sizes
 * are counted by the database first. An `--identified` campaign exists to export named data, so
 * nothing is withheld there, and with `withIdentity` each row carries the respondent's external id and name.
 */
export async function streamCampaignResponses(
  db: Database,
  campaign: CampaignRecord,
  write: (chunk: string) => Promise<void> | void,
  options: { readonly withIdentity?: boolean } = {},
): Promise<CampaignResponsesCounts> {
  const withIdentity = options.withIdentity === true;
  if (withIdentity && !campaign.identified) throw new Error(`bug: identities requested for campaign ${campaign.id}, which is not --identified`);
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  const minResponses = smallCellThreshold(questionnaire.definition);
  const cellKey = (unit: string, group: string) => JSON.stringify([unit, group]);
  let shown: Set<string> | undefined;
  let withheld = 0;
  let withheldCells = 0;
  if (!campaign.identified) {
    const sizes = new Map<string, number>();
    for (const row of await db.participation.submittedByChannel(campaign.id)) {
      const key = cellKey(row.unit, row.groupId);
      sizes.set(key, (sizes.get(key) ?? 0) + row.count);
    }
    // No total is published next to the rows, so a withheld cell cannot be worked out from the others.
    const kept = protectBreakdown([...sizes], ([, n]) => n, minResponses, { totalShown: false });
    withheldCells = kept.hidden;
    shown = new Set(kept.shown.map(([key]) => key));
    for (const [key, n] of sizes) if (!shown.has(key)) withheld += n;
  }
  let people: Map<string, { externalId: string; fullName: string }> | undefined;
  if (withIdentity) people = new Map((await db.respondents.list(campaign.id)).map((p) => [p.id, p]));
  const base = { timezone: campaign.timeZone, timed: await db.responses.hasAnswerTimes(campaign.id) };
  const header = (identities: boolean) => writeResponsesCsv(questionnaire, [], { ...base, channel: () => "", ...(identities ? { identities: () => [] } : {}) });
  await write(header(withIdentity));
  let count = 0;
  for await (const page of db.responses.submittedPages(campaign.id)) {
    const rows = shown ? page.filter((r) => shown.has(cellKey(r.unit, r.group))) : page;
    if (rows.length === 0) continue;
    const byId = new Map(rows.map((r) => [r.externalId ?? r.id, r]));
    const identities = people
      ? (r: ScoringResponse) => {
          const respondentId = byId.get(r.id)?.respondentId;
          const person = respondentId ? people.get(respondentId) : undefined;
          return [person?.externalId ?? "", person?.fullName ?? ""];
        }
      : undefined;
    await write(
      writeResponsesCsv(
        questionnaire,
        rows.map((r) => toScoring(r, false)),
        { ...base, header: false, channel: (r) => byId.get(r.id)?.channel ?? "", ...(identities ? { identities } : {}) },
      ),
    );
    count += rows.length;
  }
  return { count, withheld, withheldCells, minResponses };
}

/** The campaign's responses CSV as one text (see streamCampaignResponses). */
export async function exportCampaignResponses(
  db: Database,
  campaign: CampaignRecord,
  options: { readonly withIdentity?: boolean } = {},
): Promise<CampaignResponsesExport> {
  const parts: string[] = [];
  const counts = await streamCampaignResponses(db, campaign, (chunk) => void parts.push(chunk), options);
  return { csv: parts.join(""), ...counts };
}

/** The stderr note of an export that withheld rows (counts only, never which people). */
export function withheldRowsNote(e: CampaignResponsesCounts): string {
  const rows = `${e.withheld} row${e.withheld === 1 ? "" : "s"}`;
  const cells = `${e.withheldCells} unit/group cell${e.withheldCells === 1 ? "" : "s"}`;
  return `${rows} withheld: ${cells} with fewer than ${e.minResponses} submitted responses (minResponses), where a row could be one identifiable person's answers`;
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
      ...(r.seconds ? { seconds: r.seconds } : {}),
    })),
    options.now,
  );
  if (counts.conflicts && counts.conflicts.length > 0) {
    // Rows of an export that were changed: a file cannot rewrite what a respondent answered in the bot.
    const errors = counts.conflicts.slice(0, MAX_CONFLICTS_LISTED).map(({ responseId, channel }): FileIssue => {
      const problem: Problem = { key: "responses.collectedChanged", params: { id: responseId, channel } };
      return { message: englishText(problem), problems: [problem] };
    });
    if (counts.conflicts.length > MAX_CONFLICTS_LISTED) {
      const problem: Problem = { key: "responses.collectedMore", params: { count: counts.conflicts.length - MAX_CONFLICTS_LISTED } };
      errors.push({ message: englishText(problem), problems: [problem] });
    }
    return { imported: false, counts: none, ...base, errors };
  }
  return { imported: true, counts, ...base };
}
