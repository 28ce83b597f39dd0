// Broadcasts from the browser, through the service behind `khaosat broadcast` (the same text
// checks, audiences and outbox rows): write, preview as the respondent will see it with the
// audience count, confirm (a one-time confirmation kept in the database, so a double click or a
// second tab queues nothing twice), then watch the outbox rows being sent. Admins only; audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { BroadcastService, checkText, formatAudience, MAX_MESSAGE_LENGTH, parseAudience, type BroadcastRequest, type NobodyToReach } from "../broadcast/index.js";
import type { CampaignRecord } from "../db/index.js";
import { campaignQuestionnaire, formatZonedTime } from "../campaigns/index.js";
import { OUTBOX_STATUSES, type ParseMode } from "../outbox/index.js";
import { campaignRequest } from "./campaign-route.js";
import { html, trusted, type Html } from "./html.js";
import { csrfField, page, type Flash, type PageContext } from "./layout.js";
import { notFound, sendPage, type WebContext } from "./server.js";
import { keepUpload, uploadId } from "./uploads.js";
import { problemText, type Problem } from "../i18n/index.js";
import { describeAudience, groupLabel } from "./format.js";

/** The longest text the form takes (Telegram's 4,096 visible characters, with room for markup and --split). */
const MAX_TEXT = 20_000;
/** Statuses after which a message will not change any more. */
const FINAL = new Set(["sent", "failed", "unreachable", "skipped", "cancelled"]);

/** What the compose form sent. */
interface Draft {
  readonly text: string;
  readonly parseMode: ParseMode | null;
  readonly audience: string;
  readonly split: boolean;
}

function readDraft(body: unknown): Draft {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = typeof b.text === "string" ? b.text.replace(/\r\n/g, "\n").slice(0, MAX_TEXT) : "";
  const parseMode = b.parseMode === "HTML" || b.parseMode === "MarkdownV2" ? b.parseMode : null;
  return { text, parseMode, audience: typeof b.audience === "string" ? b.audience : "not-submitted", split: b.split === "1" || b.split === "on" };
}

/**
 * A Telegram HTML text (already accepted by the broadcast check: only Telegram's tags, balanced,
 * entities valid) as the chat will show it: text escaped, simple tags kept without attributes,
 * links shown as underlined text followed by their address, never as live links.
 */
export function telegramHtmlPreview(text: string): Html {
  const SIMPLE = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "blockquote"]);
  let out = "";
  const links: string[] = [];
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*>|&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});|[^<&]+|[<&]/g;
  for (const m of text.matchAll(re)) {
    const token = m[0];
    if (m[2] !== undefined) {
      const name = m[2].toLowerCase();
      const closing = m[1] === "/";
      if (SIMPLE.has(name)) out += `<${closing ? "/" : ""}${name}>`;
      else if (name === "a") {
        if (closing) out += `</u> (${escapeText(links.pop() ?? "")})`;
        else {
          const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/.exec(m[3] ?? "");
          links.push(decodeEntities(href?.[1] ?? href?.[2] ?? href?.[3] ?? ""));
          out += "<u>";
        }
      }
      // tg-spoiler, span, tg-emoji: their text shows, the tag does not.
    } else if (token.startsWith("&") && token.length > 1) out += token;
    else out += escapeText(token);
  }
  return trusted(out);
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"' })[e]!);
}

/** One message bubble as the respondent will see it. */
function bubble(part: string, parseMode: ParseMode | null): Html {
  return html`<div class="bubble">${parseMode === "HTML" ? telegramHtmlPreview(part) : part}</div>`;
}

