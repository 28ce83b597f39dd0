// Reminders from the browser, through the same services as the CLI: the schedule and its slots
// (which ran, which is next) and setting it (`campaign reminders ID SCHEDULE`), and on a unit's
// page "remind exactly these": the unit's respondents who have not submitted, queued as a manual
// reminder run through the outbox after a confirmation, by an admin or the unit's own coordinator
// (who sees names only where the campaign allows it, the count always), at most once every 12
// hours per unit so nobody is pestered. Admins set the schedule; viewers see it. Audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CampaignRecord } from "../db/index.js";
import { formatZonedTime } from "../campaigns/index.js";
import { createI18n } from "../i18n/index.js";
import { formatReminderSchedule, parseReminderSchedule, ReminderService } from "../reminders/index.js";
import { respondentStatus } from "../participation/report.js";
import { campaignRequest } from "./campaign-route.js";
import { html, type Html } from "./html.js";
import { csrfField, page, type Flash } from "./layout.js";
import { notFound, sendPage, type WebContext } from "./server.js";
import { keepUpload, uploadId } from "./uploads.js";
import { describeReminder, describeSchedule, formatNumber, formatWhen, reminderPlan } from "./format.js";
import { problemText } from "../i18n/index.js";

/** A unit is reminded by hand at most this often. */
export const UNIT_REMINDER_GAP_MS = 12 * 3_600_000;

