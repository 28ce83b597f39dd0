// One entry point for every command that takes a questionnaire path: YAML/JSON, or an XLSForm (.xlsx).
import { loadQuestionnaireFile, type LoadResult } from "../load.js";

/** A loaded questionnaire; for an XLSForm also the YAML it was converted to (what a campaign stores). */
export type SourceLoadResult = (Extract<LoadResult, { ok: true }> & { readonly converted?: string }) | Extract<LoadResult, { ok: false }>;

/** Is this path an Excel workbook (read as an XLSForm)? */
export function isXlsformPath(file: string): boolean {
  return /\.xlsx$/i.test(file);
}

/** Loads a questionnaire from a YAML/JSON file or an XLSForm workbook; bad input is an issue, never an exception. */
export async function loadQuestionnaireSource(file: string): Promise<SourceLoadResult> {
  if (!isXlsformPath(file)) return loadQuestionnaireFile(file);
  const { importXlsformFile } = await import("./import.js");
  const result = await importXlsformFile(file);
  if (!result.ok) return result;
  return { ok: true, questionnaire: result.questionnaire, warnings: result.warnings, converted: result.yaml };
}
