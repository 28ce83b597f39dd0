// `khaosat coordinators add|remove|list|settings`: unit coordinators and their daily digest.
import type { Command } from "commander";
import { coordinatorSettings, parseDigestTime } from "../../coordinators/index.js";
import type { CampaignRecord, Database, RespondentRecord } from "../../db/index.js";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";
import { withDatabase, noCampaignError } from "./db.js";

async function campaignOf(db: Database, id: string): Promise<CampaignRecord> {
  const campaign = await db.campaigns.get(id);
  if (!campaign) throw noCampaignError(id);
  return campaign;
}

/** Marks (or unmarks) respondents as coordinators of their unit; every id must exist, or nothing changes. */
async function setCoordinator(db: Database, campaignId: string, externalIds: readonly string[], coordinator: boolean): Promise<RespondentRecord[]> {
  await campaignOf(db, campaignId);
  const found: RespondentRecord[] = [];
  const missing: string[] = [];
  for (const id of externalIds) {
    const r = await db.respondents.getByExternalId(campaignId, id);
    if (r) found.push(r);
    else missing.push(id);
  }
  if (missing.length > 0) {
    throw cliError("coordinators.noRespondent", { ids: missing.map((m) => `"${m}"`).join(", "), campaign: campaignId });
  }
  const units = new Map((await db.respondents.units(campaignId)).map((u) => [u.code, u.name]));
  // The respondents import updates only changed rows in one transaction and never touches answers.
  await db.respondents.importRespondents(
    campaignId,
    found.map((r) => ({ ...r, unitName: units.get(r.unitCode) ?? r.unitCode, coordinator })),
  );
  return found;
}

function describeSettings(campaign: CampaignRecord): string {
  const s = coordinatorSettings(campaign.settings);
  return `digest at ${s.digestAt} ${campaign.timeZone}; coordinators ${s.seeNames ? "see the names of who has not submitted" : "see counts and rates only"}`;
}

/** Registers `khaosat coordinators …`. */
export function registerCoordinatorsCommands(program: Command): void {
  const group = program.command("coordinators").description("unit coordinators: a daily participation digest of their own unit");

  group
    .command("add")
    .description("make respondents coordinators of their unit (they get the digest once they have opened the bot)")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption("--respondent <externalId...>", "external id(s) from the respondents file")
    .action(async (opts: { campaign: string; respondent: string[] }) => {
      await withDatabase(async (db) => {
        const done = await setCoordinator(db, opts.campaign, opts.respondent, true);
        const campaign = await campaignOf(db, opts.campaign);
        for (const r of done) process.stdout.write(`${r.externalId}\t${r.fullName}\tcoordinator of ${r.unitCode}\n`);
        process.stderr.write(`${t("coordinators.change", { settings: describeSettings(campaign) })}\n`);
      });
    });

  group
    .command("remove")
    .description("stop respondents being coordinators (no more digests)")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption("--respondent <externalId...>", "external id(s) from the respondents file")
    .action(async (opts: { campaign: string; respondent: string[] }) => {
      await withDatabase(async (db) => {
        for (const r of await setCoordinator(db, opts.campaign, opts.respondent, false)) process.stdout.write(`${r.externalId}\t${r.fullName}\tno longer a coordinator\n`);
      });
    });

  group
    .command("list")
    .description("coordinators of a campaign and whether the digest can reach them")
    .requiredOption("--campaign <id>", "campaign id")
    .action(async (opts: { campaign: string }) => {
      await withDatabase(async (db) => {
        const campaign = await campaignOf(db, opts.campaign);
        const coordinators = await db.respondents.coordinators(campaign.id);
        const wanted = new Set(coordinators.map((r) => r.id));
        const reachable = new Set<string>();
        for await (const page of db.messaging.recipientPages(campaign.id)) for (const r of page) if (wanted.has(r.respondentId)) reachable.add(r.respondentId);
        process.stdout.write("external_id\tname\tunit\tdigest\n");
        for (const r of coordinators) {
          process.stdout.write(`${r.externalId}\t${r.fullName}\t${r.unitCode}\t${reachable.has(r.id) ? "yes" : "no: has not opened the bot"}\n`);
        }
        process.stderr.write(`${t("coordinators.count", { count: coordinators.length, settings: describeSettings(campaign) })}\n`);
      });
    });

  group
    .command("settings")
    .description("digest time and whether coordinators see names (never answers)")
    .requiredOption("--campaign <id>", "campaign id")
    .option("--digest-at <HH:MM>", "local time of the daily digest in the campaign's time zone, e.g. 17:00")
    .option("--see-names <yes|no>", "list by name who in the unit has not submitted (yes) or counts only (no, the default)")
    .action(async (opts: { campaign: string; digestAt?: string; seeNames?: string }) => {
      const patch: Record<string, unknown> = {};
      if (opts.digestAt !== undefined) {
        const parsed = parseDigestTime(opts.digestAt);
        if (!parsed.ok) throw new CliError(`--digest-at: ${parsed.error}`);
        patch.coordinatorDigestAt = parsed.value;
      }
      if (opts.seeNames !== undefined) {
        const v = opts.seeNames.trim().toLowerCase();
        if (v !== "yes" && v !== "no") throw cliError("coordinators.badSeeNames", { value: opts.seeNames });
        patch.coordinatorsSeeNames = v === "yes";
      }
      await withDatabase(async (db) => {
        const campaign = Object.keys(patch).length === 0 ? await campaignOf(db, opts.campaign) : await db.campaigns.updateSettings(opts.campaign, patch);
        if (!campaign) throw noCampaignError(opts.campaign);
        process.stdout.write(`${campaign.id}: ${describeSettings(campaign)}\n`);
      });
    });
}
