import { Option, type Command } from "commander";
import { createLineSource, runConsoleSurvey } from "../../channels/console/index.js";
import { createI18n, isSupportedLanguage } from "../../i18n/index.js";
import type { Questionnaire } from "../../questionnaire/index.js";
import { loadQuestionnaireSource } from "../../questionnaire/xlsform/source.js";
import { cliError, sayIssue, t } from "../i18n.js";

/** Options of `khaosat preview`. */
interface PreviewOptions {
  readonly lang?: string;
  readonly units?: string;
  readonly clock?: string;
}

/** Registers `khaosat preview FILE [--lang en] [--units "A,B"]`. */
export function registerPreviewCommand(program: Command): void {
  program
    .command("preview")
    .description("take a questionnaire in the terminal, exactly as respondents see it (nothing is stored)")
    .argument("<file>", "questionnaire file (YAML, JSON or an XLSForm .xlsx)")
    .option("--lang <code>", "respondent language, one of the questionnaire's languages (default: its first)")
    .option("--units <names>", "comma-separated subject units, to preview answering once per unit")
    // Fixed clock for reproducible transcripts (tests, documentation).
    .addOption(new Option("--clock <iso>", "fixed time for every step").hideHelp())
    .action(async (file: string, options: PreviewOptions) => {
      process.exitCode = await preview(file, options, process.stdin, process.stdout, process.stderr);
    });
}

/** Runs the preview on the given streams; returns the exit code (load errors: 1). */
export async function preview(
  file: string,
  options: PreviewOptions,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream,
): Promise<number> {
  const loaded = await loadQuestionnaireSource(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) errors.write(`${sayIssue(issue)}\n`);
    errors.write(`${t("preview.errors", { file, count: loaded.issues.length })}\n`);
    return 1;
  }
  for (const warning of loaded.warnings) errors.write(`${sayIssue(warning)}\n`);
  const questionnaire = loaded.questionnaire;
  const language = checkLanguage(questionnaire, options.lang);
  const units = options.units === undefined ? ["preview"] : options.units.split(",").map((u) => u.trim()).filter((u) => u !== "");
  if (units.length === 0) throw cliError("preview.noUnits");
  const clock = fixedClock(options.clock);

  // The preview speaks its language (--lang, else the questionnaire's first) from its first line to its
  // last, as the respondent would read it: the banner too, whatever KHAOSAT_LANG says. Messages before
  // it (a bad file, --lang or --units) are the CLI's, in KHAOSAT_LANG.
  const i18n = createI18n({ language: isSupportedLanguage(language) ? language : "vi" });
  errors.write(`${i18n.t("cli:preview.banner", { id: questionnaire.id, version: questionnaire.version, language })}\n`);
  const lines = createLineSource(input, output, { terminal: input.isTTY === true });
  try {
    await runConsoleSurvey({
      questionnaire,
      lines,
      output,
      i18n,
      clock,
      units,
      language,
      quitMessage: "console:quitPreview",
    });
  } finally {
    lines.close();
  }
  return 0;
}

function checkLanguage(questionnaire: Questionnaire, requested: string | undefined): string {
  if (requested === undefined) return questionnaire.defaultLanguage;
  if (!questionnaire.languages.includes(requested)) {
    throw cliError("preview.badLang", { lang: requested, languages: questionnaire.languages.join(", ") });
  }
  return requested;
}

function fixedClock(iso: string | undefined): () => Date {
  if (iso === undefined) return () => new Date();
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw cliError("preview.badClock", { value: iso });
  return () => at;
}
