import type { Command } from "commander";
import { CampaignInputError } from "../../campaigns/index.js";
import { importRespondentsFile, TableFileError, type RowProblem } from "../../respondents/index.js";
import { CliError } from "../errors.js";
import { requireCampaign } from "./campaign.js";
import { withDatabase } from "./db.js";

const SHOWN = 50;

function list(file: string, problems: readonly RowProblem[]): string {
  const lines = problems.slice(0, SHOWN).map((p) => `  ${file}:${p.line}: ${p.message}`);
  if (problems.length > SHOWN) lines.push(`  … and ${problems.length - SHOWN} more`);
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
        await requireCampaign(db, opts.campaign);
        let report;
        try {
          report = await importRespondentsFile(db, opts.campaign, file, { skipInvalid: opts.skipInvalid });
        } catch (error) {
          if (error instanceof TableFileError || error instanceof CampaignInputError) throw new CliError(error.message);
          throw error;
        }
        if (report.warnings.length > 0) process.stderr.write(`warnings:\n${list(file, report.warnings)}\n`);
        if (!report.imported) {
          const n = report.errors.length;
          throw new CliError(
            `${n} row${n === 1 ? "" : "s"} with problems, nothing imported:\n${list(file, report.errors)}\n` +
              "fix them and import again, or use --skip-invalid to import the other rows",
          );
        }
        if (report.skipped > 0) process.stderr.write(`skipped ${report.skipped} invalid row${report.skipped === 1 ? "" : "s"}:\n${list(file, report.errors)}\n`);
        const c = report.counts;
        process.stdout.write(`${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged${report.skipped > 0 ? `, ${report.skipped} skipped` : ""}\n`);
      });
    });
}
