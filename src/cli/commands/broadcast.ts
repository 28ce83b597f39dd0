import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { BroadcastService, formatAudience, parseAudience, type Audience, type NobodyToReach, type PreparedBroadcast } from "../../broadcast/index.js";
import type { Problem } from "../../i18n/problem.js";
import { channelOfChat } from "../../outbox/channel.js";
import type { ParseMode } from "../../outbox/index.js";
import { formatReminderSchedule, parseReminderSchedule } from "../../reminders/index.js";
import { CliError } from "../errors.js";
import { cliError, fileErrorText, sayProblem, t, webWords } from "../i18n.js";
import { alignColumns } from "../table.js";
import { describeReminder, reminderPlan } from "../../web/format.js";
import { noCampaignError } from "./db.js";
import { withOutboxStore } from "./outbox.js";
import { formatZonedTime } from "../../campaigns/index.js";

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
      if (!audience.ok) throw cliError("broadcast.badAudience", { audience: options.audience });
      let text: string;
      try {
        text = await readFile(options.text, "utf8");
      } catch (error) {
        throw new CliError(fileErrorText(error, options.text) ?? t("broadcast.cannotRead", { file: options.text, reason: (error as Error).message }));
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
          if (options.dryRun && prepared.nobody !== undefined) return `${sayProblem({ key: "broadcast.dryRunNobody", params: { reason: prepared.nobody.reason } })}\n`;
          throw new CliError(refusal(prepared, options.campaign, audience.audience));
        }
        const what = describe(prepared.prepared);
        if (options.dryRun) return `${t("broadcast.dryRun", { what })}\n`;
        const record = await service.queue(prepared.prepared, now);
        return `${t("broadcast.queued", { id: record.id, what })}\n`;
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

/** Why the service refused a broadcast, in the organiser's language (its English words where it gives nothing to say them by). */
function refusal(refused: { error: string; nobody?: NobodyToReach; problem?: Problem }, campaign: string, audience: Audience): string {
  const nobody = refused.nobody;
  const scoped = audience.kind === "unit" || audience.kind === "group";
  const params = { campaign, audience: formatAudience(audience) };
  if (nobody?.sampled === null) return t("broadcast.nobodyMatches", { ...params, count: nobody.opened });
  if (nobody?.sampled === 0) return t(scoped ? "broadcast.noRespondentsIn" : "broadcast.noRespondents", params);
  if (nobody !== undefined) return t(scoped ? "broadcast.noneOpenedIn" : "broadcast.noneOpened", { ...params, count: nobody.sampled });
  if (refused.problem) return sayProblem(refused.problem);
  if (refused.error === `no campaign "${campaign}"`) return noCampaignError(campaign).message;
  const closed = /^campaign "(.*)" is closed \((.*)\); broadcasts go only to open campaigns$/.exec(refused.error);
  if (closed) return t("broadcast.closed", { campaign: closed[1], time: closed[2] });
  return refused.error;
}

/** "3 recipients, 1 message each", per channel when Zalo recipients are among them (as the service's describePrepared says it in English). */
function describe(prepared: PreparedBroadcast): string {
  const zalo = prepared.recipients.filter((r) => channelOfChat(r.chatId) === "zalo").length;
  const telegram = prepared.recipients.length - zalo;
  const params = {
    recipients: t("broadcast.recipients", { count: prepared.recipients.length }),
    messages: t("broadcast.messages", { count: prepared.parts.length }),
    zaloMessages: t("broadcast.messages", { count: prepared.zaloParts.length }),
    telegram,
    zalo,
  };
  return t(zalo === 0 ? "broadcast.describe.telegram" : telegram === 0 ? "broadcast.describe.zalo" : "broadcast.describe.both", params);
}

/** The canonical form of a schedule text ("off" → null); a CliError says what is wrong with a bad one. */
export function reminderScheduleArgument(scheduleText: string): string | null {
  if (scheduleText.trim().toLowerCase() === "off") return null;
  const parsed = parseReminderSchedule(scheduleText);
  if (!parsed.ok) throw cliError("reminders.badSchedule", { problem: sayProblem(parsed.problem) });
  return formatReminderSchedule(parsed.schedule);
}

/** Stores a campaign's reminder schedule ("off" clears it); returns the line to print. */
export async function setCampaignReminders(campaignId: string, scheduleText: string): Promise<string> {
  const canonical = reminderScheduleArgument(scheduleText);
  await withOutboxStore(async (store) => {
    if (!(await store.messaging.setReminderSchedule(campaignId, canonical))) throw noCampaignError(campaignId);
  });
  return `${canonical === null ? t("reminders.off", { campaign: campaignId }) : t("reminders.set", { campaign: campaignId, schedule: canonical })}\n`;
}

/**
 * A campaign's schedule as the console's Reminders page says it: the sentence, each reminder's time
 * for the campaign's close and its state (sent, next, later), then the reminder runs, latest first.
 */
export async function showCampaignReminders(campaignId: string): Promise<string> {
  return withOutboxStore(async (store) => {
    const campaign = await store.messaging.campaign(campaignId);
    if (!campaign) throw noCampaignError(campaignId);
    const runs = await store.messaging.reminderRuns(campaignId);
    const words = webWords();
    const plan = reminderPlan(words, campaign.reminders, campaign, runs, new Date());
    const named = { name: campaign.name, campaign: campaignId, timeZone: campaign.timeZone };
    const lines = [plan.sentence === null ? t("reminders.showOff", named) : t("reminders.showNamed", { ...named, sentence: plan.sentence, schedule: campaign.reminders })];
    if (plan.slots.length > 0) {
      lines.push(t("reminders.slots"));
      lines.push(...alignColumns(plan.slots.map((s) => [formatZonedTime(s.at, campaign.timeZone), s.text, words(`reminders.${s.state}`)])).map((l) => `    ${l}`));
    }
    if (runs.length === 0) lines.push(t("reminders.none"));
    else {
      lines.push(t("reminders.runs"));
      const rows = runs.map((r) => [formatZonedTime(r.slotAt, campaign.timeZone), describeReminder(words, r.label), words(`reminders.${r.trigger}`), t("reminders.run", { count: r.recipients })]);
      lines.push(...alignColumns(rows).map((l) => `    ${l}`));
    }
    return `${lines.join("\n")}\n`;
  });
}
