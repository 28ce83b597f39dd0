import type { Command } from "commander";
import { CodeSecretError } from "../../access/index.js";
import { ConfigError, loadConfigFromEnvironment } from "../../config/index.js";
import { DatabaseError, openDatabase, type Database } from "../../db/index.js";
import {
  decideFlaggedResponse,
  FLAG_LIST_FORMATS,
  FlagDecisionError,
  flagListRows,
  formatFlagList,
  refreshCampaignFlags,
  type FlagDecision,
  type FlagListFormat,
  type FlagsRepository,
} from "../../flags/index.js";
import { parseQuestionnaire, type Questionnaire } from "../../questionnaire/index.js";
import { CliError } from "../errors.js";
import { cliError, sayIssue, sayProblem, t } from "../i18n.js";
import { flagTableWords, sayEvidence } from "../listings.js";
import { noCampaignError } from "./db.js";

/** Registers `khaosat flags --campaign ID` and `khaosat flags accept|reject RESPONSE_ID --reason TEXT`. */
export function registerFlagsCommands(program: Command): void {
  const flags = program
    .command("flags")
    .description("data-quality flags (speeder, straightliner, delegation, attention, inconsistent, misfit; docs/flags.md): list flagged responses anonymously with the evidence, or accept/reject one")
    .option("--campaign <id>", "campaign id: list its flagged responses")
    .option("--format <format>", `output: ${FLAG_LIST_FORMATS.join(", ")}`, "table")
    .action(async (options: { campaign?: string; format: string }) => {
      if (options.campaign === undefined) throw cliError("flags.whichCampaign");
      process.stdout.write(await listFlagsCommand({ campaign: options.campaign, format: options.format }));
    });
  for (const decision of ["accept", "reject"] as const) {
    flags
      .command(`${decision} <response-id>`)
      .description(decision === "accept" ? "count a flagged response in scoring whatever excludeFlagged says (audited)" : "never count a flagged response in scoring (audited)")
      .requiredOption("--reason <text>", "why; kept in the audit log")
      .option("--campaign <id>", "the campaign, to name an imported response by the file's response_id")
      .action(async (responseId: string, own: { reason: string; campaign?: string }, command: Command) => {
        // `flags` has a --campaign of its own, which takes the option wherever it is written.
        const campaign = own.campaign ?? (command.parent?.opts() as { campaign?: string } | undefined)?.campaign;
        const options = { ...own, ...(campaign !== undefined ? { campaign } : {}) };
        process.stdout.write(
          await decideFlagCommand(
            { responseId, decision: decision === "accept" ? "accepted" : "rejected", reason: options.reason, ...(options.campaign !== undefined ? { campaignId: options.campaign } : {}) },
            new Date(),
          ),
        );
      });
  }
}

/** `flags --campaign`: recomputes the campaign's flags (the speeder median moves) and lists the flagged responses. */
export async function listFlagsCommand(options: { readonly campaign: string; readonly format: string }): Promise<string> {
  if (!(FLAG_LIST_FORMATS as readonly string[]).includes(options.format)) throw cliError("flags.badFormat", { format: options.format, formats: FLAG_LIST_FORMATS.join(", ") });
  return withFlags(async ({ db, flags }) => {
    const campaign = await db.campaigns.get(options.campaign);
    if (!campaign) throw noCampaignError(options.campaign);
    const subjects = await refreshCampaignFlags(flags, await questionnaireOf(db, campaign.questionnaireVersionPk), campaign.id);
    // The terminal table in the organiser's language; the CSV and JSON keep their English evidence.
    if (options.format === "table") return formatFlagList(flagListRows(subjects, sayEvidence), "table", flagTableWords());
    return formatFlagList(flagListRows(subjects), options.format as FlagListFormat);
  });
}

/** `flags accept|reject`: records the decision and returns the confirmation to print. */
export async function decideFlagCommand(
  options: { readonly responseId: string; readonly campaignId?: string; readonly decision: FlagDecision; readonly reason: string },
  now: Date,
): Promise<string> {
  return withFlags(async ({ flags }) => {
    try {
      const { previous, flags: names } = await decideFlaggedResponse(flags, { ...options, at: now, actor: "cli" });
      const words = flagTableWords();
      const was = previous !== null && previous !== options.decision ? t("flags.decided.was", { previous: words.decision(previous) }) : "";
      const said = { id: options.responseId, flags: names.map(words.flag).join(", "), was };
      return `${options.decision === "accepted" ? t("flags.decided.accepted", said) : t("flags.decided.rejected", said)}\n`;
    } catch (error) {
      if (error instanceof FlagDecisionError) throw new CliError(sayProblem(error.problem));
      throw error;
    }
  });
}

async function questionnaireOf(db: Database, pk: number): Promise<Questionnaire> {
  const version = await db.campaigns.questionnaireVersion(pk);
  if (!version) throw new Error(`bug: questionnaire version ${pk} missing`);
  const result = parseQuestionnaire(version.source, version.fileName);
  if (!result.ok) throw cliError("flags.questionnaireBroken", { file: version.fileName, list: result.issues.map((i) => `  ${sayIssue(i)}`).join("\n") });
  return result.questionnaire;
}

async function withFlags<T>(run: (context: { db: Database; flags: FlagsRepository }) => Promise<T>): Promise<T> {
  let url: string;
  try {
    url = loadConfigFromEnvironment().databaseUrl.reveal();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CodeSecretError) throw new CliError(error.message);
    throw error;
  }
  let db: Database | undefined;
  try {
    db = await openDatabase(url);
    return await run({ db, flags: db.flags });
  } catch (error) {
    if (error instanceof DatabaseError) throw new CliError(error.message);
    throw error;
  } finally {
    await db?.close();
  }
}
