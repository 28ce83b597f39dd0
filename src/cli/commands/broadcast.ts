import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { BroadcastService, describePrepared, parseAudience } from "../../broadcast/index.js";
import type { ParseMode } from "../../outbox/index.js";
import { formatReminderSchedule, parseReminderSchedule } from "../../reminders/index.js";
import { englishText } from "../../i18n/problem.js";
import { CliError } from "../errors.js";
import { noCampaignError } from "./db.js";
import { withOutboxStore } from "./outbox.js";

interface BroadcastOptions {
  readonly campaign: string;
  readonly audience: string;
  readonly text: string;
  readonly dryRun?: boolean;
  readonly parseMode?: ParseMode;
  readonly split?: boolean;
}

/** Registers `khaosat broadcast` and `khaosat reminders set|show`. */
export function registerBroadcastCommands(program: Command): void {
  program
    .command("broadcast")
    .description("queue a message to respondents of a campaign who opened the bot (sent by `outbox send` or the bot)")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption("--audience <who>", "all | not-submitted | unit:CODE | group:ID")
    .requiredOption("--text <file>", "UTF-8 file with the message")
    .option("--dry-run", "check everything and print the recipient count, queue nothing")
    .addOption(new Option("--parse-mode <mode>", "Telegram formatting of the text (Zalo gets it as plain text)").choices(["HTML", "MarkdownV2"]))
    .option("--split", "send a text over 4,096 characters as several Telegram messages instead of refusing it (on Zalo a text is always split at 2,000)")
    .action(async (options: BroadcastOptions) => {
      const audience = parseAudience(options.audience);
      if (!audience.ok) throw new CliError(audience.error);
      let text: string;
      try {
        text = await readFile(options.text, "utf8");
      } catch (error) {
        throw new CliError(`cannot read the text file ${options.text}: ${(error as Error).message}`);
      }
      const out = await withOutboxStore(async (store) => {
        const service = new BroadcastService(store.messaging, store.outbox);
        const now = new Date();
        const prepared = await service.prepare(
          { campaignId: options.campaign, audience: audience.audience, text, parseMode: options.parseMode ?? null, split: options.split === true, actor: "cli" },
          now,
        );
        if (!prepared.ok) {
          // A dry run that finds nobody to send to has answered its question: not an error. The real
          // broadcast still fails (exit 1): it was asked to queue a message and queued nothing.
          if (options.dryRun && prepared.nobody !== undefined) return englishText({ key: "broadcast.dryRunNobody", params: { reason: prepared.nobody.reason } }) + "\n";
          throw new CliError(prepared.error);
        }
        const what = describePrepared(prepared.prepared);
        if (options.dryRun) return `dry run: would queue ${what} (nothing queued)\n`;
        const record = await service.queue(prepared.prepared, now);
        return `queued broadcast ${record.id}: ${what}; run \`khaosat outbox send\` (or the bot) to send it\n`;
      });
      process.stdout.write(out);
    });

  // `reminders set|show` are the older names of `campaign reminders ID [SCHEDULE]`; both stay.
  const reminders = program.command("reminders").description("reminder schedules of campaigns (also: khaosat campaign reminders)");
  reminders
    .command("set <campaign> <schedule>")
    .description('set a campaign\'s reminder schedule, e.g. "7d,3d,1d@09:00" (days before the close, time in the campaign\'s zone); "off" clears it')
    .action(async (campaignId: string, scheduleText: string) => {
      process.stdout.write(await setCampaignReminders(campaignId, scheduleText));
    });
  reminders
    .command("show <campaign>")
    .description("the schedule and the reminder runs of a campaign")
    .action(async (campaignId: string) => {
      process.stdout.write(await showCampaignReminders(campaignId));
    });
}

/** The canonical form of a schedule text ("off" → null); a CliError says what is wrong with a bad one. */
export function reminderScheduleArgument(scheduleText: string): string | null {
  if (scheduleText.trim().toLowerCase() === "off") return null;
  const parsed = parseReminderSchedule(scheduleText);
  if (!parsed.ok) throw new CliError(parsed.error);
  return formatReminderSchedule(parsed.schedule);
}

/** Stores a campaign's reminder schedule ("off" clears it); returns the line to print. */
export async function setCampaignReminders(campaignId: string, scheduleText: string): Promise<string> {
  const canonical = reminderScheduleArgument(scheduleText);
  await withOutboxStore(async (store) => {
    if (!(await store.messaging.setReminderSchedule(campaignId, canonical))) throw noCampaignError(campaignId);
  });
  return canonical === null ? `campaign ${campaignId}: reminders off\n` : `campaign ${campaignId}: reminders ${canonical}\n`;
}

/** A campaign's schedule and its reminder runs, latest first. */
export async function showCampaignReminders(campaignId: string): Promise<string> {
  return withOutboxStore(async (store) => {
    const campaign = await store.messaging.campaign(campaignId);
    if (!campaign) throw noCampaignError(campaignId);
    const runs = await store.messaging.reminderRuns(campaignId);
    const lines = [`campaign ${campaignId}: reminders ${campaign.reminders ?? "off"} (time zone ${campaign.timeZone})`];
    for (const r of runs) lines.push(`  ${r.slotAt.toISOString()}  ${r.label.padEnd(9)} ${r.trigger.padEnd(9)} ${r.recipients} recipients`);
    if (runs.length === 0) lines.push("  no reminder sent yet");
    return `${lines.join("\n")}\n`;
  });
}
