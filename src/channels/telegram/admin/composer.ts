// The organisers' commands in Telegram: /stats, /remind, /broadcast, /cancel, /export. Only the
// numeric ids of ADMIN_TELEGRAM_IDS may use them; anyone else falls through to the respondent
// features (the ordinary reply) and the attempt is audited. Every admin action is an audit event, and
// the steps of /remind and /broadcast are kept in the database (AdminStateStore), never in memory.
import { randomBytes } from "node:crypto";
import { Composer, InputFile, type Context } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { isSupportedLanguage, type Translate } from "../../../i18n/index.js";
import { participationXlsx, type ParticipationReport } from "../../../participation/index.js";
import { formatDateTime } from "../../console/format.js";
import type { ChannelDeps } from "../conversation.js";
import { MAX_MESSAGE_CHARS, splitText } from "../render.js";
import type { Audience } from "./audience.js";
import type { AdminCampaign, AdminOptions, BroadcastProgressCounts } from "./ports.js";
import { IDLE, type AdminState } from "./state.js";
import { statsText } from "./stats.js";

/** The admin commands, in the order the help lists them. */
export const ADMIN_COMMANDS = ["stats", "remind", "broadcast", "cancel", "export"] as const;

/** Prefix of every admin button's callback data. */
export const ADMIN_CALLBACK = "adm";

/** Telegram's limit on one message's text; a broadcast goes out as exactly one message. */
export const MAX_BROADCAST_CHARS = 4096;

/** Telegram allows 100 buttons per keyboard; leave room for Back and Cancel. */
const MAX_CHOICE_BUTTONS = 96;

type AdminCommand = (typeof ADMIN_COMMANDS)[number];

/** Everything one admin update works with. */
interface AdminTurn {
  readonly ctx: Context;
  readonly actor: string;
  readonly language: string;
  readonly t: Translate;
  readonly now: Date;
}

/** The callback data of an admin button: `adm:<draft>:<action>`. */
export function adminCallback(draftId: string, action: string): string {
  return `${ADMIN_CALLBACK}:${draftId}:${action}`;
}

/** The "stop" button of a broadcast's progress message. */
export function stopCallback(broadcastId: string): string {
  return `${ADMIN_CALLBACK}:stop:${broadcastId}`;
}

function parseAdminCallback(data: string): { draftId: string; action: string } | undefined {
  const match = /^adm:([A-Za-z0-9_-]{1,40}):(.{1,40})$/.exec(data);
  return match ? { draftId: match[1]!, action: match[2]! } : undefined;
}

const button = (text: string, callback_data: string): InlineKeyboardButton => ({ text, callback_data });