/** Registers the reminder pages. */
export function registerReminderRoutes(app: FastifyInstance, context: WebContext): void {
  const { db, now } = context;
  const service = new ReminderService(db.messaging, createI18n());
  const base = (c: CampaignRecord) => `/campaigns/${encodeURIComponent(c.id)}`;

  const remindersPage = async (request: FastifyRequest, reply: FastifyReply, campaign: CampaignRecord, extra: { flash?: Flash; value?: string } = {}, status = 200) => {
    const ctx = request.ctx;
    const { t } = ctx;
    const at = now();
    const stored = (await db.messaging.campaign(campaign.id))?.reminders ?? null;
    const parsed = stored ? parseReminderSchedule(stored) : null;
    const runs = await db.messaging.reminderRuns(campaign.id);
    const plan = reminderPlan(t, stored, campaign, runs, at);
    const { slots, next } = plan;
    const slotState = (s: (typeof slots)[number]) => t(`reminders.${s.state}`);
    const progress = await Promise.all(runs.slice(0, 20).map(async (r) => (await db.outbox.counts({ batchId: r.id })).reminder ?? {}));
    const body = html`<h1>${t("reminders.title")}</h1><p class="muted"><a href="${base(campaign)}">${campaign.name}</a> · ${t("reminders.zone", { zone: campaign.timeZone })}</p>
<section class="card" tabindex="0" id="schedule"><h2>${t("reminders.schedule")}</h2>
<p>${t("overview.schedule")}: <b id="schedule-text">${stored ? describeSchedule(t, stored) : t("overview.off")}</b>${stored ? html` <span class="muted">(<code>${stored}</code>)</span>` : ""}${parsed && !parsed.ok ? html` <span class="alert">${problemText(t, parsed.problem)}</span>` : ""}</p>
<p>${t("overview.nextReminder")}: <b id="next-due">${next ? `${formatZonedTime(next.at, campaign.timeZone)} (${next.text})` : t("overview.none")}</b></p>
${
  slots.length > 0
    ? html`<table><thead><tr><th scope="col">${t("reminders.slot")}</th><th scope="col">${t("reminders.when")}</th><th scope="col">${t("reminders.state")}</th></tr></thead>
<tbody>${slots.map((s) => html`<tr><th scope="row">${s.text}</th><td>${formatZonedTime(s.at, campaign.timeZone)}</td><td>${slotState(s)}</td></tr>`)}</tbody></table>`
    : ""
}
${
  request.user?.role === "admin"
    ? html`<form class="stack" method="post" action="${base(campaign)}/reminders">${csrfField(ctx)}
<label for="reminders-schedule">${t("reminders.set")}</label><input type="text" id="reminders-schedule" name="schedule" required maxlength="200" value="${extra.value ?? stored ?? ""}" aria-describedby="reminders-help">
<p class="muted" id="reminders-help">${t("reminders.helpOfficial")}</p>
<div><button type="submit">${t("reminders.save")}</button></div></form>`
    : ""
}</section>
<section class="card" tabindex="0"><h2>${t("reminders.runs")}</h2>${
      runs.length === 0
        ? html`<p>${t("reminders.noRuns")}</p>`
        : html`<table id="runs"><thead><tr><th scope="col">${t("reminders.when")}</th><th scope="col">${t("reminders.slot")}</th><th scope="col">${t("reminders.trigger")}</th><th scope="col" class="num">${t("reminders.recipients")}</th><th scope="col" class="num">${t("outboxStatus.sent")}</th><th scope="col" class="num">${t("outboxStatus.failed")}</th></tr></thead>
<tbody>${runs.slice(0, 20).map(
            (r, i) =>
              html`<tr><td>${formatZonedTime(r.ranAt, campaign.timeZone)}</td><td>${describeReminder(t, r.label)}</td><td>${t(`reminders.${r.trigger}`)}${r.actor ? ` · ${r.actor}` : ""}</td><td class="num">${formatNumber(ctx.lang, r.recipients)}</td><td class="num">${formatNumber(ctx.lang, progress[i]!.sent ?? 0)}</td><td class="num">${formatNumber(ctx.lang, (progress[i]!.failed ?? 0) + (progress[i]!.unreachable ?? 0))}</td></tr>`,
          )}</tbody></table>`
    }</section>`;
    return sendPage(reply, page(ctx, t("reminders.title"), body, extra.flash ? { flash: extra.flash } : {}), status);
  };

  app.get("/campaigns/:id/reminders", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    return remindersPage(request, reply, found.campaign);
  });

  app.post("/campaigns/:id/reminders", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const text = String((request.body as Record<string, unknown> | undefined)?.schedule ?? "").slice(0, 200);
    // As `khaosat campaign reminders ID SCHEDULE`: "off" clears it; anything else must parse.
    let canonical: string | null = null;
    if (text.trim().toLowerCase() !== "off") {
      const parsed = parseReminderSchedule(text);
      if (!parsed.ok) return remindersPage(request, reply, campaign, { flash: { kind: "error", text: html`${t("reminders.bad")} ${problemText(t, parsed.problem)}` }, value: text }, 422);
      canonical = formatReminderSchedule(parsed.schedule);
    }
    await db.messaging.setReminderSchedule(campaign.id, canonical);
    await db.audit.record({ at: now(), kind: "web.reminders_set", campaignId: campaign.id, actor: user.email, data: { schedule: canonical } });
    return remindersPage(request, reply, campaign, { flash: { kind: "ok", text: canonical === null ? t("reminders.turnedOff") : t("reminders.saved", { schedule: describeSchedule(t, canonical) }) } });
  });

  const unitPage = (campaign: CampaignRecord, unit: string) => `${base(campaign)}/units/${encodeURIComponent(unit)}`;

  /** The unit's respondents a reminder would reach now, and how many have not submitted at all. */
  const unitAudience = async (campaign: CampaignRecord, unit: string) => {
    const facts = await db.participation.facts(campaign.id, { unitCode: unit });
    const waiting = facts.filter((f) => respondentStatus(f) !== "submitted").length;
    const reachable = await service.preview(campaign.id, { unitCode: unit });
    const last = (await db.messaging.reminderRuns(campaign.id)).find((r) => r.label === `manual:${unit}`);
    const tooSoon = last !== undefined && now().getTime() - last.ranAt.getTime() < UNIT_REMINDER_GAP_MS ? last : undefined;
    return { waiting, reachable, tooSoon };
  };

  const resultPage = (request: FastifyRequest, reply: FastifyReply, campaign: CampaignRecord, unit: string, name: string, content: Html, flash?: Flash, status = 200) => {
    const ctx = request.ctx;
    const { t } = ctx;
    const body = html`<h1>${t("remind.title", { unit: name })}</h1><p class="muted"><a href="${unitPage(campaign, unit)}">${name}</a> · ${campaign.name}</p>
<section class="card" tabindex="0" id="remind">${content}<p><a href="${unitPage(campaign, unit)}">${t("remind.back")}</a>${request.user?.role === "coordinator" ? "" : html` · <a href="${base(campaign)}/reminders">${t("reminders.title")}</a>`}</p></section>`;
    return sendPage(reply, page(ctx, t("remind.title", { unit: name }), body, flash ? { flash } : {}), status);
  };

  app.post("/campaigns/:id/units/:unit/remind/preview", { preHandler: app.csrfProtection }, async (request, reply) => {
    const { id, unit } = request.params as { id: string; unit: string };
    const found = await campaignRequest(context, request, reply, ["admin", "coordinator"], { campaignId: id, unit });
    if (!found) return reply;
    const { user, campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    const name = (await db.respondents.units(campaign.id)).find((u) => u.code === unit)?.name;
    if (name === undefined) return notFound(request, reply);
    const { waiting, reachable, tooSoon } = await unitAudience(campaign, unit);
    let form: Html = html`<p class="flash warn">${t("remind.nobody")}</p>`;
    if (tooSoon) form = html`<p class="flash warn">${t("remind.tooSoon", { time: formatWhen(t, tooSoon.ranAt, campaign.timeZone), next: formatWhen(t, new Date(tooSoon.ranAt.getTime() + UNIT_REMINDER_GAP_MS), campaign.timeZone) })}</p>`;
    else if (reachable > 0) {
      // The confirmation waits in the database and is taken once: a double click queues one run.
      const confirmation = await keepUpload(db, { campaignId: campaign.id, kind: "reminder", actor: user.email, bytes: Buffer.from(JSON.stringify({ unit })), rows: reachable }, now());
      form = html`<form method="post" action="${unitPage(campaign, unit)}/remind">${csrfField(ctx)}<input type="hidden" name="upload" value="${confirmation}">
<button type="submit">${t("remind.confirm", { count: reachable })}</button></form>`;
    }
    const content = html`<p id="remind-count"><b>${t("remind.reachable", { count: reachable })}</b></p>
<p>${t("remind.waiting", { count: waiting })} ${waiting > reachable ? t("remind.unreachable", { count: waiting - reachable }) : ""}</p>
${form}`;
    return resultPage(request, reply, campaign, unit, name, content);
  });

  app.post("/campaigns/:id/units/:unit/remind", { preHandler: app.csrfProtection }, async (request, reply) => {
    const { id, unit } = request.params as { id: string; unit: string };
    const found = await campaignRequest(context, request, reply, ["admin", "coordinator"], { campaignId: id, unit });
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const name = (await db.respondents.units(campaign.id)).find((u) => u.code === unit)?.name ?? unit;
    const uid = uploadId(request.body);
    const confirmation = uid ? await db.web.takeUpload(uid, { campaignId: campaign.id, kind: "reminder", actor: user.email }, now()) : null;
    const confirmed = confirmation ? (JSON.parse(Buffer.from(confirmation.bytes).toString("utf8")) as { unit?: string }) : null;
    const done = html``;
    if (!confirmation || confirmed?.unit !== unit) return resultPage(request, reply, campaign, unit, name, done, { kind: "error", text: t("remind.gone") }, 400);
    const { tooSoon } = await unitAudience(campaign, unit);
    if (tooSoon) return resultPage(request, reply, campaign, unit, name, done, { kind: "error", text: t("remind.tooSoon", { time: formatWhen(t, tooSoon.ranAt, campaign.timeZone), next: formatWhen(t, new Date(tooSoon.ranAt.getTime() + UNIT_REMINDER_GAP_MS), campaign.timeZone) }) }, 409);
    const run = await service.remindNow(campaign.id, now(), `web:${user.email}`, { unitCode: unit });
    if (!run) return resultPage(request, reply, campaign, unit, name, done, { kind: "error", text: t("remind.closed") }, 409);
    await db.audit.record({ at: now(), kind: "web.unit_reminded", campaignId: campaign.id, actor: user.email, data: { unit, runId: run.id, recipients: run.recipients, previewed: confirmation.rows } });
    return resultPage(request, reply, campaign, unit, name, done, { kind: "ok", text: t("remind.queued", { count: run.recipients }) });
  });
}
