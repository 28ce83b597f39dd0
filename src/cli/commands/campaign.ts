import type { Command } from "commander";
import { CampaignInputError, createCampaign, DEFAULT_TIME_ZONE, formatClosing, formatZonedTime, checkOpen } from "../../campaigns/index.js";
import type { CampaignRecord, Database } from "../../db/index.js";
import { RESPONSE_CHANNELS } from "../../db/types.js";
import { loadParticipation, RESPONDENT_STATUSES, sumStatus } from "../../participation/index.js";
import { CliError } from "../errors.js";
import { sayCampaignInput, t, webWords } from "../i18n.js";
import { botHint } from "../bot-hint.js";
import { alignColumns, displayWidth, padDisplay } from "../table.js";
import { reminderPlan } from "../../web/format.js";
import { reminderScheduleArgument, setCampaignReminders, showCampaignReminders } from "./broadcast.js";
import { withDatabase, noCampaignError } from "./db.js";

/** Runs campaign logic, turning input problems into plain CLI errors. */
async function withInputErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CampaignInputError) throw new CliError(sayCampaignInput(error));
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
  return t(check.open ? "campaign.state.open" : check.reason === "closed" ? "campaign.state.closed" : "campaign.state.notOpen");
}

/** When a campaign closes, in the organiser's language ("until the end of 20/12/2026", "đến 2026-12-20 17:00"). */
export function closingText(date: Date, timeZone: string): string {
  const endOfDay = /^until the end of (.+)$/.exec(formatClosing(date, timeZone));
  return endOfDay ? t("time.untilEndOf", { day: endOfDay[1] }) : t("time.until", { time: formatZonedTime(date, timeZone) });
}

/** Label/value lines with the values lined up after the longest label (labels differ in length by language). */
function aligned(rows: readonly (readonly [label: string, value: string, indent?: boolean])[]): string[] {
  // 15 columns as the English labels always had; wider where a label needs it.
  const width = Math.max(15, ...rows.map(([label, , indent]) => displayWidth(label) + (indent ? 2 : 0) + 1));
  return rows.map(([label, value, indent]) => `${indent ? "  " : ""}${padDisplay(label, width - (indent ? 2 : 0))}${value}`);
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
        // A citizens' survey (satisfaction at the counter, no groups) has no respondents file: its units come from codes batch/poster.
        const definition = created.questionnaire.definition;
        const citizens = definition.scoring?.kind === "satisfaction" && (definition.groups?.length ?? 0) === 0;
        const createdLine = t(citizens ? "campaign.createdCitizens" : "campaign.created", {
          id: c.id,
          ...botHint(),
          name: c.name,
          questionnaire: c.questionnaireId,
          version: c.questionnaireVersion,
          stored: t(created.questionnaireReused ? "campaign.reused" : "campaign.stored"),
          opens: formatZonedTime(c.opensAt, c.timeZone),
          closes: closingText(c.closesAt, c.timeZone),
          timeZone: c.timeZone,
          reminders: reminders !== null ? t("campaign.withReminders", { schedule: reminders }) : "",
        });
        process.stderr.write(`${createdLine}\n`);
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
          process.stdout.write(`${t("campaign.none")}\n`);
          return;
        }
        const now = new Date();
        const head = ["id", "state", "period", "questionnaire", "name"].map((k) => t(`campaign.listHead.${k}`));
        const rows = campaigns.map((c) => [c.id, state(c, now), `${formatZonedTime(c.opensAt, c.timeZone)} ${closingText(c.closesAt, c.timeZone)}`, `${c.questionnaireId} v${c.questionnaireVersion}`, c.name]);
        process.stdout.write(`${alignColumns([head, ...rows]).join("\n")}\n`);
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
        // The schedule as the console says it: the sentence, then each reminder's time for this close.
        const schedule = typeof c.settings.reminders === "string" && c.settings.reminders !== "" ? c.settings.reminders : null;
        const plan = reminderPlan(webWords(), schedule, c, await db.messaging.reminderRuns(c.id), now);
        const reminderRows: (readonly [string, string])[] = [
          [t("campaign.show.reminders"), plan.sentence === null ? t("campaign.show.remindersOff", { campaign: c.id }) : `${plan.sentence} (${schedule})`],
          ...(plan.slots.length > 0 ? [[t("campaign.show.reminderTimes"), plan.slots.map((s) => formatZonedTime(s.at, c.timeZone)).join(", ")] as const] : []),
        ];
        const lines = aligned([
          [t("campaign.show.campaign"), c.id],
          [t("campaign.show.name"), c.name],
          [t("campaign.show.questionnaire"), t("campaign.show.questionnaireValue", { id: c.questionnaireId, version: c.questionnaireVersion })],
          [t("campaign.show.opens"), `${formatZonedTime(c.opensAt, c.timeZone)} (${c.timeZone})`],
          [t("campaign.show.closes"), `${closingText(c.closesAt, c.timeZone)} (${c.timeZone})`],
          ...(c.closedAt ? [[t("campaign.show.closedEarly"), formatZonedTime(c.closedAt, c.timeZone)] as const] : []),
          [t("campaign.show.state"), state(c, now)],
          [t("campaign.show.identified"), t(c.identified ? "campaign.show.identifiedYes" : "campaign.show.identifiedNo")],
          ...reminderRows,
          [t("campaign.show.respondents"), String(report.totals.sampled)],
          ...RESPONDENT_STATUSES.map((s) => [t(`status.${s}`), String(counts[s]), true] as const),
          [t("campaign.show.responses"), t("campaign.show.responsesValue", { count: responses.total })],
          ...RESPONSE_CHANNELS.map((ch) => [t(`channel.${ch}`), String(responses[ch]), true] as const),
        ]);
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
          process.stdout.write(`${t("campaign.alreadyClosedAtEnd", { id, time: formatZonedTime(before.closesAt, before.timeZone), timeZone: before.timeZone })}\n`);
          return;
        }
        const after = await db.campaigns.close(id, now);
        const at = after?.closedAt ?? now;
        process.stdout.write(`${t(before.closedAt ? "campaign.wasAlreadyClosed" : "campaign.closed", { id, time: formatZonedTime(at, before.timeZone), timeZone: before.timeZone })}\n`);
      });
    });
}
