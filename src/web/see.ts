// The console's read-only pages: campaigns, a campaign's overview (participation per unit and
// group, submissions per day, channels, reminders), a unit's page, the provisional index with the
// survey-vs-appraisal chart, the flags to review, and the audit trail. Counts and scores only:
// no page shows what a named person answered.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CampaignRecord } from "../db/index.js";
import { campaignQuestionnaire, formatZonedTime } from "../campaigns/index.js";
import { coordinatorSettings } from "../coordinators/settings.js";
import { respondentStatus } from "../participation/report.js";
import { parseReminderSchedule, reminderSlots } from "../reminders/index.js";
import { decideFlaggedResponse, FlagDecisionError, flagListRows, refreshCampaignFlags } from "../flags/index.js";
import { zonedParts } from "../time/zone.js";
import { problemText } from "../i18n/problem.js";
import { chartFigure, participationChart, submissionsChart } from "./charts.js";
import { campaignParticipation, groupsWorstFirst, provisionalIndex, unitParticipation, unitsWorstFirst, type UnitParticipation } from "./data.js";
import { formatScoreCsv } from "../scoring/format/index.js";
import { html, type Html } from "./html.js";
import { csrfField, page, type Flash, type PageContext } from "./layout.js";
import { forbidden, notFound, requireRole, sendPage, type WebContext } from "./server.js";
import { campaignRequest } from "./campaign-route.js";
import { indexSection } from "./index-view.js";
import { describeAudience, describeEvidence, describeReminder, describeSchedule, formatNumber, formatPeriod, formatRate, formatWhen, groupLabel, stateName } from "./format.js";
import { auditTable } from "./audit.js";
import type { Questionnaire } from "../questionnaire/index.js";

const campaignUrl = (c: { id: string }) => `/campaigns/${encodeURIComponent(c.id)}`;

