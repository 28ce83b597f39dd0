import type { Command } from "commander";
import { CampaignInputError, createCampaign, DEFAULT_TIME_ZONE, formatClosing, formatZonedTime, checkOpen } from "../../campaigns/index.js";
import type { CampaignRecord, Database } from "../../db/index.js";
import { RESPONSE_CHANNELS } from "../../db/types.js";
import { loadParticipation, RESPONDENT_STATUSES, sumStatus } from "../../participation/index.js";
import { CliError } from "../errors.js";
import { reminderScheduleArgument, setCampaignReminders, showCampaignReminders } from "./broadcast.js";
import { withDatabase, noCampaignError } from "./db.js";

/** Runs campaign logic, turning input problems into plain CLI errors. */
async function withInputErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CampaignInputError) throw new CliError(error.message);
    throw error;
  }
}

/** The campaign with this id, or a CliError that says how to find ids. */
export async function requireCampaign(db: Database, id: string): Promise<CampaignRecord> {
  const campaign = await db.campaigns.get(id);
  if (!campaign) throw noCampaignError(id);
  return campaign;
}

function state(campaign: CampaignRecord, now: Date): string {
  const check = checkOpen(campaign, now);
  return check.open ? "open" : check.reason === "closed" ? "closed" : "not open yet";
}

/** Registers `khaosat campaign create|list|show|reminders|close`. */
export function registerCampaignCommands(program: Command): void {
  const campaign = program.command("campaign").description("survey rounds: questionnaire, open window, sample");

  campaign
    .command("create")
    .description("create a campaign; prints its id")
    .requiredOption("--questionnaire <file>", "questionnaire file (YAML, JSON or an XLSForm .xlsx); stored as loaded (an XLSForm as the YAML it converts to)")
    .requiredOption("--name <name>", "campaign name, e.g. \"PAR Index 2026 – Sở Nội vụ\"")
    .requiredOption("--opens <iso>", "opening time, ISO 8601 (without offset: in --timezone)")
    .requiredOption("--closes <iso>", "closing time, ISO 8601 (a bare date means the end of that day)")
    .option("--timezone <zone>", "IANA time zone of the campaign", DEFAULT_TIME_ZONE)
    .option("--identified", "response exports may carry respondent identity (rare; say so to respondents)", false)
    .option("--reminders <schedule>", 'reminder schedule, e.g. "7d,3d,1d@09:00" (days before the close, time in --timezone)')
    .action(async (opts: { questionnaire: string; name: string; opens: string; closes: string; timezone: string; identified: boolean; reminders?: string }) => {
      // Checked before anything is stored, so a bad schedule leaves no campaign behind.
      const reminders = opts.reminders !== undefined ? reminderScheduleArgument(opts.reminders) : null;
      await withDatabase(async (db) => {
        const created = await withInputErrors(() =>
          createCampaign(db.campaigns, {
            questionnaireFile: opts.questionnaire,
            name: opts.name,
            opens: opts.opens,
            closes: opts.closes,
            timeZone: opts.timezone,
            identified: opts.identified,
          }),
        );
        const c = created.campaign;
        if (reminders !== null) await db.campaigns.updateSettings(c.id, { reminders });
        process.stderr.write(
          `created campaign "${c.name}": questionnaire ${c.questionnaireId} v${c.questionnaireVersion} (${created.questionnaireReused ? "already stored, reused" : "stored"}), ` +
            `open ${formatZonedTime(c.opensAt, c.timeZone)} ${formatClosing(c.closesAt, c.timeZone)} (${c.timeZone})` +
            `${reminders !== null ? `, reminders ${reminders}` : ""}\n`,
        );
        process.stdout.write(`${c.id}\n`);
      });
    });

  campaign
    .command("list")
    .description("list campaigns")
    .action(async () => {
      await withDatabase(async (db) => {
        const campaigns = await db.campaigns.list();
        if (campaigns.length === 0) {
          process.stdout.write("no campaigns yet; create one with `khaosat campaign create`\n");
          return;
        }
        const now = new Date();
        for (const c of campaigns) {
          process.stdout.write(
            `${c.id}  ${state(c, now).padEnd(12)}  ${formatZonedTime(c.opensAt, c.timeZone)} ${formatClosing(c.closesAt, c.timeZone)}  ${c.questionnaireId} v${c.questionnaireVersion}  ${c.name}\n`,
          );
        }
      });
    });

  campaign
    .command("show <id>")
    .description("a campaign's settings, its respondents by status and its submitted responses per channel")
    .action(async (id: string) => {
      await withDatabase(async (db) => {
        const c = await requireCampaign(db, id);
        const report = await loadParticipation(db, c.id);
        const counts = sumStatus(await db.participation.statusCounts(c.id));
        const responses = report.totals.responses;
        const now = new Date();
        const lines = [
          `campaign       ${c.id}`,
          `name           ${c.name}`,
          `questionnaire  ${c.questionnaireId} version ${c.questionnaireVersion}`,
          `opens          ${formatZonedTime(c.opensAt, c.timeZone)} (${c.timeZone})`,
          `closes         ${formatClosing(c.closesAt, c.timeZone)} (${c.timeZone})`,
          ...(c.closedAt ? [`closed early   ${formatZonedTime(c.closedAt, c.timeZone)}`] : []),
          `state          ${state(c, now)}`,
          `identified     ${c.identified ? "yes (exports may carry respondent identity)" : "no"}`,
          `respondents    ${report.totals.sampled}`,
          ...RESPONDENT_STATUSES.map((s) => `  ${s.replace("_", " ").padEnd(13)}${counts[s]}`),
          `responses      ${responses.total} submitted (every source)`,
          ...RESPONSE_CHANNELS.map((ch) => `  ${ch.padEnd(13)}${responses[ch]}`),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });

  campaign
    .command("reminders <id> [schedule]")
    .description('set a campaign\'s reminder schedule, e.g. "7d,3d,1d@09:00" ("off" clears it); without a schedule, show it and the runs so far')
    .action(async (id: string, schedule: string | undefined) => {
      process.stdout.write(schedule === undefined ? await showCampaignReminders(id) : await setCampaignReminders(id, schedule));
    });

  campaign
    .command("close <id>")
    .description("close a campaign now: answers are refused from this moment")
    .action(async (id: string) => {
      await withDatabase(async (db) => {
        const before = await requireCampaign(db, id);
        const now = new Date();
        if (!checkOpen(before, now).open && before.closedAt === null && now >= before.closesAt) {
          process.stdout.write(`campaign ${id} already closed at ${formatZonedTime(before.closesAt, before.timeZone)} (${before.timeZone})\n`);
          return;
        }
        const after = await db.campaigns.close(id, now);
        const at = after?.closedAt ?? now;
        process.stdout.write(
          before.closedAt ? `campaign ${id} was already closed at ${formatZonedTime(at, before.timeZone)} (${before.timeZone})\n` : `campaign ${id} closed at ${formatZonedTime(at, before.timeZone)} (${before.timeZone})\n`,
        );
      });
    });
}
