import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import {
  loadParticipation,
  participationCsv,
  participationJson,
  participationTable,
  participationXlsx,
  PARTICIPATION_FORMATS,
  PARTICIPATION_TABLE_HEAD,
  type ParticipationFormat,
  type ParticipationTableWords,
} from "../../participation/index.js";
import { cliError, messageLanguage, t } from "../i18n.js";
import { CampaignInputError, campaignQuestionnaire } from "../../campaigns/index.js";
import type { CampaignRecord, Database } from "../../db/index.js";
import { groupLabel, type Questionnaire } from "../../questionnaire/index.js";
import { formatRate } from "../../i18n/numbers.js";
import { requireCampaign } from "./campaign.js";
import { withDatabase } from "./db.js";

/** The terminal table's headings, totals row and reminder lines in the organiser's language. */
function tableWords(label: (id: string) => string): ParticipationTableWords {
  return {
    groupLabel: label,
    head: PARTICIPATION_TABLE_HEAD.map((_, i) => t(`participation.head.${i}`)),
    total: t("participation.total"),
    lastReminder: (when) => t("participation.lastReminder", { when: when ?? t("participation.noneYet") }),
    unreachable: (count) => t("participation.unreachable", { count }),
    rate: (rate) => formatRate(messageLanguage(), rate),
  };
}

/** A group's label in the organiser's language; the id when the campaign's stored questionnaire no longer loads (the counts do not need it). */
async function groupLabels(db: Database, campaign: CampaignRecord): Promise<(id: string) => string> {
  let questionnaire: Questionnaire;
  try {
    questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
  } catch (error) {
    if (error instanceof CampaignInputError) return (id) => id;
    throw error;
  }
  return (id) => groupLabel(questionnaire, messageLanguage(), id);
}

/** Registers `khaosat participation`. */
export function registerParticipationCommand(program: Command): void {
  program
    .command("participation")
    .description("participation per unit and group: sampled, redeemed, attested, in progress, submitted, rate, and submitted responses per channel (telegram, zalo, console, import)")
    .requiredOption("--campaign <id>", "campaign id")
    .option("--format <format>", `${PARTICIPATION_FORMATS.join(" | ")} (default: from --out, else table)`)
    .option("--out <file>", "write to this file instead of standard output (required for xlsx)")
    .action(async (opts: { campaign: string; format?: string; out?: string }) => {
      const fromOut = opts.out ? path.extname(opts.out).slice(1).toLowerCase() : "";
      const format = (opts.format ?? ((PARTICIPATION_FORMATS as readonly string[]).includes(fromOut) ? fromOut : "table")) as ParticipationFormat;
      if (!PARTICIPATION_FORMATS.includes(format)) throw cliError("participation.badFormat", { format: opts.format, formats: PARTICIPATION_FORMATS.join(", ") });
      if (format === "xlsx" && !opts.out) throw cliError("participation.xlsxNeedsOut");
      await withDatabase(async (db) => {
        const campaign = await requireCampaign(db, opts.campaign);
        const report = await loadParticipation(db, campaign.id, { reminders: true });
        // Only what people read names groups by their label; CSV and JSON keep the ids and never read the questionnaire.
        const label = format === "table" || format === "xlsx" ? await groupLabels(db, campaign) : (id: string) => id;
        const output =
          format === "xlsx"
            ? await participationXlsx(report, { timeZone: campaign.timeZone, groupLabel: label })
            : format === "csv"
              ? participationCsv(report)
              : format === "json"
                ? participationJson(report)
                : participationTable(report, { timeZone: campaign.timeZone, words: tableWords(label) });
        if (opts.out) {
          await writeFile(opts.out, output);
          process.stderr.write(`${t("io.wrote", { file: opts.out })}\n`);
        } else {
          process.stdout.write(output);
        }
      });
    });
}
