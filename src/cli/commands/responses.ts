import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { readFile, rename, rm } from "node:fs/promises";
import type { Command } from "commander";
import { CampaignInputError, importCampaignResponses, streamCampaignResponses } from "../../campaigns/index.js";
import { RESPONSE_CHANNELS, type Database, type ResponseChannel } from "../../db/index.js";
import { exportIdentityDecision } from "../../privacy/index.js";
import { CliError } from "../errors.js";
import { cliError, countsLine, fileIssue, sayCampaignInput, t } from "../i18n.js";
import { requireCampaign } from "./campaign.js";
import { withDatabase } from "./db.js";

const SHOWN = 50;

/** Registers `khaosat responses import|export`. */
export function registerResponsesCommands(program: Command): void {
  const responses = program.command("responses").description("submitted responses of a campaign as a responses CSV (format: docs/file-formats.md, section 4)");

  responses
    .command("export <file>")
    .description(
      "write the campaign's submitted responses (no respondent identity) to a CSV file; - for standard output. " +
        "Unless the campaign is --identified, rows of a unit/group cell with fewer than minResponses responses are withheld",
    )
    .requiredOption("--campaign <id>", "campaign id")
    .option("--with-identity", "add respondent identity (only for a campaign created with --identified)", false)
    .action(async (file: string, opts: { campaign: string; withIdentity: boolean }) => {
      await withDatabase(async (db) => {
        const campaign = await requireCampaign(db, opts.campaign);
        const identity = exportIdentityDecision(campaign, opts.withIdentity);
        if (!identity.ok) throw cliError("responses.anonymous", { campaign: campaign.id });
        // Streamed page by page (bounded memory at any size), into a temporary file renamed at the
        // end, so an interrupted export never leaves a truncated file under the asked name.
        const out = file === "-" ? process.stdout : createWriteStream(`${file}.partial`);
        const write = (chunk: string) => (out.write(chunk) ? undefined : once(out, "drain").then(() => undefined));
        let exported;
        try {
          // A byte-order mark so that Excel opens the Vietnamese text as UTF-8.
          if (file !== "-") await write("\uFEFF");
          exported = await streamCampaignResponses(db, campaign, write, { withIdentity: identity.withIdentity });
          if (file !== "-") await new Promise<void>((resolve, reject) => (out as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
        } catch (error) {
          if (file !== "-") {
            (out as WriteStream).destroy();
            await rm(`${file}.partial`, { force: true });
          }
          throw error;
        }
        if (file !== "-") await rename(`${file}.partial`, file);
        const { count } = exported;
        if (exported.withheld > 0) {
          const rows = t("responses.rows", { count: exported.withheld });
          const cells = t("responses.cells", { count: exported.withheldCells });
          process.stderr.write(`${t("responses.withheld", { count: exported.withheld, rows, cells, min: exported.minResponses })}\n`);
        }
        if (file !== "-") process.stderr.write(`${t("responses.wrote", { count, file })}\n`);
      });
    });

  responses
    .command("import <file>")
    .description("import submitted responses (paper forms, other tools); re-importing the same file changes nothing")
    .requiredOption("--campaign <id>", "campaign id")
    .option("--skip-invalid", "import the valid rows and list the rejected ones", false)
    .action(async (file: string, opts: { campaign: string; skipInvalid: boolean }) => {
      let source: Uint8Array;
      try {
        source = await readFile(file);
      } catch {
        throw cliError("io.cannotRead", { file, reason: t("io.noSuchFile") });
      }
      await withDatabase(async (db) => {
        const campaign = await requireCampaign(db, opts.campaign);
        const before = await submittedTotals(db, campaign.id);
        let report;
        try {
          report = await importCampaignResponses(db, campaign, source, { skipInvalid: opts.skipInvalid, now: new Date() });
        } catch (error) {
          if (error instanceof CampaignInputError) throw new CliError(sayCampaignInput(error));
          throw error;
        }
        for (const w of report.warnings) process.stderr.write(`${fileIssue(file, w, "warning")}\n`);
        if (report.errors.length > 0) throw cliError("responses.nothingImported", { issues: report.errors.map((e) => fileIssue(file, e)).join("\n") });
        const rejected = report.rejected.slice(0, SHOWN).map((r) => `  ${fileIssue(file, { line: r.line, message: r.reason, problems: r.problems })}`);
        if (report.rejected.length > SHOWN) rejected.push(t("list.more", { count: report.rejected.length - SHOWN }));
        if (!report.imported) throw cliError("responses.rejected", { count: report.rejected.length, list: rejected.join("\n") });
        if (report.rejected.length > 0) process.stderr.write(`${t("responses.skipped", { count: report.rejected.length, list: rejected.join("\n") })}\n`);
        process.stdout.write(`${countsLine(report.counts, report.rejected.length)}\n`);
        process.stdout.write(`${countsChangeLine(before, await submittedTotals(db, campaign.id))}\n`);
      });
    });
}

type Totals = Record<ResponseChannel, number> & { total: number };

/** Submitted responses of a campaign per channel (counted by the database). */
async function submittedTotals(db: Database, campaignId: string): Promise<Totals> {
  const totals = { total: 0, ...(Object.fromEntries(RESPONSE_CHANNELS.map((c) => [c, 0])) as Record<ResponseChannel, number>) };
  for (const row of await db.participation.submittedByChannel(campaignId)) {
    totals[row.channel] += row.count;
    totals.total += row.count;
  }
  return totals;
}

/** What an import did to the campaign's counts, e.g. "submitted responses: 120 → 168 (import 0 → 48; participation and campaign show count them)". */
function countsChangeLine(before: Totals, after: Totals): string {
  const changed = RESPONSE_CHANNELS.filter((c) => before[c] !== after[c]).map((c) => `${t(`channel.${c}`)} ${before[c]} → ${after[c]}`);
  const detail = RESPONSE_CHANNELS.filter((c) => after[c] > 0).map((c) => `${t(`channel.${c}`)} ${after[c]}`).join(", ");
  return before.total === after.total && changed.length === 0
    ? t("responses.unchanged", { total: after.total, detail: detail ? ` (${detail})` : "" })
    : t("responses.changed", { before: before.total, after: after.total, changed: changed.join(", ") });
}
