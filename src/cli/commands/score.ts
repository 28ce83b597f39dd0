import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Questionnaire } from "../../questionnaire/index.js";
import { loadQuestionnaireSource } from "../../questionnaire/xlsform/source.js";
// The scoring modules themselves, not the folder's index, which also builds the output's zod schema.
import type { ScoringInput } from "../../scoring/index.js";
import { scoreUnits } from "../../scoring/score.js";
import { explainUnit } from "../../scoring/explain.js";
import { formatExplanation, formatScoreCsv, formatScoreTable, formatScoreXlsx, type ReportLanguage } from "../../scoring/format/index.js";
import { DEFAULT_TIME_ZONE, isValidTimeZone, parseAppraisalCsv, readResponsesTable, type RejectedRow } from "../../scoring/io/index.js";
import { CliError } from "../errors.js";
import { cliError, fileIssue, fsErrorText, messageLanguage, sayIssue, t, useLanguage } from "../i18n.js";

const FORMATS = ["json", "csv", "xlsx", "table"] as const;
type Format = (typeof FORMATS)[number];
const LANGS = ["vi", "en"] as const;

/** Options of `khaosat score`, as commander parses them. */
interface ScoreOptions {
  readonly questionnaire?: string;
  readonly responses?: string;
  /** Score a campaign's submitted responses from the database instead of files. */
  readonly campaign?: string;
  readonly appraisal?: string;
  readonly format?: string;
  readonly out?: string;
  readonly lang?: string;
  readonly timezone: string;
  readonly skipInvalid?: boolean;
  readonly explain?: string;
}

/** Registers `khaosat score`: scores a responses file (and appraisal file) against a questionnaire. */
export function registerScoreCommand(program: Command): void {
  program
    .command("score")
    .description("compute each unit's index, rank and class from a responses file or a campaign (file formats: docs/file-formats.md, sections 3 to 6)")
    .option("--questionnaire <file>", "questionnaire file (YAML or JSON) with a scoring section")
    .option("--responses <file>", "responses CSV (UTF-8): response_id,subject_unit,group,started_at,submitted_at,<question ids>")
    .option("--campaign <id>", "score a campaign's submitted responses from the database (instead of --questionnaire and --responses)")
    .option("--appraisal <file>", "appraisal CSV: unit,points (points scoring with appraisalMax)")
    .option("--format <format>", "json | csv | xlsx | table (default: table on a terminal, json otherwise)")
    .option("--out <file>", "write to this file instead of standard output (required for xlsx)")
    .option("--lang <lang>", "vi | en: language of the messages and of table and xlsx headings (default: KHAOSAT_LANG, else Vietnamese; xlsx default: Vietnamese with English below)")
    .option("--timezone <zone>", "IANA time zone of times written without an offset", DEFAULT_TIME_ZONE)
    .option("--skip-invalid", "score without the rejected rows (listed on standard error) instead of stopping")
    .option("--explain <unit>", "print how this unit's index was reached, question by question")
    .action(async (options: ScoreOptions) => {
      await runScore(options);
    });
}

async function runScore(options: ScoreOptions): Promise<void> {
  const lang = options.lang as ReportLanguage | undefined;
  if (lang !== undefined && !(LANGS as readonly string[]).includes(lang)) throw cliError("score.badLang", { langs: LANGS.join(", "), lang });
  // --lang (vi | en) is the language of the headings and of what the command says; without it, KHAOSAT_LANG's.
  if (lang !== undefined) useLanguage(lang);
  const format = checkFormat(options);
  if (!isValidTimeZone(options.timezone)) throw cliError("score.badTimeZone", { zone: options.timezone });

  const source = options.campaign !== undefined ? await loadCampaignForScoring(options.campaign, options) : await loadFiles(options);
  const { questionnaire, responses, units } = source;
  const scoring = questionnaire.definition.scoring;
  if (!scoring) throw cliError("score.noScoring", { source: source.label });

  let appraisal: Map<string, number> | undefined;
  if (options.appraisal === undefined && scoring.kind === "points" && scoring.appraisalMax !== undefined) {
    printError(t("score.noAppraisal", { max: scoring.appraisalMax }));
  }
  if (options.appraisal !== undefined) {
    const appraisalMax = scoring.kind === "points" ? scoring.appraisalMax : undefined;
    const result = parseAppraisalCsv(await readInput(options.appraisal), appraisalMax === undefined ? {} : { appraisalMax });
    if (result.errors.length > 0) {
      for (const issue of result.errors) printError(fileIssue(options.appraisal, issue));
      throw cliError("score.badAppraisal", { file: options.appraisal });
    }
    checkRejected(options.appraisal, result.rejected, options.skipInvalid === true);
    appraisal = result.points;
  }

  const input: ScoringInput = { questionnaire, responses, ...(units ? { units } : {}), ...(appraisal ? { appraisal } : {}) };
  const outcome = scoreUnits(input);
  if (!outcome.ok) {
    for (const error of outcome.errors) printError(t("score.error", { message: error.message }));
    throw cliError("score.cannotScore");
  }
  for (const warning of outcome.warnings) printError(t("issue.warning", { message: warning.message }));
  const report = outcome.report;

  if (options.explain !== undefined) {
    const explained = explainUnit(input, options.explain);
    if (!explained.ok) {
      const known = [...report.units.map((u) => u.unit), ...report.excluded.map((x) => x.unit)].sort();
      const unknown = explained.errors.some((e) => e.code === "unknown_unit");
      throw new CliError(
        unknown
          ? t("score.unknownUnit", {
              unit: options.explain,
              source: source.label,
              appraisal: options.appraisal ? t("score.orAppraisal", { file: options.appraisal }) : "",
              known: known.join(", ") || t("score.noUnits"),
            })
          : explained.errors.map((e) => e.message).join("\n"),
      );
    }
    // In the organiser's language (score's --lang, else KHAOSAT_LANG), as the rest of score's messages.
    await emit(formatExplanation(explained.explanation, questionnaire, t, messageLanguage()), options.out);
    return;
  }

  switch (format) {
    case "json":
      await emit(`${JSON.stringify(report, null, 2)}\n`, options.out);
      break;
    case "csv":
      // A byte-order mark lets Excel open the file as UTF-8, so Vietnamese unit names survive.
      await emit(formatScoreCsv(report, questionnaire), options.out, options.out !== undefined ? "\uFEFF" : "");
      break;
    case "table":
      await emit(formatScoreTable(report, questionnaire, lang ?? messageLanguage(), source.unitNames), options.out);
      break;
    case "xlsx":
      await writeOutput(options.out!, await formatScoreXlsx(report, questionnaire, lang, source.unitNames));
      break;
  }
}

