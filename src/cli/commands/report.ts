import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { cliError, fileIssue, fsErrorText, t } from "../i18n.js";
import { requireCampaign } from "./campaign.js";
import { withDatabase } from "./db.js";

/** Registers `khaosat report`: the printable, self-contained, bilingual report of a campaign. */
export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("write a campaign's printable, bilingual report (participation, index, survey-vs-appraisal chart, flags, method) as one self-contained HTML file or a PDF")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption("--out <file>", "output file: report.html (open it in a browser and print it) or report.pdf")
    .option("--format <format>", "html or pdf (default: from the extension of --out, else html)")
    .option("--appraisal <file>", "appraisal CSV (unit,points); default: the points uploaded in the web console, if any")
    .action(async (options: { campaign: string; out: string; appraisal?: string; format?: string }) => {
      const format = options.format?.toLowerCase() ?? (/\.pdf$/i.test(options.out) ? "pdf" : "html");
      if (format !== "html" && format !== "pdf") throw cliError("report.badFormat", { format: options.format });
      const { reportModel, renderReportHtml } = await import("../../web/report.js");
      const { parseAppraisalCsv } = await import("../../scoring/io/index.js");
      await withDatabase(async (db) => {
        const campaign = await requireCampaign(db, options.campaign);
        let appraisal: ReadonlyMap<string, number> | undefined;
        if (options.appraisal !== undefined) {
          let bytes: Uint8Array;
          try {
            bytes = await readFile(options.appraisal);
          } catch (error) {
            throw cliError("io.cannotRead", { file: options.appraisal, reason: fsErrorText(error) });
          }
          const { campaignQuestionnaire } = await import("../../campaigns/index.js");
          const scoring = (await campaignQuestionnaire(db.campaigns, campaign)).definition.scoring;
          const parsed = parseAppraisalCsv(bytes, scoring?.kind === "points" && scoring.appraisalMax !== undefined ? { appraisalMax: scoring.appraisalMax } : {});
          const problems = [...parsed.errors, ...parsed.rejected.map((r) => ({ line: r.line, message: r.reason, problems: r.problems }))];
          if (problems.length > 0) throw cliError("report.badAppraisal", { file: options.appraisal, list: problems.map((p) => `  ${fileIssue(options.appraisal!, p)}`).join("\n") });
          appraisal = parsed.points;
        }
        const model = await reportModel(db, campaign, new Date(), appraisal);
        const bytes = format === "pdf" ? await (await import("../../web/report-pdf.js")).renderReportPdf(model) : renderReportHtml(model);
        try {
          await writeFile(options.out, bytes);
        } catch (error) {
          throw cliError("io.cannotWrite", { file: options.out, reason: fsErrorText(error) });
        }
        await db.audit.record({ at: new Date(), kind: "report.written", campaignId: campaign.id, actor: "cli", data: { file: options.out, format } });
        process.stderr.write(`${t("io.wrote", { file: options.out })}\n`);
      });
    });
}