/** The calendar day of an instant in a zone, `YYYY-MM-DD`. */
export function dayOf(at: Date, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** The last day answers are accepted (a close at 00:00 belongs to the day before). */
export function deadlineDay(campaign: CampaignRecord): string {
  return dayOf(new Date(campaign.closesAt.getTime() - 1), campaign.timeZone);
}

/** Every day from the opening to the close (at most 180), in the campaign's zone. */
export function campaignDays(campaign: CampaignRecord): string[] {
  const days: string[] = [];
  const last = deadlineDay(campaign);
  for (let t = campaign.opensAt.getTime(), i = 0; i < 180; t += 86_400_000, i++) {
    const d = dayOf(new Date(t), campaign.timeZone);
    if (days[days.length - 1] !== d) days.push(d);
    if (d >= last) break;
  }
  if (!days.includes(last)) days.push(last);
  return days;
}

function campaignState(t: PageContext["t"], campaign: CampaignRecord, now: Date): string {
  if (campaign.closedAt !== null || now >= campaign.closesAt) return t("campaign.closed");
  if (now < campaign.opensAt) return t("campaign.notOpen");
  return t("campaign.open");
}

/** The participation chart of units, worst first (console and report). */
export function unitsChart(t: PageContext["t"], units: readonly UnitParticipation[]): Html {
  const bars = units.map((u) => ({ label: u.unitName, sampled: u.sampled, submitted: u.submitted, inProgress: u.inProgress }));
  const text = { submitted: stateName(t, "submitted"), inProgress: stateName(t, "in_progress"), notStarted: stateName(t, "not_started"), description: t("overview.chartDescription") };
  return chartFigure((size) => participationChart(bars, text, size), t("overview.chartDescription"), { caption: t("overview.chartCaption") });
}

/** Submissions per day of a campaign (or one unit) from its opening to its deadline: days still to come are null. */
export async function submissionsSeries(context: WebContext, campaign: CampaignRecord, unitCode?: string): Promise<{ days: string[]; counts: (number | null)[]; deadline: string }> {
  const perDay = await context.db.web.submissionsPerDay(campaign.id, campaign.timeZone, unitCode !== undefined ? { unitCode } : {});
  const days = campaignDays(campaign);
  const counts = new Map(perDay.map((d) => [d.day, d.count]));
  for (const d of perDay) if (!days.includes(d.day)) days.push(d.day);
  days.sort();
  const today = dayOf(context.now(), campaign.timeZone);
  return { days, counts: days.map((d) => (d > today ? null : (counts.get(d) ?? 0))), deadline: deadlineDay(campaign) };
}

/** Submissions per day against the deadline (console and report). */
export async function submissionsFigure(context: WebContext, t: PageContext["t"], campaign: CampaignRecord, unitCode?: string): Promise<Html> {
  const { days, counts, deadline } = await submissionsSeries(context, campaign, unitCode);
  const text = { perDay: t("overview.perDay"), cumulative: t("overview.cumulative"), deadline: t("overview.deadline"), description: t("overview.submissionsDescription") };
  return chartFigure((size) => submissionsChart(days, counts, deadline, text, size), t("overview.submissionsDescription"));
}

function unitTable(ctx: PageContext, campaign: CampaignRecord, units: readonly UnitParticipation[], link: boolean): Html {
  const { t } = ctx;
  const n = (value: number) => formatNumber(ctx.lang, value);
  return html`<table id="units">
<caption class="muted">${t("overview.unitsCaption")}</caption>
<thead><tr><th scope="col">${t("table.unit")}</th><th scope="col" class="num">${t("table.sampled")}</th><th scope="col" class="num">${stateName(t, "submitted")}</th><th scope="col" class="num">${stateName(t, "in_progress")}</th><th scope="col" class="num">${stateName(t, "not_started")}</th><th scope="col" class="num">${t("table.rate")}</th><th scope="col" class="num">${t("channels.import")}</th></tr></thead>
<tbody>${units.map(
    (u) => html`<tr><th scope="row">${link ? html`<a href="${campaignUrl(campaign)}/units/${encodeURIComponent(u.unit)}">${u.unitName}</a>` : u.unitName} <span class="muted">${u.unit}</span></th>
<td class="num">${n(u.sampled)}</td><td class="num">${n(u.submitted)}</td><td class="num">${n(u.inProgress)}</td><td class="num">${n(Math.max(0, u.sampled - u.submitted - u.inProgress))}</td><td class="num">${formatRate(ctx.lang, u.rate)}</td><td class="num">${n(u.imported)}</td></tr>`,
  )}</tbody></table>`;
}

/** Registers the read-only pages. */
export function registerSeeRoutes(app: FastifyInstance, context: WebContext): void {
  const { db, now } = context;

  app.get("/campaigns", async (request, reply) => {
    const user = requireRole(request, reply, ["admin", "viewer", "coordinator"]);
    if (!user) return reply;
    const { t } = request.ctx;
    const all = await db.campaigns.list();
    const campaigns = user.role === "coordinator" ? all.filter((c) => c.id === user.campaignId) : all;
    const at = now();
    const rows = campaigns.map((c) => {
      const href = user.role === "coordinator" ? `${campaignUrl(c)}/units/${encodeURIComponent(user.unitCode ?? "")}` : campaignUrl(c);
      return html`<tr><th scope="row"><a href="${href}">${c.name}</a><br><span class="muted">${c.id}</span></th><td>${formatPeriod(t, c, at)}</td><td>${campaignState(t, c, at)}</td></tr>`;
    });
    return sendPage(
      reply,
      page(
        request.ctx,
        t("campaigns.title"),
        html`<h1>${t("campaigns.title")}</h1><section class="card" tabindex="0">${
          campaigns.length === 0
            ? html`<p>${t("campaigns.none")}</p>`
            : html`<table><thead><tr><th scope="col">${t("campaigns.name")}</th><th scope="col">${t("campaigns.window")}</th><th scope="col">${t("campaigns.state")}</th></tr></thead><tbody>${rows}</tbody></table>`
        }</section>`,
      ),
    );
  });

  app.get("/campaigns/:id", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    const report = await campaignParticipation(db, campaign);
    const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
    const n = (value: number) => formatNumber(ctx.lang, value);
    const units = unitsWorstFirst(report);
    const groups = groupsWorstFirst(report);
    const channels = await db.web.channelSplit(campaign.id);
    const at = now();
    const notOpened = report.totals.sampled - report.totals.redeemed;
    const schedule = typeof campaign.settings.reminders === "string" ? campaign.settings.reminders : null;
    const parsed = schedule ? parseReminderSchedule(schedule) : null;
    const nextDue = parsed?.ok ? reminderSlots(parsed.schedule, campaign.closesAt, campaign.timeZone).find((s) => s.at > at) : undefined;
    const broadcasts = await db.web.broadcasts(campaign.id);
    const base = campaignUrl(campaign);
    const channelNames = ["telegram", "zalo", "console", "import"];
    for (const k of Object.keys(channels)) if (!channelNames.includes(k)) channelNames.push(k);
    const body = html`<h1>${campaign.name}</h1>
<p class="muted">${campaign.id} · ${formatPeriod(t, campaign, at)} · ${campaignState(t, campaign, at)}</p>
<p class="noprint"><a href="${base}/index">${t("nav.index")}</a> · <a href="${base}/flags">${t("nav.flags")}</a> · <a href="${base}/report.html">${t("nav.report")}</a> · <a href="${base}/report.pdf">${t("nav.reportPdf")}</a> · <a href="${base}/responses.csv">${t("nav.responses")}</a> · <a href="${base}/scores.csv">${t("nav.scores")}</a>${user.role === "admin" ? html` · <a href="${base}/act">${t("nav.act")}</a> · <a href="${base}/broadcast">${t("broadcast.title")}</a>` : ""} · <a href="${base}/reminders">${t("reminders.title")}</a></p>
<div id="live" hx-get="${request.url}" hx-trigger="every 30s" hx-select="#live" hx-swap="outerHTML">
<div class="grid">
  <div class="stat"><span>${t("table.sampled")}</span><b>${n(report.totals.sampled)}</b></div>
  <div class="stat"><span>${stateName(t, "submitted")}</span><b>${n(report.totals.submitted)}</b><span>${formatRate(ctx.lang, report.totals.rate)}</span></div>
  <div class="stat"><span>${stateName(t, "in_progress")}</span><b>${n(report.totals.inProgress)}</b></div>
  <div class="stat"><span>${stateName(t, "not_redeemed")}</span><b>${n(notOpened)}</b></div>
  ${report.totals.responses.import > 0 ? html`<div class="stat"><span>${t("channels.import")}</span><b>${n(report.totals.responses.import)}</b><span>${t("overview.importedNote")}</span></div>` : ""}
</div>
<p class="muted">${t("overview.updated", { time: formatWhen(t, at, campaign.timeZone) })}</p>
<section class="card" tabindex="0"><h2>${t("overview.byUnit")}</h2>${unitsChart(t, units)}${unitTable(ctx, campaign, units, true)}</section>
<section class="card" tabindex="0"><h2>${t("overview.byGroup")}</h2>
<table><thead><tr><th scope="col">${t("table.group")}</th><th scope="col" class="num">${t("table.sampled")}</th><th scope="col" class="num">${stateName(t, "submitted")}</th><th scope="col" class="num">${stateName(t, "in_progress")}</th><th scope="col" class="num">${t("table.rate")}</th></tr></thead>
<tbody>${groups.map((g) => html`<tr><th scope="row">${groupLabel(questionnaire, ctx.lang, g.group)}</th><td class="num">${n(g.sampled)}</td><td class="num">${n(g.submitted)}</td><td class="num">${n(g.inProgress)}</td><td class="num">${formatRate(ctx.lang, g.rate)}</td></tr>`)}</tbody></table></section>
<section class="card" tabindex="0"><h2>${t("overview.perDayTitle")}</h2>${await submissionsFigure(context, t, campaign)}</section>
<section class="card" tabindex="0"><h2>${t("overview.channels")}</h2>
<table><thead><tr><th scope="col">${t("overview.channel")}</th><th scope="col" class="num">${stateName(t, "submitted")}</th></tr></thead>
<tbody>${channelNames.map((c) => html`<tr><th scope="row">${t(`channels.${c}`, { defaultValue: c })}</th><td class="num">${n(channels[c] ?? 0)}</td></tr>`)}</tbody></table></section>
<section class="card" tabindex="0"><h2>${t("overview.reminders")}</h2>
<ul>
<li>${t("overview.schedule")}: ${schedule ? describeSchedule(t, schedule) : t("overview.off")}</li>
<li>${t("overview.lastReminder")}: ${report.reminders?.lastReminderAt ? formatZonedTime(report.reminders.lastReminderAt, campaign.timeZone) : t("overview.none")}</li>
<li>${t("overview.nextReminder")}: ${nextDue ? `${formatZonedTime(nextDue.at, campaign.timeZone)} (${describeReminder(t, nextDue.label)})` : t("overview.none")}</li>
<li>${t("overview.unreachable")}: ${report.reminders?.unreachable ?? 0}</li>
</ul>
${broadcasts.length > 0 ? html`<h3>${t("overview.broadcasts")}</h3><ul>${broadcasts.map((b) => html`<li>${formatZonedTime(b.createdAt, campaign.timeZone)} · ${describeAudience(t, b.audience, questionnaire, ctx.lang)} · ${t("overview.recipients", { count: b.recipients })}${b.cancelledAt ? html` · ${t("overview.cancelled")}` : ""}</li>`)}</ul>` : ""}
</section>
</div>`;
    return sendPage(reply, page(ctx, campaign.name, body, { live: true }));
  });

  app.get("/campaigns/:id/units/:unit", async (request, reply) => {
    const { id, unit } = request.params as { id: string; unit: string };
    const found = await campaignRequest(context, request, reply, ["admin", "viewer", "coordinator"], { campaignId: id, unit });
    if (!found) return reply;
    const { user, campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    // Read for this unit only: its facts, counts and people, never the whole campaign's.
    const { summary, facts } = await unitParticipation(db, campaign, unit);
    const questionnaire: Questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
    const n = (value: number) => formatNumber(ctx.lang, value);
    if (!summary) return notFound(request, reply);
    // Names of who has not submitted: organisers, and coordinators only when the campaign allows it.
    const seeNames = user.role !== "coordinator" || coordinatorSettings(campaign.settings).seeNames;
    let pending: Html = html``;
    // "Remind exactly these" (admins, and the unit's coordinator): a confirmation with the count it would reach.
    const mayRemind = user.role === "admin" || user.role === "coordinator";
    const remindForm = html`<form class="noprint" method="post" action="${campaignUrl(campaign)}/units/${encodeURIComponent(unit)}/remind/preview">${csrfField(ctx)}<button type="submit">${t("remind.button")}</button></form>`;
    if (seeNames) {
      const waiting = new Set(facts.filter((f) => respondentStatus(f) !== "submitted").map((f) => f.respondentId));
      const people = (await db.respondents.list(campaign.id, { unitCode: unit })).filter((r) => waiting.has(r.id));
      const status = new Map(facts.map((f) => [f.respondentId, respondentStatus(f)]));
      pending = html`<section class="card" tabindex="0"><h2>${t("unit.pending", { count: people.length })}</h2>
${people.length === 0 ? html`<p>${t("unit.everyone")}</p>` : html`<table><thead><tr><th scope="col">${t("unit.name")}</th><th scope="col">${t("table.group")}</th><th scope="col">${t("unit.status")}</th></tr></thead><tbody>${people.map((p) => html`<tr><td>${p.fullName}</td><td>${groupLabel(questionnaire, ctx.lang, p.groupId)}</td><td>${stateName(t, status.get(p.id) ?? "not_redeemed")}</td></tr>`)}</tbody></table>`}
${mayRemind && people.length > 0 ? remindForm : ""}
</section>`;
    } else if (mayRemind && summary.sampled > summary.submitted) {
      // No names for this coordinator: the count only, and the same button.
      pending = html`<section class="card" tabindex="0"><h2>${t("unit.pending", { count: summary.sampled - summary.submitted })}</h2><p class="muted">${t("unit.namesHidden")}</p>${remindForm}</section>`;
    }
    const body = html`<h1>${summary.unitName} <span class="muted">${unit}</span></h1>
<p class="muted">${campaign.name}</p>
<div id="live" hx-get="${request.url}" hx-trigger="every 30s" hx-select="#live" hx-swap="outerHTML">
<div class="grid">
  <div class="stat"><span>${t("table.sampled")}</span><b>${n(summary.sampled)}</b></div>
  <div class="stat"><span>${stateName(t, "submitted")}</span><b>${n(summary.submitted)}</b><span>${formatRate(ctx.lang, summary.rate)}</span></div>
  <div class="stat"><span>${stateName(t, "in_progress")}</span><b>${n(summary.inProgress)}</b></div>
  <div class="stat"><span>${stateName(t, "not_redeemed")}</span><b>${n(summary.sampled - summary.redeemed)}</b></div>
  ${summary.imported > 0 ? html`<div class="stat"><span>${t("channels.import")}</span><b>${n(summary.imported)}</b><span>${t("overview.importedNote")}</span></div>` : ""}
</div>
<section class="card" tabindex="0"><h2>${t("overview.byGroup")}</h2>
<table><thead><tr><th scope="col">${t("table.group")}</th><th scope="col" class="num">${t("table.sampled")}</th><th scope="col" class="num">${stateName(t, "submitted")}</th><th scope="col" class="num">${stateName(t, "in_progress")}</th><th scope="col" class="num">${t("table.rate")}</th></tr></thead>
<tbody>${summary.groups.map((g) => html`<tr><th scope="row">${groupLabel(questionnaire, ctx.lang, g.group)}</th><td class="num">${n(g.sampled)}</td><td class="num">${n(g.submitted)}</td><td class="num">${n(g.inProgress)}</td><td class="num">${formatRate(ctx.lang, g.rate)}</td></tr>`)}</tbody></table></section>
<section class="card" tabindex="0"><h2>${t("unit.overTime")}</h2>${await submissionsFigure(context, t, campaign, unit)}</section>
${pending}
</div>`;
    return sendPage(reply, page(ctx, summary.unitName, body, { live: true }));
  });

  app.get("/campaigns/:id/index", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    const index = await provisionalIndex(db, campaign);
    const body = html`<h1>${t("index.title")} <span class="provisional">${t("index.provisional")}</span></h1>
<p class="muted">${campaign.name} · ${t("index.asOf", { time: formatWhen(t, now(), campaign.timeZone) })}</p>
${indexSection(ctx.t, index, await db.respondents.units(campaign.id))}`;
    return sendPage(reply, page(ctx, t("index.title"), body));
  });

  // The provisional scores file, as `khaosat score --campaign ID --format csv` writes it (with the
  // appraisal uploaded to the console); units under minResponses are excluded there as here.
  app.get("/campaigns/:id/scores.csv", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const index = await provisionalIndex(db, campaign);
    if (!index.outcome.ok) return reply.code(422).header("content-type", "text/plain; charset=utf-8").send(`${index.outcome.errors.map((e) => e.message).join("\n")}\n`);
    await db.audit.record({ at: now(), kind: "web.scores_exported", campaignId: campaign.id, actor: user.email, data: { units: index.outcome.report.units.length } });
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="scores-${campaign.id.replace(/[^A-Za-z0-9_-]/g, "_")}.csv"`)
      .send(`\uFEFF${formatScoreCsv(index.outcome.report, index.questionnaire)}`);
  });

  const flagsPage = async (request: FastifyRequest, reply: FastifyReply, campaign: CampaignRecord, flash?: Flash, status = 200) => {
    const ctx = request.ctx;
    const { t } = ctx;
    const questionnaire = (await provisionalIndex(db, campaign)).questionnaire;
    const subjects = await refreshCampaignFlags(db.flags, questionnaire, campaign.id);
    const rows = flagListRows(subjects);
    const names = new Map((await db.respondents.units(campaign.id)).map((u) => [u.code, u.name]));
    const unitName = (code: string) => (names.has(code) && names.get(code) !== code ? `${names.get(code)!} (${code})` : code);
    // Each flag's evidence from the flags module, said in the reader's language (timing and pattern figures only).
    const evidence = new Map(subjects.map((s) => [s.id, s.evidence]));
    const admin = request.user?.role === "admin";
    const body = html`<h1>${t("flags.title")}</h1><p class="muted">${campaign.name} · ${t("flags.anonymous")}</p>
<section class="card" tabindex="0">${
      rows.length === 0
        ? html`<p>${t("flags.none")}</p>`
        : html`<table><thead><tr><th scope="col">${t("flags.response")}</th><th scope="col">${t("table.unit")}</th><th scope="col">${t("table.group")}</th><th scope="col">${t("flags.flag")}</th><th scope="col">${t("flags.why")}</th><th scope="col" class="num">${t("flags.duration")}</th><th scope="col">${t("flags.decision")}</th></tr></thead><tbody>${rows.map(
            (r) => html`<tr><td><b class="response-ref">${r.reference}</b>${r.fileResponseId !== null ? html`<br><span class="muted">${t("flags.fileResponseId")}:</span> <code class="file-response-id">${r.fileResponseId}</code>` : ""}</td><td>${unitName(r.unit)}</td><td>${groupLabel(questionnaire, ctx.lang, r.group)}</td><td>${t(`flagNames.${r.flag}`, { defaultValue: r.flag })}</td>
<td class="evidence"><p>${t(`flagReasons.${r.flag}`, { defaultValue: "" })}</p>${((lines) => (lines.length > 0 ? html`<ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>` : ""))(describeEvidence(t, ctx.lang, evidence.get(r.responseId) ?? [], r.flag))}</td><td class="num">${r.durationSeconds === null ? "–" : t("flags.minutes", { count: Math.round(r.durationSeconds / 60) })}</td>
<td>${r.decision ? html`${t(`flags.${r.decision}`)}: ${r.reason ?? ""}` : t("flags.undecided")}
${admin ? html`<form class="stack noprint" method="post" action="${campaignUrl(campaign)}/flags/${encodeURIComponent(r.responseId)}">${csrfField(ctx)}
<label for="reason-${r.responseId}-${r.flag}">${t("flags.reason")}</label><input type="text" id="reason-${r.responseId}-${r.flag}" name="reason" maxlength="500" required>
<button type="submit" name="decision" value="accepted">${t("flags.accept")}</button> <button type="submit" class="secondary" name="decision" value="rejected">${t("flags.reject")}</button></form>` : ""}</td></tr>`,
          )}</tbody></table><p class="muted" id="reference-note">${t("flags.referenceNote", { campaign: campaign.id })}</p>`
    }</section>`;
    return sendPage(reply, page(ctx, t("flags.title"), body, flash ? { flash } : {}), status);
  };

  app.get("/campaigns/:id/flags", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { campaign } = found;
    return flagsPage(request, reply, campaign);
  });

  app.post("/campaigns/:id/flags/:response", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const responseId = (request.params as { response: string }).response;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const decision = body.decision === "accepted" || body.decision === "rejected" ? body.decision : null;
    const flagged = await db.flags.find(responseId);
    if (!flagged || flagged.campaignId !== campaign.id) return notFound(request, reply);
    if (!decision) return flagsPage(request, reply, campaign, { kind: "error", text: t("flags.chooseDecision") }, 400);
    try {
      await decideFlaggedResponse(db.flags, { responseId, decision, reason: typeof body.reason === "string" ? body.reason : "", at: now(), actor: `web:${user.email}` });
    } catch (error) {
      if (error instanceof FlagDecisionError) return flagsPage(request, reply, campaign, { kind: "error", text: problemText(t, error.problem) }, 400);
      throw error;
    }
    return flagsPage(request, reply, campaign, { kind: "ok", text: t("flags.recorded") });
  });

  app.get("/campaigns/:id/report.html", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { renderReport } = await import("./report.js");
    const body = await renderReport(db, campaign, now());
    await db.audit.record({ at: now(), kind: "web.report", campaignId: campaign.id, actor: user.email });
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").header("content-disposition", `inline; filename="report-${campaign.id}.html"`).send(body);
  });

  app.get("/campaigns/:id/report.pdf", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { reportModel } = await import("./report.js");
    const { renderReportPdf } = await import("./report-pdf.js");
    const body = await renderReportPdf(await reportModel(db, campaign, now()));
    await db.audit.record({ at: now(), kind: "web.report", campaignId: campaign.id, actor: user.email, data: { format: "pdf" } });
    return reply.type("application/pdf").header("cache-control", "no-store").header("content-disposition", `attachment; filename="report-${campaign.id}.pdf"`).send(body);
  });

  app.get("/audit", async (request, reply) => {
    if (!requireRole(request, reply, ["admin"])) return reply;
    const { t } = request.ctx;
    const before = Number((request.query as { before?: string }).before);
    const events = await db.web.auditPage({ limit: 100, ...(Number.isInteger(before) && before > 0 ? { before } : {}) });
    const last = events[events.length - 1];
    const body = html`<h1>${t("audit.title")}</h1><section class="card" tabindex="0">${auditTable(request.ctx, events)}
${events.length === 100 && last ? html`<p><a href="/audit?before=${last.id}">${t("audit.older")}</a></p>` : ""}</section>`;
    return sendPage(reply, page(request.ctx, t("audit.title"), body));
  });

  void forbidden;
}