/** What is scored: the questionnaire and the responses, from files or from a campaign. */
interface ScoringSource {
  readonly questionnaire: Questionnaire;
  /** By column from a file (no response objects are built), or the campaign's response objects. */
  readonly responses: ScoringInput["responses"];
  /** Campaign mode: the campaign's units. */
  readonly units?: readonly string[];
  /** Campaign mode: each unit's name, shown next to its code in the table and the workbook. */
  readonly unitNames?: ReadonlyMap<string, string>;
  /** The responses' origin in messages. */
  readonly label: string;
}

async function loadFiles(options: ScoreOptions): Promise<ScoringSource> {
  if (options.questionnaire === undefined || options.responses === undefined) {
    throw cliError("score.needFiles");
  }
  const questionnaire = await loadQuestionnaire(options.questionnaire);
  if (!questionnaire.definition.scoring) return { questionnaire, responses: [], label: options.questionnaire };
  let parsed;
  try {
    parsed = await readResponsesTable(options.responses, questionnaire, { timezone: options.timezone });
  } catch (error) {
    // A file-system error (missing file, a directory) is the user's to fix; anything else is a bug.
    if (typeof (error as { syscall?: unknown } | undefined)?.syscall !== "string") throw error;
    throw cliError("io.cannotRead", { file: options.responses, reason: fsErrorText(error) });
  }
  if (parsed.errors.length > 0) {
    for (const issue of parsed.errors) printError(fileIssue(options.responses, issue));
    throw cliError("score.badResponses", { file: options.responses });
  }
  for (const warning of parsed.warnings) printError(fileIssue(options.responses, warning, "warning"));
  checkRejected(options.responses, parsed.rejected, options.skipInvalid === true);
  return { questionnaire, responses: parsed.table, label: options.responses };
}

async function loadCampaignForScoring(campaignId: string, options: ScoreOptions): Promise<ScoringSource> {
  if (options.questionnaire !== undefined || options.responses !== undefined) {
    throw cliError("score.campaignAndFiles");
  }
  // Campaign mode only: the database and campaign modules are not loaded to score files.
  const [{ campaignScoringInput }, { requireCampaign }, { withDatabase }] = await Promise.all([import("../../campaigns/index.js"), import("./campaign.js"), import("./db.js")]);
  return withDatabase(async (db) => {
    const campaign = await requireCampaign(db, campaignId);
    const input = await campaignScoringInput(db, campaign);
    const unitNames = new Map((await db.respondents.units(campaign.id)).map((u) => [u.code, u.name] as const));
    return { questionnaire: input.questionnaire, responses: input.responses, ...(input.units ? { units: input.units } : {}), unitNames, label: t("score.campaignLabel", { campaign: campaignId }) };
  });
}

function checkFormat(options: ScoreOptions): Format {
  const format = options.format ?? (process.stdout.isTTY && options.out === undefined ? "table" : "json");
  if (!(FORMATS as readonly string[]).includes(format)) throw cliError("score.badFormat", { formats: FORMATS.join(", "), format });
  if (format === "xlsx" && options.out === undefined && options.explain === undefined) {
    throw cliError("score.xlsxNeedsOut");
  }
  return format as Format;
}

async function loadQuestionnaire(path: string): Promise<Questionnaire> {
  let result;
  try {
    result = await loadQuestionnaireSource(path);
  } catch (error) {
    throw cliError("io.cannotRead", { file: path, reason: fsErrorText(error) });
  }
  if (!result.ok) {
    for (const issue of result.issues) printError(sayIssue(issue));
    throw cliError("score.badQuestionnaire", { file: path });
  }
  for (const warning of result.warnings) printError(sayIssue(warning));
  return result.questionnaire;
}

/** Lists rejected rows; stops unless the user asked to skip them. */
function checkRejected(file: string, rejected: readonly RejectedRow[], skip: boolean): void {
  if (rejected.length === 0) return;
  for (const row of rejected) printError(fileIssue(file, { line: row.line, message: row.reason, problems: row.problems }, skip ? "skipped" : undefined));
  const rows = t("score.rows", { count: rejected.length });
  if (!skip) throw cliError("score.rejected", { file, rows, count: rejected.length });
  printError(t("score.skippedRows", { file, rows }));
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw cliError("io.cannotRead", { file: path, reason: fsErrorText(error) });
  }
}

async function emit(text: string, out: string | undefined, prefix = ""): Promise<void> {
  if (out === undefined) process.stdout.write(text);
  else await writeOutput(out, prefix + text);
}

async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (error) {
    throw cliError("io.cannotWrite", { file: path, reason: fsErrorText(error) });
  }
  printError(t("io.wrote", { file: path }));
}

function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}
