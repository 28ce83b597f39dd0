import { Option, type Command } from "commander";
import { ConfigError, loadConfigFromEnvironment, type Config } from "../../config/index.js";
import { openOutboxStore, type OutboxStore } from "../../db/index.js";
import { channelsOf, configuredSender, sharedBudgets, type SenderStats } from "../../outbox/index.js";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";
import { formatOutboxCounts } from "../listings.js";
import { databaseUrl, withDatabaseErrors } from "./db.js";

/** Opens the outbox store of the configured database (migrating it first), runs `work`, always closes it. */
export async function withOutboxStore<T>(work: (store: OutboxStore) => Promise<T>): Promise<T> {
  const store = await withDatabaseErrors(() => openOutboxStore(databaseUrl()));
  try {
    return await withDatabaseErrors(() => work(store));
  } finally {
    await store.close();
  }
}

/** One-line summary of a sender run, in the organiser's language. */
export function formatSenderStats(s: SenderStats): string {
  return t("outbox.stats", { sent: s.sent, failed: s.failed, unreachable: s.unreachable, skipped: s.skipped, inDoubt: s.inDoubt, retries: s.retries, rateLimited: s.rateLimited });
}

/** What `outbox resend-in-doubt` says, for a dry run or after queueing, in the organiser's language. */
export function formatResendInDoubt(count: number, confirmed: boolean, campaignId?: string): string {
  const scope = campaignId !== undefined ? t("outbox.resend.scope", { campaign: campaignId }) : "";
  if (count === 0) return `${t("outbox.resend.none", { scope })}\n`;
  const messages = t("outbox.resend.messages", { count, scope });
  return `${t(confirmed ? "outbox.resend.queued" : "outbox.resend.dryRun", { messages })}\n`;
}

function positive(name: string, integer = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw cliError(integer ? "outbox.badWhole" : "outbox.badNumber", { name, value });
    return n;
  };
}

interface SendOptions {
  readonly watch?: boolean;
  readonly rate?: number;
  readonly perChatRate?: number;
  readonly maxAttempts: number;
  readonly claimLeaseMs?: number;
  readonly inDoubtAfterMs?: number;
  readonly timeoutMs?: number;
}

/** Registers `khaosat outbox status|send|resend-in-doubt`. */
export function registerOutboxCommands(program: Command): void {
  const outbox = program.command("outbox").description("the queue of proactive messages (reminders, broadcasts, digests)");

  outbox
    .command("status")
    .description("messages per kind and status (queued, sent, failed, unreachable, ...)")
    .option("--campaign <id>", "only this campaign")
    .action(async (options: { campaign?: string }) => {
      const text = await withOutboxStore(async (store) =>
        formatOutboxCounts(await store.outbox.counts(options.campaign !== undefined ? { campaignId: options.campaign } : {}), await store.outbox.unreachableCount()),
      );
      process.stdout.write(text);
    });

  outbox
    .command("resend-in-doubt")
    .description("queue again the messages left in doubt by a crash mid-send (at-least-once for them: some recipients may get them twice); a dry run without --confirm")
    .option("--campaign <id>", "only this campaign")
    .option("--confirm", "queue them (without it, only count)")
    .action(async (options: { campaign?: string; confirm?: boolean }) => {
      const filter = options.campaign !== undefined ? { campaignId: options.campaign } : {};
      const text = await withOutboxStore(async (store) => {
        const n = options.confirm ? await store.outbox.requeueInDoubt(filter, new Date()) : await store.outbox.inDoubtResendable(filter);
        return formatResendInDoubt(n, options.confirm === true, options.campaign);
      });
      process.stdout.write(text);
    });

  outbox
    .command("send")
    .description("send queued messages with TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN until the outbox is empty (or keep running with --watch)")
    .option("--watch", "keep running and send new messages as they are queued")
    .addOption(new Option("--rate <n>", "messages per second to Telegram (default: OUTBOX_RATE_PER_SECOND, 25; Zalo: ZALO_RATE_PER_SECOND)").argParser(positive("--rate")))
    .addOption(new Option("--per-chat-rate <n>", "messages per second to one chat (default: OUTBOX_PER_CHAT_PER_SECOND, 1)").argParser(positive("--per-chat-rate")))
    .addOption(new Option("--max-attempts <n>", "attempts before a failing message is recorded as failed").default(5).argParser(positive("--max-attempts", true)))
    // Crash-recovery timings, shortened by tests and the benchmark.
    .addOption(new Option("--claim-lease-ms <n>").argParser(positive("--claim-lease-ms", true)).hideHelp())
    .addOption(new Option("--in-doubt-after-ms <n>").argParser(positive("--in-doubt-after-ms", true)).hideHelp())
    .addOption(new Option("--timeout-ms <n>").argParser(positive("--timeout-ms", true)).hideHelp())
    .action(async (options: SendOptions) => {
      let config: Config;
      try {
        config = loadConfigFromEnvironment();
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      if (config.telegramBotToken === undefined && config.zalo === undefined) throw cliError("outbox.noToken");
      const stats = await withOutboxStore(async (store) => {
        // On PostgreSQL this sender joins the roster of the running bot instances: each channel's one
        // budget is split among all live senders, this one included (docs/several-instances.md).
        const shared = sharedBudgets(config, store.target.provider, store.senders, {
          ...(options.rate !== undefined ? { telegramRate: options.rate } : {}),
          onError: (channel, error) => process.stderr.write(`${t("outbox.budgetError", { channel: channel === "zalo" ? "Zalo" : "Telegram", error: String(error) })}\n`),
        });
        const sender = configuredSender(config, store.outbox, {
          channels: channelsOf(shared),
          ...(options.rate !== undefined ? { ratePerSecond: options.rate } : {}),
          ...(options.perChatRate !== undefined ? { perChatPerSecond: options.perChatRate } : {}),
          maxAttempts: options.maxAttempts,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.claimLeaseMs ? { claimLeaseMs: options.claimLeaseMs } : {}),
          ...(options.inDoubtAfterMs ? { inDoubtAfterMs: options.inDoubtAfterMs } : {}),
          onEvent: (e) => {
            if (e.type === "paused") process.stderr.write(`${t("outbox.paused", { channel: e.channel === "zalo" ? "Zalo" : "Telegram", seconds: e.seconds })}\n`);
            if (e.type === "recovered") process.stderr.write(`${t("outbox.recovered", { requeued: e.requeued, inDoubt: e.inDoubt })}\n`);
          },
        });
        const stop = () => sender.stop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        try {
          await Promise.all(shared.map((budget) => budget.start()));
          return await sender.run({ drain: options.watch !== true });
        } finally {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          // Leaves the roster: the bot instances take the share back at their next renewal.
          await Promise.all(shared.map((budget) => budget.stop()));
        }
      });
      process.stdout.write(`${formatSenderStats(stats)}\n`);
    });
}