/** Registers the broadcast pages. */
export function registerBroadcastRoutes(app: FastifyInstance, context: WebContext): void {
  const { db, now } = context;
  const service = new BroadcastService(db.messaging, db.outbox);
  const base = (c: CampaignRecord) => `/campaigns/${encodeURIComponent(c.id)}`;

  /** What the page names audiences with: the units' names and the questionnaire's group labels. */
  const audienceWords = async (campaign: CampaignRecord) => {
    const [units, questionnaire] = await Promise.all([db.respondents.units(campaign.id), campaignQuestionnaire(db.campaigns, campaign)]);
    return { names: new Map(units.map((u) => [u.code, u.name])), questionnaire };
  };
  /** A stored audience ("group:leaders") in the reader's words ("Nhóm: Lãnh đạo …"). */
  const sayAudience = async (ctx: PageContext, campaign: CampaignRecord, audience: string) => {
    const { names, questionnaire } = await audienceWords(campaign);
    return describeAudience(ctx.t, audience, questionnaire, ctx.lang, names);
  };

  const audienceOptions = async (ctx: PageContext, campaign: CampaignRecord, selected: string): Promise<Html> => {
    const { t } = ctx;
    const { names, questionnaire } = await audienceWords(campaign);
    const values = await db.messaging.audienceValues(campaign.id);
    const option = (value: string, label: string) => html`<option value="${value}"${selected === value ? html` selected` : ""}>${label}</option>`;
    return html`${option("not-submitted", t("broadcast.audienceNotSubmitted"))}${option("all", t("broadcast.audienceAll"))}
<optgroup label="${t("broadcast.audienceUnits")}">${values.units.map((u) => option(`unit:${u}`, `${names.get(u) ?? u} (${u})`))}</optgroup>
<optgroup label="${t("broadcast.audienceGroups")}">${values.groups.map((g) => option(`group:${g}`, groupLabel(questionnaire, ctx.lang, g)))}</optgroup>`;
  };

  const composePage = async (request: FastifyRequest, reply: FastifyReply, campaign: CampaignRecord, draft: Draft, extra: { flash?: Flash; section?: Html } = {}, status = 200) => {
    const ctx = request.ctx;
    const { t } = ctx;
    const mode = (value: string, label: string) => html`<option value="${value}"${(draft.parseMode ?? "") === value ? html` selected` : ""}>${label}</option>`;
    const recent = await db.web.broadcasts(campaign.id);
    const { names, questionnaire } = await audienceWords(campaign);
    const body = html`<h1>${t("broadcast.title")}</h1><p class="muted"><a href="${base(campaign)}">${campaign.name}</a> · <a href="${base(campaign)}/act">${t("nav.act")}</a></p>
${extra.section ?? ""}
<section class="card" tabindex="0"><h2>${t("broadcast.compose")}</h2>
<form class="stack" method="post" action="${base(campaign)}/broadcast/preview">${csrfField(ctx)}
<label for="broadcast-audience">${t("broadcast.audience")}</label><select id="broadcast-audience" name="audience">${await audienceOptions(ctx, campaign, draft.audience)}</select>
<label for="broadcast-mode">${t("broadcast.format")}</label><select id="broadcast-mode" name="parseMode">${mode("", t("broadcast.plain"))}${mode("HTML", "HTML (Telegram)")}${mode("MarkdownV2", "MarkdownV2 (Telegram)")}</select>
<label for="broadcast-text">${t("broadcast.text")}</label><textarea id="broadcast-text" name="text" required maxlength="${MAX_TEXT}">${draft.text}</textarea>
<p class="muted">${t("broadcast.textHelpOfficial")}</p>
<label class="check" for="broadcast-split"><input type="checkbox" id="broadcast-split" name="split" value="1"${draft.split ? html` checked` : ""}> <span>${t("broadcast.split")}</span></label>
<div><button type="submit">${t("broadcast.preview")}</button></div></form></section>
${
  recent.length > 0
    ? html`<section class="card" tabindex="0"><h2>${t("broadcast.recent")}</h2><ul>${recent.map(
        (b) => html`<li><a href="${base(campaign)}/broadcasts/${encodeURIComponent(b.id)}">${formatZonedTime(b.createdAt, campaign.timeZone)}</a> · ${describeAudience(t, b.audience, questionnaire, ctx.lang, names)} · ${t("overview.recipients", { count: b.recipients })}${b.cancelledAt ? html` · ${t("overview.cancelled")}` : ""}</li>`,
      )}</ul></section>`
    : ""
}`;
    return sendPage(reply, page(ctx, t("broadcast.title"), body, extra.flash ? { flash: extra.flash } : {}), status);
  };

  /** The service's request for a draft, or the error to show. */
  const toRequest = (campaign: CampaignRecord, draft: Draft, actor: string): { ok: true; request: BroadcastRequest } | { ok: false; error: string } => {
    const audience = parseAudience(draft.audience);
    if (!audience.ok) return { ok: false, error: audience.error };
    return { ok: true, request: { campaignId: campaign.id, audience: audience.audience, text: draft.text, parseMode: draft.parseMode, split: draft.split, actor } };
  };

  /** The refusals an organiser meets most, in their language and in the form's words (the service's own check follows). */
  const commonRefusal = (t: PageContext["t"], campaign: CampaignRecord, draft: Draft): string | null => {
    if (draft.text.trim() === "") return t("broadcast.empty");
    if (campaign.closedAt !== null || now().getTime() >= campaign.closesAt.getTime()) return t("broadcast.closed");
    const check = checkText(draft.text, draft.parseMode);
    if (check.ok && check.visibleLength > MAX_MESSAGE_LENGTH && !draft.split) return t("broadcast.tooLong", { length: check.visibleLength, max: MAX_MESSAGE_LENGTH });
    return null;
  };

  /** The service's refusal in the organiser's language where it is about who the message would reach. */
  const refusalText = (t: PageContext["t"], refused: { error: string; nobody?: NobodyToReach; problem?: Problem }): string => {
    const nobody = refused.nobody;
    // Who it would reach, in the console's own words (the page names the audience already).
    if (nobody?.sampled === null) return t("broadcast.nobodyMatches", { count: nobody.opened });
    if (nobody?.sampled === 0) return t("broadcast.noRespondents");
    if (nobody !== undefined) return t("broadcast.nobodyOpened", { count: nobody.sampled });
    if (refused.problem) return problemText(t, refused.problem);
    return refused.error;
  };

  app.get("/campaigns/:id/broadcast", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    return composePage(request, reply, found.campaign, { text: "", parseMode: null, audience: "not-submitted", split: false });
  });

  app.post("/campaigns/:id/broadcast/preview", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    const draft = readDraft(request.body);
    const common = commonRefusal(t, campaign, draft);
    if (common) return composePage(request, reply, campaign, draft, { flash: { kind: "error", text: html`${t("broadcast.refused")} ${common}` } }, 422);
    const asked = toRequest(campaign, draft, `web:${user.email}`);
    const prepared = asked.ok ? await service.prepare(asked.request, now()) : asked;
    if (!prepared.ok) return composePage(request, reply, campaign, draft, { flash: { kind: "error", text: html`${t("broadcast.refused")} ${refusalText(t, prepared)}` } }, 422);
    const { parts, recipients } = prepared.prepared;
    // The confirmation waits in the database: "Send" takes it once, whichever instance serves it.
    const confirmation = await keepUpload(db, { campaignId: campaign.id, kind: "broadcast", actor: user.email, bytes: Buffer.from(JSON.stringify(draft)), rows: recipients.length }, now());
    const section = html`<section class="card" tabindex="0" id="preview"><h2>${t("broadcast.previewTitle")}</h2>
<p id="audience-count"><b>${t("broadcast.count", { count: recipients.length })}</b> · ${await sayAudience(ctx, campaign, formatAudience(prepared.prepared.request.audience))} · ${t("broadcast.parts", { count: parts.length })}</p>
<p class="muted">${t("broadcast.reachNote")}</p>
<div class="chat" aria-label="${t("broadcast.previewLabel")}">${parts.map((p) => bubble(p, draft.parseMode))}</div>
${draft.parseMode === "MarkdownV2" ? html`<p class="muted">${t("broadcast.markdownNote")}</p>` : ""}
<form method="post" action="${base(campaign)}/broadcast/send">${csrfField(ctx)}<input type="hidden" name="upload" value="${confirmation}">
<p class="flash warn">${t("broadcast.irreversible", { count: recipients.length })}</p>
<button type="submit">${t("broadcast.confirm", { count: recipients.length })}</button></form>
<p class="muted">${t("broadcast.editBelow")}</p></section>`;
    return composePage(request, reply, campaign, draft, { section });
  });

  app.post("/campaigns/:id/broadcast/send", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const id = uploadId(request.body);
    const confirmation = id ? await db.web.takeUpload(id, { campaignId: campaign.id, kind: "broadcast", actor: user.email }, now()) : null;
    const empty: Draft = { text: "", parseMode: null, audience: "not-submitted", split: false };
    if (!confirmation) return composePage(request, reply, campaign, empty, { flash: { kind: "error", text: t("broadcast.confirmationGone") } }, 400);
    const draft = readDraft(JSON.parse(Buffer.from(confirmation.bytes).toString("utf8")));
    const asked = toRequest(campaign, draft, `web:${user.email}`);
    // Checked again: the campaign may have closed, or the audience changed, since the preview.
    const prepared = asked.ok ? await service.prepare(asked.request, now()) : asked;
    if (!prepared.ok) return composePage(request, reply, campaign, draft, { flash: { kind: "error", text: html`${t("broadcast.refused")} ${refusalText(t, prepared)}` } }, 422);
    const record = await service.queue(prepared.prepared, now());
    await db.audit.record({
      at: now(),
      kind: "web.broadcast_queued",
      campaignId: campaign.id,
      actor: user.email,
      data: { broadcastId: record.id, audience: record.audience, recipients: record.recipients, parts: record.parts, previewed: confirmation.rows },
    });
    return reply.redirect(`${base(campaign)}/broadcasts/${encodeURIComponent(record.id)}`, 303);
  });

  const progressPage = async (request: FastifyRequest, reply: FastifyReply, campaign: CampaignRecord, broadcastId: string, flash?: Flash) => {
    const ctx = request.ctx;
    const { t } = ctx;
    const broadcast = await db.messaging.broadcast(broadcastId);
    if (!broadcast || broadcast.campaignId !== campaign.id) return notFound(request, reply);
    const counts = await service.progress(broadcast.id);
    const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    const pending = Object.entries(counts).reduce((n, [status, c]) => n + (FINAL.has(status) ? 0 : (c ?? 0)), 0);
    const shown = OUTBOX_STATUSES.filter((s) => counts[s] !== undefined || s === "queued" || s === "sent" || s === "failed");
    const url = `${base(campaign)}/broadcasts/${encodeURIComponent(broadcast.id)}`;
    // While messages wait, the counts refresh themselves every 5 seconds (htmx); without JavaScript, reload.
    const live = pending > 0 ? html` hx-get="${url}" hx-trigger="every 5s" hx-select="#progress" hx-swap="outerHTML"` : "";
    const body = html`<h1>${t("broadcast.progressTitle")}</h1><p class="muted"><a href="${base(campaign)}">${campaign.name}</a> · <a href="${base(campaign)}/broadcast">${t("broadcast.title")}</a></p>
<div id="progress"${live}>
<section class="card" tabindex="0">
<p>${formatZonedTime(broadcast.createdAt, campaign.timeZone)} · ${await sayAudience(ctx, campaign, broadcast.audience)} · ${t("overview.recipients", { count: broadcast.recipients })} · ${t("broadcast.parts", { count: broadcast.parts })}${broadcast.actor ? ` · ${broadcast.actor}` : ""}${broadcast.cancelledAt ? html` · <b>${t("overview.cancelled")}</b>` : ""}</p>
<table id="progress-counts"><thead><tr><th scope="col">${t("broadcast.status")}</th><th scope="col" class="num">${t("broadcast.messages")}</th></tr></thead>
<tbody>${shown.map((s) => html`<tr data-status="${s}"><th scope="row">${t(`outboxStatus.${s}`)}</th><td class="num">${counts[s] ?? 0}</td></tr>`)}
<tr><th scope="row">${t("broadcast.total")}</th><td class="num">${total}</td></tr></tbody></table>
<p class="muted">${pending > 0 ? t("broadcast.sending", { count: pending }) : t("broadcast.done")}</p>
${
  pending > 0 && !broadcast.cancelledAt && request.user?.role === "admin"
    ? html`<form method="post" action="${url}/cancel">${csrfField(ctx)}<button type="submit" class="secondary">${t("broadcast.cancel", { count: pending })}</button></form>`
    : ""
}
</section></div>`;
    return sendPage(reply, page(ctx, t("broadcast.progressTitle"), body, { live: true, ...(flash ? { flash } : {}) }));
  };

  app.get("/campaigns/:id/broadcasts/:broadcast", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    return progressPage(request, reply, found.campaign, (request.params as { broadcast: string }).broadcast);
  });

  app.post("/campaigns/:id/broadcasts/:broadcast/cancel", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const broadcastId = (request.params as { broadcast: string }).broadcast;
    const broadcast = await db.messaging.broadcast(broadcastId);
    if (!broadcast || broadcast.campaignId !== campaign.id) return notFound(request, reply);
    const done = await service.cancel(broadcast.id, now());
    await db.audit.record({ at: now(), kind: "web.broadcast_cancelled", campaignId: campaign.id, actor: user.email, data: { broadcastId: broadcast.id, cancelled: done?.cancelled ?? 0 } });
    return progressPage(request, reply, campaign, broadcast.id, { kind: "ok", text: request.ctx.t("broadcast.cancelled", { count: done?.cancelled ?? 0 }) });
  });
}
