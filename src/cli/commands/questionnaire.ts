import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Questionnaire } from "../../questionnaire/index.js";
import { isXlsformPath, loadQuestionnaireSource } from "../../questionnaire/xlsform/source.js";
import { cliError, sayIssue, t } from "../i18n.js";

/** Registers `khaosat questionnaire validate|import|export`. */
export function registerQuestionnaireCommands(program: Command): void {
  const questionnaire = program.command("questionnaire").description("work with questionnaire files");
  questionnaire
    .command("validate")
    .description("check questionnaire files (YAML, JSON or XLSForm .xlsx) and report every problem with its line, or sheet, row and column")
    .argument("<files...>", "questionnaire files")
    .action(async (files: string[]) => {
      process.exitCode = await validateFiles(files, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
  questionnaire
    .command("import")
    .description("convert an XLSForm (.xlsx) into a questionnaire file (YAML), checking everything on the way")
    .argument("<form>", "XLSForm workbook (.xlsx)")
    .option("--out <file>", "write the questionnaire here (default: the form's name with .yaml)")
    .option("--force", "overwrite --out if it exists")
    .action(async (form: string, options: { out?: string; force?: boolean }) => {
      process.exitCode = await importForm(form, options, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
  questionnaire
    .command("export")
    .description("write a questionnaire as an XLSForm (.xlsx) with khaosat's scoring columns, to edit in Excel and import again")
    .argument("<file>", "questionnaire file (YAML, JSON or .xlsx)")
    .requiredOption("--out <file>", "the workbook to write (.xlsx)")
    .option("--force", "overwrite --out if it exists")
    .action(async (file: string, options: { out: string; force?: boolean }) => {
      process.exitCode = await exportForm(file, options, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

/** `khaosat questionnaire import`: XLSForm to YAML; returns the exit code. */
export async function importForm(form: string, options: { out?: string; force?: boolean }, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  if (!isXlsformPath(form)) throw cliError("questionnaire.importNeedsXlsx", { file: form });
  const target = options.out ?? form.replace(/\.xlsx$/i, ".yaml");
  if (!/\.ya?ml$/i.test(target)) throw cliError("questionnaire.outYaml", { file: target });
  if (existsSync(target) && !options.force) throw cliError("questionnaire.exists", { file: target });
  const result = await loadQuestionnaireSource(form);
  if (!result.ok) {
    for (const issue of result.issues) err(`${sayIssue(issue)}\n`);
    err(`${t("questionnaire.errorsNothingWritten", { file: form, count: result.issues.length })}\n`);
    return 1;
  }
  for (const warning of result.warnings) err(`${sayIssue(warning)}\n`);
  const header = `# Imported from ${path.basename(form)} by \`khaosat questionnaire import\`. Edit the workbook and import again,\n# or edit this file; \`khaosat questionnaire export\` writes it back as a workbook.\n`;
  await writeFile(target, header + (result.converted ?? ""));
  out(`${t("questionnaire.written", { file: target, summary: summarize(result.questionnaire) })}\n`);
  return 0;
}

/** `khaosat questionnaire export`: questionnaire to XLSForm; returns the exit code. */
export async function exportForm(file: string, options: { out: string; force?: boolean }, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  if (!isXlsformPath(options.out)) throw cliError("questionnaire.outXlsx", { file: options.out });
  if (path.resolve(options.out) === path.resolve(file)) throw cliError("questionnaire.outIsInput");
  if (existsSync(options.out) && !options.force) throw cliError("questionnaire.exists", { file: options.out });
  const result = await loadQuestionnaireSource(file);
  if (!result.ok) {
    for (const issue of result.issues) err(`${sayIssue(issue)}\n`);
    err(`${t("questionnaire.errorsNothingWritten", { file, count: result.issues.length })}\n`);
    return 1;
  }
  for (const warning of result.warnings) err(`${sayIssue(warning)}\n`);
  const { exportXlsform, ExportConditionError } = await import("../../questionnaire/xlsform/index.js");
  try {
    await exportXlsform(result.questionnaire.definition, options.out);
  } catch (error) {
    if (error instanceof ExportConditionError) throw cliError("questionnaire.notXlsform", { file, reason: error.message });
    throw error;
  }
  out(`${t("questionnaire.written", { file: options.out, summary: summarize(result.questionnaire) })}\n`);
  return 0;
}

/** Validates each file, printing issues (stderr) or a one-line summary (stdout); returns the exit code. */
export async function validateFiles(files: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let failed = 0;
  for (const file of files) {
    const result = await loadQuestionnaireSource(file);
    if (!result.ok) {
      failed++;
      for (const issue of result.issues) err(`${sayIssue(issue)}\n`);
      err(`${t("questionnaire.errors", { file, count: result.issues.length })}\n`);
      continue;
    }
    for (const warning of result.warnings) err(`${sayIssue(warning)}\n`);
    out(`${t("questionnaire.ok", { file, summary: summarize(result.questionnaire) })}\n`);
  }
  if (files.length > 1 && failed > 0) err(`${t("questionnaire.filesWithErrors", { failed, count: files.length })}\n`);
  return failed > 0 ? 1 : 0;
}

/** `par-officials v3, 42 questions in 6 sections, languages vi, en, points scoring (surveyMax 31.5)`, in the organiser's language. */
export function summarize(q: Questionnaire): string {
  const sections = q.definition.sections.length;
  const count = q.questions.length;
  const scoring = q.definition.scoring;
  let scored = t("questionnaire.summary.notScored");
  if (scoring?.kind === "points") {
    const questions = q.questions.filter((i) => "maxPoints" in i.question && i.question.maxPoints !== undefined).length;
    scored = t("questionnaire.summary.points", {
      count: questions,
      surveyMax: scoring.surveyMax,
      appraisal: scoring.appraisalMax !== undefined ? t("questionnaire.summary.appraisalMax", { appraisalMax: scoring.appraisalMax }) : "",
    });
  } else if (scoring?.kind === "satisfaction") {
    const criteria = q.questions.filter((i) => i.question.type === "scale").length;
    scored = t("questionnaire.summary.satisfaction", {
      count: criteria,
      overall: scoring.overallQuestion ? t("questionnaire.summary.overall", { question: scoring.overallQuestion }) : "",
    });
  }
  return t("questionnaire.summary.line", {
    id: q.id,
    version: q.version,
    questions: t("questionnaire.summary.questions", { count }),
    sections: t("questionnaire.summary.sections", { count: sections }),
    languages: q.languages.join(", "),
    scored,
  });
}
