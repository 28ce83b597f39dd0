// `respondents import`: read and validate row by row, then write everything in one transaction.
import type { Database, ImportCounts } from "../db/index.js";
import { campaignQuestionnaire } from "../campaigns/index.js";
import { streamTable } from "./read.js";
import { RespondentValidator, type RowProblem } from "./validate.js";

/** The result of an import (nothing is written when `imported` is false). */
export interface ImportReport {
  readonly imported: boolean;
  readonly counts: ImportCounts;
  readonly errors: readonly RowProblem[];
  readonly warnings: readonly RowProblem[];
  /** Rows left out because of --skip-invalid. */
  readonly skipped: number;
}

/** Imports a respondents file into a campaign; refuses the whole file if a row is bad, unless `skipInvalid`. */
export async function importRespondentsFile(
  db: Database,
  campaignId: string,
  file: string,
  options: { skipInvalid?: boolean } = {},
): Promise<ImportReport> {
  const campaign = await db.campaigns.get(campaignId);
  if (!campaign) throw new Error(`bug: campaign ${campaignId} checked by the caller`);
  const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  const knownUnits = new Set((await db.respondents.units(campaignId)).map((u) => u.code));
  // Rows become compact records as they are read: the raw rows of a large XLSX are never all in memory.
  const validator = new RespondentValidator(questionnaire, knownUnits);
  await streamTable(file, validator);
  const checked = validator.finish();
  const none = { created: 0, updated: 0, unchanged: 0 };
  if (checked.fatal || (checked.errors.length > 0 && !options.skipInvalid)) {
    return { imported: false, counts: none, errors: checked.errors, warnings: checked.warnings, skipped: 0 };
  }
  const counts = await db.respondents.importRespondents(campaignId, checked.valid);
  return { imported: true, counts, errors: checked.errors, warnings: checked.warnings, skipped: checked.errors.length };
}