function inRows(buttons: readonly InlineKeyboardButton[], perRow: number): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/** Units and groups that have respondents, in a stable order (buttons carry their index). */
function choices(report: ParticipationReport): { units: { code: string; name: string }[]; groups: string[] } {
  const units = new Map<string, string>();
  const groups = new Set<string>();
  for (const row of report.rows) {
    units.set(row.unit, row.unitName);
    groups.add(row.group);
  }
  return {
    units: [...units].map(([code, name]) => ({ code, name })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
    groups: [...groups].sort(),
  };
}

/** The admin commands as a Composer; place it before the respondent features. */
export function adminComposer(deps: ChannelDeps, options: AdminOptions): Composer<Context> {
  const { ports } = options;
  const admins = new Set(options.ids);
  const newDraftId = options.newDraftId ?? (() => randomBytes(6).toString("hex"));
  const composer = new Composer<Context>();

  const turn = (ctx: Context): AdminTurn => {
    const code = ctx.from?.language_code?.slice(0, 2) ?? "";
    const language = isSupportedLanguage(code) ? code : deps.defaultLanguage;
    return { ctx, actor: `telegram:${ctx.from!.id}`, language, t: deps.i18n.getFixedT(language), now: deps.now() };
  };
  const audit = (a: AdminTurn, kind: string, campaignId: string | null, data: Record<string, unknown> = {}) =>
    ports.audit.record({ at: a.now, kind, campaignId, actor: a.actor, data });
  const reply = async (a: AdminTurn, text: string, keyboard?: InlineKeyboardButton[][]) => {
    const parts = splitText(text, MAX_MESSAGE_CHARS);
    let last: { message_id: number } | undefined;
    for (const [i, part] of parts.entries()) {
      last = await a.ctx.reply(part, i === parts.length - 1 && keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {});
    }
    return last!;
  };
  const save = (a: AdminTurn, state: AdminState) => ports.state.save(a.actor, state, a.now);

  /** The campaign named by the argument, or the only open one; replies and returns undefined otherwise. */
  const resolveCampaign = async (a: AdminTurn, command: AdminCommand, arg: string): Promise<AdminCampaign | undefined> => {
    const id = arg.trim().split(/\s+/)[0] ?? "";
    const all = await ports.campaigns.list();
    if (id !== "") {
      const found = await ports.campaigns.get(id);
      if (found) return found;
      await reply(a, a.t("admin:campaign.unknown", { id, ids: all.map((c) => c.id).join(", ") || "–" }));
      return undefined;
    }
    if (all.length === 0) {
      await reply(a, a.t("admin:campaign.none"));
      return undefined;
    }
    const open = all.filter((c) => c.closedAt === null && c.opensAt <= a.now && a.now < c.closesAt);
    if (open.length === 1) return open[0];
    if (open.length === 0 && all.length === 1) return all[0];
    const list = (open.length > 0 ? open : all).map((c) => `${c.id}: ${c.name}`).join("\n");
    await reply(a, a.t("admin:campaign.choose", { command, list }));
    return undefined;
  };

  /** Refuses sending to a campaign that no longer takes answers; true when it was refused. */
  const refuseClosed = async (a: AdminTurn, campaign: AdminCampaign, command: AdminCommand): Promise<boolean> => {
    const closed = campaign.closedAt !== null && campaign.closedAt <= a.now ? campaign.closedAt : campaign.closesAt <= a.now ? campaign.closesAt : null;
    if (closed === null) return false;
    const { time, date } = formatDateTime(closed.toISOString(), a.language, campaign.timeZone);
    await reply(a, a.t("admin:campaign.closed", { name: campaign.name, time, date }));
    await audit(a, `admin.${command}.refused`, campaign.id, { reason: "campaign_closed" });
    return true;
  };

  const audienceName = async (a: AdminTurn, campaignId: string, audience: Audience): Promise<string> => {
    if (audience.kind === "unit") {
      const unit = choices(await ports.participation.report(campaignId)).units.find((u) => u.code === audience.unit);
      return a.t("admin:broadcast.audienceName.unit", { name: unit ? `${unit.name} (${unit.code})` : audience.unit });
    }
    if (audience.kind === "group") return a.t("admin:broadcast.audienceName.group", { name: audience.group });
    return a.t(`admin:broadcast.audienceName.${audience.kind}`);
  };

  const audienceKeyboard = (a: AdminTurn, draftId: string): InlineKeyboardButton[][] => [
    [button(a.t("admin:broadcast.audienceAll"), adminCallback(draftId, "all")), button(a.t("admin:broadcast.audienceNotSubmitted"), adminCallback(draftId, "ns"))],
    [button(a.t("admin:broadcast.audienceUnit"), adminCallback(draftId, "units")), button(a.t("admin:broadcast.audienceGroup"), adminCallback(draftId, "groups"))],
    [button(a.t("admin:common.cancel"), adminCallback(draftId, "no"))],
  ];

  const adminFeatures = new Composer<Context>();
  const dm = adminFeatures.chatType("private");

  // Non-admins: the attempt is recorded, then the respondent features answer as for any unknown command.
  composer.use(async (ctx, next) => {
    const id = ctx.from?.id;
    if (id !== undefined && admins.has(id)) return adminFeatures.middleware()(ctx, next);
    const command = ctx.message?.text?.match(/^\/([a-z]+)(?:@\w+)?(?:\s|$)/)?.[1];
    const pressed = ctx.callbackQuery?.data?.startsWith(`${ADMIN_CALLBACK}:`);
    if (id !== undefined && ((command !== undefined && (ADMIN_COMMANDS as readonly string[]).includes(command)) || pressed)) {
      await ports.audit.record({ at: deps.now(), kind: "admin.refused", actor: `telegram:${id}`, data: pressed ? { button: true } : { command } });
    }
    return next();
  });

  dm.command("stats", async (ctx) => {
    const a = turn(ctx);
    const campaign = await resolveCampaign(a, "stats", ctx.match);
    if (!campaign) return;
    const report = await ports.participation.report(campaign.id);
    await reply(a, statsText(a.t, a.language, campaign, report, a.now));
    await audit(a, "admin.stats", campaign.id, { sampled: report.totals.sampled, submitted: report.totals.submitted });
  });

  dm.command("remind", async (ctx) => {
    const a = turn(ctx);
    const campaign = await resolveCampaign(a, "remind", ctx.match);
    if (!campaign || (await refuseClosed(a, campaign, "remind"))) return;
    const count = await ports.reminders.preview(campaign.id);
    await audit(a, "admin.remind.preview", campaign.id, { count });
    if (count === 0) {
      await save(a, IDLE);
      await reply(a, a.t("admin:remind.none", { name: campaign.name }));
      return;
    }
    const draftId = newDraftId();
    await save(a, { stage: "remind", draftId, campaignId: campaign.id, count });
    await reply(a, a.t("admin:remind.preview", { name: campaign.name, count }), [
      [button(a.t("admin:remind.send", { count }), adminCallback(draftId, "go"))],
      [button(a.t("admin:common.cancel"), adminCallback(draftId, "no"))],
    ]);
  });

  dm.command("broadcast", async (ctx) => {
    const a = turn(ctx);
    const campaign = await resolveCampaign(a, "broadcast", ctx.match);
    if (!campaign || (await refuseClosed(a, campaign, "broadcast"))) return;
    const draftId = newDraftId();
    await save(a, { stage: "compose", draftId, campaignId: campaign.id });
    await audit(a, "admin.broadcast.compose", campaign.id, { draftId });
    await reply(a, a.t("admin:broadcast.compose", { name: campaign.name, max: MAX_BROADCAST_CHARS }));
  });

  dm.command("cancel", async (ctx) => {
    const a = turn(ctx);
    const state = await ports.state.load(a.actor);
    if (state.stage !== "idle") {
      await save(a, IDLE);
      await audit(a, "admin.draft.discarded", state.campaignId, { stage: state.stage, draftId: state.draftId });
      await reply(a, a.t("admin:common.discarded"));
      return;
    }
    const running = (await ports.state.tracked()).filter((b) => b.actor === a.actor);
    const latest = running.at(-1);
    if (!latest) {
      await reply(a, a.t("admin:broadcast.noneRunning"));
      return;
    }
    await stopBroadcast(a, latest.broadcastId, latest.campaignId);
  });

  dm.command("export", async (ctx) => {
    const a = turn(ctx);
    const campaign = await resolveCampaign(a, "export", ctx.match);
    if (!campaign) return;
    const report = await ports.participation.report(campaign.id);
    const stamp = new Intl.DateTimeFormat("en-CA", { timeZone: campaign.timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(a.now);
    await ctx.replyWithDocument(new InputFile(await participationXlsx(report), `participation-${campaign.id}-${stamp}.xlsx`), {
      caption: a.t("admin:export.participation", { name: campaign.name }),
    });
    const files = ["participation.xlsx"];
    if (ports.responses) {
      const file = await ports.responses.responses(campaign.id);
      try {
        // From disk, the upload streams the file: memory stays bounded at national size.
        await ctx.replyWithDocument(new InputFile("path" in file ? file.path : file.content, file.fileName), {
          caption: a.t(campaign.identified ? "admin:export.responsesIdentified" : "admin:export.responses", { name: campaign.name }),
        });
      } finally {
        if ("dispose" in file) await file.dispose();
      }
      files.push(file.fileName);
    } else {
      await reply(a, a.t("admin:export.unavailable"));
    }
    await audit(a, "admin.export", campaign.id, { files, identified: campaign.identified });
  });

  // The text of a broadcast being composed; anything else from an admin goes on to the respondent features.
  dm.on("message", async (ctx, next) => {
    const a = turn(ctx);
    const state = await ports.state.load(a.actor);
    if (state.stage !== "compose") return next();
    const text = ctx.message.text;
    if (text === undefined) {
      await reply(a, a.t("admin:broadcast.notText"));
      return;
    }
    if (text.startsWith("/")) return next();
    if (text.length > MAX_BROADCAST_CHARS) {
      await audit(a, "admin.broadcast.refused", state.campaignId, { reason: "too_long", length: text.length });
      await reply(a, a.t("admin:broadcast.tooLong", { length: text.length, max: MAX_BROADCAST_CHARS }));
      return;
    }
    await save(a, { stage: "audience", draftId: state.draftId, campaignId: state.campaignId, text });
    await audit(a, "admin.broadcast.text", state.campaignId, { draftId: state.draftId, length: text.length });
    await reply(a, a.t("admin:broadcast.audience"), audienceKeyboard(a, state.draftId));
  });

  adminFeatures.on("callback_query:data", async (ctx, next) => {
    const parsed = parseAdminCallback(ctx.callbackQuery.data);
    if (!parsed) return next();
    const a = turn(ctx);
    if (parsed.draftId === "stop") {
      const tracked = (await ports.state.tracked()).find((b) => b.broadcastId === parsed.action);
      if (!tracked) return void (await ctx.answerCallbackQuery({ text: a.t("admin:common.stale") }));
      await ctx.answerCallbackQuery();
      await stopBroadcast(a, tracked.broadcastId, tracked.campaignId);
      return;
    }
    const state = await ports.state.load(a.actor);
    if (state.stage === "idle" || state.draftId !== parsed.draftId) return void (await ctx.answerCallbackQuery({ text: a.t("admin:common.stale") }));
    await ctx.answerCallbackQuery();
    // The pressed keyboard is spent: remove it so it cannot be pressed twice.
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    if (parsed.action === "no") {
      await save(a, IDLE);
      await audit(a, "admin.draft.discarded", state.campaignId, { stage: state.stage, draftId: state.draftId });
      await reply(a, a.t("admin:common.discarded"));
      return;
    }
    const campaign = await ports.campaigns.get(state.campaignId);
    if (!campaign) {
      await save(a, IDLE);
      await reply(a, a.t("admin:campaign.unknown", { id: state.campaignId, ids: "–" }));
      return;
    }
    if (state.stage === "remind" && parsed.action === "go") {
      // The draft is spent before the reminder is queued: a crash in between loses the request (the admin
      // sees no confirmation and asks again), it never sends the reminder twice.
      await save(a, IDLE);
      if (await refuseClosed(a, campaign, "remind")) return;
      const run = await ports.reminders.remindNow(campaign.id, a.now, a.actor);
      if (!run) return void (await reply(a, a.t("admin:remind.failed")));
      await audit(a, "admin.remind.sent", campaign.id, { runId: run.id, recipients: run.recipients });
      await reply(a, a.t("admin:remind.queued", { count: run.recipients }));
      return;
    }
    if (state.stage === "audience") {
      const report = await ports.participation.report(campaign.id);
      const { units, groups } = choices(report);
      if (parsed.action === "units" || parsed.action === "groups") {
        const list = parsed.action === "units" ? units.map((u, i) => button(`${u.name} (${u.code})`, adminCallback(state.draftId, `u${i}`))) : groups.map((g, i) => button(g, adminCallback(state.draftId, `g${i}`)));
        const rows = inRows(list.slice(0, MAX_CHOICE_BUTTONS), parsed.action === "units" ? 1 : 2);
        rows.push([button(a.t("admin:broadcast.back"), adminCallback(state.draftId, "back")), button(a.t("admin:common.cancel"), adminCallback(state.draftId, "no"))]);
        await reply(a, a.t(parsed.action === "units" ? "admin:broadcast.chooseUnit" : "admin:broadcast.chooseGroup"), rows);
        return;
      }
      if (parsed.action === "back") return void (await reply(a, a.t("admin:broadcast.audience"), audienceKeyboard(a, state.draftId)));
      const index = Number(parsed.action.slice(1));
      const audience: Audience | undefined =
        parsed.action === "all"
          ? { kind: "all" }
          : parsed.action === "ns"
            ? { kind: "not-submitted" }
            : parsed.action.startsWith("u") && units[index]
              ? { kind: "unit", unit: units[index].code }
              : parsed.action.startsWith("g") && groups[index] !== undefined
                ? { kind: "group", group: groups[index] }
                : undefined;
      if (!audience) return void (await reply(a, a.t("admin:broadcast.audience"), audienceKeyboard(a, state.draftId)));
      const count = await ports.broadcasts.audienceSize(campaign.id, audience);
      const name = await audienceName(a, campaign.id, audience);
      await audit(a, "admin.broadcast.audience", campaign.id, { draftId: state.draftId, audience: audience.kind === "unit" ? `unit:${audience.unit}` : audience.kind === "group" ? `group:${audience.group}` : audience.kind, count });
      if (count === 0) {
        await reply(a, a.t("admin:broadcast.empty", { audience: name }), audienceKeyboard(a, state.draftId));
        return;
      }
      await save(a, { stage: "confirm", draftId: state.draftId, campaignId: campaign.id, text: state.text, audience, count });
      // The message exactly as recipients will see it, then the question with the buttons.
      await ctx.reply(state.text);
      await reply(a, a.t("admin:broadcast.preview", { audience: name, count }), [
        [button(a.t("admin:broadcast.send", { count }), adminCallback(state.draftId, "go"))],
        [button(a.t("admin:broadcast.back"), adminCallback(state.draftId, "back")), button(a.t("admin:common.cancel"), adminCallback(state.draftId, "no"))],
      ]);
      return;
    }
    if (state.stage === "confirm" && parsed.action === "back") {
      await save(a, { stage: "audience", draftId: state.draftId, campaignId: state.campaignId, text: state.text });
      await reply(a, a.t("admin:broadcast.audience"), audienceKeyboard(a, state.draftId));
      return;
    }
    if (state.stage === "confirm" && parsed.action === "go") {
      await save(a, IDLE);
      if (await refuseClosed(a, campaign, "broadcast")) return;
      const started = await ports.broadcasts.start({ campaignId: campaign.id, audience: state.audience, text: state.text, actor: a.actor, key: state.draftId, now: a.now });
      await audit(a, "admin.broadcast.sent", campaign.id, { draftId: state.draftId, broadcastId: started.id, recipients: started.recipients });
      if (started.recipients === 0) return void (await reply(a, a.t("admin:broadcast.empty", { audience: await audienceName(a, campaign.id, state.audience) })));
      const name = await audienceName(a, campaign.id, state.audience);
      const message = await reply(a, progressText(a.t, name, { recipients: started.recipients, sent: 0, failed: 0, remaining: started.recipients, cancelled: 0, cancelledAt: null }), [
        [button(a.t("admin:broadcast.stop"), stopCallback(started.id))],
      ]);
      await ports.state.track({ broadcastId: started.id, actor: a.actor, chatId: ctx.chat!.id, messageId: message.message_id, language: a.language, campaignId: campaign.id, audience: name }, a.now);
      return;
    }
    await ctx.answerCallbackQuery({ text: a.t("admin:common.stale") }).catch(() => undefined);
  });

  async function stopBroadcast(a: AdminTurn, broadcastId: string, campaignId: string): Promise<void> {
    const counts = await ports.broadcasts.cancel(broadcastId, a.now);
    if (!counts) return void (await reply(a, a.t("admin:broadcast.noneRunning")));
    await ports.state.untrack(broadcastId, a.now, { ...countsData(counts), cancelled: counts.cancelled, stoppedBy: a.actor });
    await audit(a, "admin.broadcast.cancelled", campaignId, { broadcastId, ...countsData(counts) });
    await reply(a, a.t("admin:broadcast.stopped", { ...countsData(counts) }));
  }

  return composer;
}

function countsData(c: BroadcastProgressCounts): { recipients: number; sent: number; failed: number; remaining: number; cancelled: number } {
  return { recipients: c.recipients, sent: c.sent, failed: c.failed, remaining: c.remaining, cancelled: c.cancelled };
}

/** The progress line of a running broadcast (one message, edited as the outbox drains). */
export function progressText(t: Translate, audience: string, c: BroadcastProgressCounts): string {
  return t("admin:broadcast.progress", { audience, ...countsData(c) });
}
