import type { Command } from "commander";
import { CampaignInputError } from "../../campaigns/index.js";
import { importRespondentsFile, TableFileError, type RowProblem } from "../../respondents/index.js";
import { CliError } from "../errors.js";
import { cliError, countsLine, sayCampaignInput, sayProblem, sayProblems, t } from "../i18n.js";
import { requireCampaign } from "./campaign.js";
import { botHint } from "../bot-hint.js";
import { withDatabase } from "./db.js";

const SHOWN = 50;

/** The first fifty problems, each in the organiser's language (the English message where the service gives no key). */
function list(file: string, problems: readonly RowProblem[]): string {
  const lines = problems.slice(0, SHOWN).map((p) => t("list.line", { file, line: p.line, message: sayProblems(p.problems, p.message) }));
  if (problems.length > SHOWN) lines.push(t("list.more", { count: problems.length - SHOWN }));
  return lines.join("\n");
}

/** Registers `khaosat respondents import`. */
export function registerRespondentsCommands(program: Command): void {
  const respondents = program.command("respondents").description("the sample of a campaign");
  respondents
    .command("import <file>")
    .description("import or update respondents from CSV (UTF-8) or XLSX; all or nothing unless --skip-invalid")
    .requiredOption("--campaign <id>", "campaign id")
    .option("--skip-invalid", "import the valid rows and report the others", false)
    .action(async (file: string, opts: { campaign: string; skipInvalid: boolean }) => {
      await withDatabase(async (db) => {
        const campaign = await requireCampaign(db, opts.campaign);
        let report;
        try {
          report = await importRespondentsFile(db, opts.campaign, file, { skipInvalid: opts.skipInvalid });
        } catch (error) {
          if (error instanceof TableFileError) throw new CliError(error.problem ? sayProblem(error.problem) : error.message);
          if (error instanceof CampaignInputError) throw new CliError(sayCampaignInput(error));
          throw error;
        }
        if (report.warnings.length > 0) process.stderr.write(`${t("respondents.warnings")}\n${list(file, report.warnings)}\n`);
        if (!report.imported) throw cliError("respondents.nothingImported", { count: report.errors.length, list: list(file, report.errors) });
        if (report.skipped > 0) process.stderr.write(`${t("respondents.skipped", { count: report.skipped, list: list(file, report.errors) })}\n`);
        const { created, updated, unchanged } = report.counts;
        const units = (await db.respondents.units(campaign.id)).length;
        const imported = t("respondents.imported", {
          count: created + updated + unchanged,
          name: campaign.name,
          campaign: campaign.id,
          units: t("respondents.units", { count: units }),
          counts: countsLine(report.counts, report.skipped),
        });
        // New respondents have no code yet: the next step is issuing them.
        const next = created > 0 ? `${t("respondents.next", { campaign: campaign.id, ...botHint() })}\n` : "";
        process.stdout.write(`${imported}\n${next}`);
      });
    });
}
