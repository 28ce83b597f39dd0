// The console's actions (admins only), each through the same service as the CLI and audited:
// upload a respondents file (checked line by line before anything is imported, then imported by
// the service behind `khaosat respondents import`), issue codes (the service behind `khaosat codes
// issue`; the file is the only copy and is shown once), upload appraisal points.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CampaignRecord } from "../db/index.js";
import { CodeFileClosedError, codeDeepLink, issueCodes, sortSlips, streamCodeFile, type CodeSlip } from "../access/index.js";
import { PassThrough } from "node:stream";
import { campaignQuestionnaire, streamCampaignResponses } from "../campaigns/index.js";
import { importRespondentsFile, RespondentValidator, streamTable, TableFileError } from "../respondents/index.js";
import { parseAppraisalCsv } from "../scoring/io/index.js";
import { html, type Html } from "./html.js";
import { csrfField, page, type Flash } from "./layout.js";
import { fileErrorText, keepUpload, problemList, tableFormat, uploadId, withTemporaryFile } from "./uploads.js";
import { sendPage, type WebContext } from "./server.js";
import { CODE_FILE_FORMATS, CODE_FILE_TTL_MS, CODE_FILE_TYPES, keepCodeSlips, packSlips, putBackCodeSlips, takeCodeSlips } from "./code-files.js";
import { formatWhen } from "./format.js";
import { campaignRequest } from "./campaign-route.js";

/** An uploaded file as @fastify/multipart hands it over with attachFieldsToBody: "keyValues". */
export function uploaded(body: unknown, field: string): { bytes: Buffer; name: string } | null {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (!Buffer.isBuffer(value) || value.length === 0) return null;
  return { bytes: value, name: "" };
}

/** The actions page: every upload and download form, with a result section or message above them. */
export function actPage(context: WebContext, request: FastifyRequest, reply: FastifyReply, campaign: CampaignRecord, extra: { flash?: Flash; section?: Html } = {}, status = 200): FastifyReply {
  const ctx = request.ctx;
  const { t } = ctx;
  const base = `/campaigns/${encodeURIComponent(campaign.id)}`;
  const body = html`<h1>${t("act.title")}</h1><p class="muted"><a href="${base}">${campaign.name}</a></p>
<p class="noprint"><a class="button" href="${base}/broadcast">${t("broadcast.title")}</a> <a class="button secondary" href="${base}/reminders">${t("reminders.title")}</a></p>
${extra.section ?? ""}
<section class="card" tabindex="0"><h2>${t("act.respondents")}</h2>
<form class="stack" method="post" action="${base}/respondents/check" enctype="multipart/form-data">${csrfField(ctx)}
<label for="respondents-file">${t("act.respondentsFile")}</label><input id="respondents-file" type="file" name="file" accept=".csv,.xlsx" required>
<div><button type="submit">${t("act.check")}</button></div></form>
<p class="muted">${t("act.respondentsHelpOfficial")}</p></section>
<section class="card" tabindex="0"><h2>${t("act.codes")}</h2>
<form class="stack" method="post" action="${base}/codes">${csrfField(ctx)}
<label for="codes-bot">${t("act.bot")}</label><input id="codes-bot" type="text" name="bot" required value="${context.options.botUsername ?? ""}" pattern="[A-Za-z0-9_]{5,32}">
<p class="muted">${t("act.codesFormats")}</p>
<p class="flash warn">${t("act.codesWarning")}</p>
<div><button type="submit">${t("act.issueAll")}</button></div></form></section>
<section class="card" tabindex="0"><h2>${t("act.appraisal")}</h2>
<form class="stack" method="post" action="${base}/appraisal" enctype="multipart/form-data">${csrfField(ctx)}
<label for="appraisal-file">${t("act.appraisalFile")}</label><input id="appraisal-file" type="file" name="file" accept=".csv" required>
<div><button type="submit">${t("act.upload")}</button></div></form></section>
<section class="card" tabindex="0"><h2>${t("paper.title")}</h2>
<form class="stack" method="post" action="${base}/responses/check" enctype="multipart/form-data">${csrfField(ctx)}
<label for="responses-file">${t("paper.file")}</label><input id="responses-file" type="file" name="file" accept=".csv,.xlsx" required>
<div><button type="submit">${t("act.check")}</button></div></form>
<p class="muted">${t("paper.helpOfficial")}</p></section>`;
  return sendPage(reply, page(ctx, t("act.title"), body, extra.flash ? { flash: extra.flash } : {}), status);
}

/** Registers the pages that change things. */
export function registerActRoutes(app: FastifyInstance, context: WebContext): void {
  const { db, now } = context;
  const base = (c: CampaignRecord) => `/campaigns/${encodeURIComponent(c.id)}`;

  app.get("/campaigns/:id/act", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { campaign } = found;
    return actPage(context, request, reply, campaign);
  });

  app.post("/campaigns/:id/respondents/check", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const file = uploaded(request.body, "file");
    if (!file) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.noFile") } }, 400);
    const format = tableFormat(file.bytes);
    // The same check as `khaosat respondents import`, row by row, before anything is written.
    const validator = new RespondentValidator(await campaignQuestionnaire(db.campaigns, campaign), new Set((await db.respondents.units(campaign.id)).map((u) => u.code)));
    try {
      await withTemporaryFile(file.bytes, format, (stored) => streamTable(stored, validator));
    } catch (error) {
      if (error instanceof TableFileError) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: fileErrorText(request.ctx, error) } }, 400);
      throw error;
    }
    const checked = validator.finish();
    await db.audit.record({ at: now(), kind: "web.respondents_checked", campaignId: campaign.id, actor: user.email, data: { rows: checked.valid.length, errors: checked.errors.length } });
    if (checked.fatal || checked.errors.length > 0) {
      const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkFailed", { count: checked.errors.length })}</h2>${problemList(request.ctx, checked.errors)}</section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.fixBelow") } }, 422);
    }
    const id = await keepUpload(db, { campaignId: campaign.id, kind: "respondents", actor: user.email, bytes: file.bytes, rows: checked.valid.length }, now());
    const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkPassed", { count: checked.valid.length })}</h2>
${checked.warnings.length > 0 ? problemList(request.ctx, checked.warnings) : ""}
<form method="post" action="/campaigns/${encodeURIComponent(campaign.id)}/respondents/import">${csrfField(request.ctx)}<input type="hidden" name="upload" value="${id}"><button type="submit">${t("act.import", { count: checked.valid.length })}</button></form></section>`;
    return actPage(context, request, reply, campaign, { section });
  });

  app.post("/campaigns/:id/respondents/import", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const id = uploadId(request.body);
    const upload = id ? await db.web.takeUpload(id, { campaignId: campaign.id, kind: "respondents", actor: user.email }, now()) : null;
    if (!upload) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.uploadExpired") } }, 400);
    const report = await withTemporaryFile(upload.bytes, tableFormat(upload.bytes), (file) => importRespondentsFile(db, campaign.id, file, {}));
    if (!report.imported) {
      const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkFailed", { count: report.errors.length })}</h2>${problemList(request.ctx, report.errors)}</section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.fixBelow") } }, 422);
    }
    await db.audit.record({ at: now(), kind: "web.respondents_imported", campaignId: campaign.id, actor: user.email, data: { ...report.counts } });
    return actPage(context, request, reply, campaign, { flash: { kind: "ok", text: t("act.imported", { ...report.counts }) } });
  });

  app.post("/campaigns/:id/codes", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const body = request.body as Record<string, unknown>;
    const bot = String(body.bot ?? "").replace(/^@/, "");
    if (!/^[A-Za-z0-9_]{5,32}$/.test(bot)) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.badBot") } }, 400);
    if (!context.options.codeSecret) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.noSecret") } }, 503);
    const respondents = await db.respondents.list(campaign.id);
    if (respondents.length === 0) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.noRespondents") } }, 400);
    const names = new Map((await db.respondents.units(campaign.id)).map((u) => [u.code, u.name]));
    const byId = new Map(respondents.map((r) => [r.id, r]));
    const at = now();
    let packed: Buffer | undefined;
    const issued = await issueCodes({
      repository: db.access,
      secret: context.options.codeSecret,
      campaignId: campaign.id,
      respondents: respondents.map((r) => ({ id: r.id, unitCode: r.unitCode })),
      now: at,
      actor: `web:${user.email}`,
      beforeStore: async (list) => {
        const slips: CodeSlip[] = list.map(({ respondentId, code }) => {
          const r = byId.get(respondentId)!;
          return { code, link: codeDeepLink(bot, code), externalId: r.externalId, name: r.fullName, unit: names.get(r.unitCode) ?? r.unitCode, ...(r.language ? { language: r.language } : {}) };
        });
        // What the files are drawn from, now, while the plain codes exist: they are never seen again
        // after this request. Only this compact data (~1 MB at 50,000), not the files: each file is
        // drawn when its download is asked for, streamed into the response.
        // Sorted once here, as every file orders them: each download's sort then finds them in order (one pass, not a long pause).
        packed = packSlips({ slips: sortSlips(slips), options: { botUsername: bot, title: campaign.name, createdAt: at, closing: { at: campaign.closesAt, timeZone: campaign.timeZone } } });
      },
    });
    if (issued.length === 0 || !packed) return actPage(context, request, reply, campaign, { flash: { kind: "warn", text: t("act.allHold") } });
    const kept = await keepCodeSlips(db, packed, { campaignId: campaign.id, actor: user.email, rows: issued.length }, at);
    const until = formatWhen(t, new Date(at.getTime() + CODE_FILE_TTL_MS), campaign.timeZone);
    const ctx = request.ctx;
    const section = html`<section class="card" tabindex="0" id="codes-issued"><h2>${t("act.codesIssued", { count: issued.length })}</h2>
<p class="flash warn" role="alert"><b>${t("act.codesOnce")}</b> ${t("act.codesWarning")}</p>
<p>${t("act.codesEachOnceOfficial", { time: until })}</p>
<p class="muted">${t("act.codesPreparedOnDownload")}</p>
<div class="downloads">${kept.files.map(
      (f) => html`<form class="inline" method="post" action="${base(campaign)}/codes/download">${csrfField(ctx)}<input type="hidden" name="file" value="${f.id}"><input type="hidden" name="key" value="${kept.key}"><input type="hidden" name="format" value="${f.format}"><button type="submit">${t("act.download", { format: f.format.toUpperCase() })}</button></form> `,
    )}</div></section>`;
    return actPage(context, request, reply, campaign, { section, flash: { kind: "ok", text: t("act.codesIssuedFlash", { count: issued.length }) } });
  });

  // A file of the codes just issued, drawn now from the sealed slips and streamed into the response
  // (the PDF page by page): bounded memory at any size of round, and nothing large stored. Taken
  // once: a failure before anything was sent puts it back, so the admin can try again in time.
  app.post("/campaigns/:id/codes/download", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const format = CODE_FILE_FORMATS.find((f) => f === body.format);
    const form = { id: String(body.file ?? ""), key: String(body.key ?? "") };
    const taken = format ? await takeCodeSlips(db, { ...form, format, campaignId: campaign.id, actor: user.email }, now()) : null;
    if (!format || !taken) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.codesGoneOfficial") } }, 410);
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    let ready = (): void => undefined;
    const started = new Promise<"ready">((resolve) => (ready = () => resolve("ready")));
    const rendering = streamCodeFile(format, taken.slips, taken.options, out, ready);
    const first = await Promise.race([started, rendering.then(() => "ready" as const, (error: unknown) => ({ error }))]);
    if (first !== "ready") {
      // Nothing was sent: the file waits again (sealed, until the same time) for another try.
      request.log.error(first.error);
      out.destroy();
      await putBackCodeSlips(db, taken.sealed, now());
      const until = formatWhen(t, taken.sealed.expiresAt, campaign.timeZone);
      const section = html`<section class="card" tabindex="0" id="codes-issued"><h2>${t("act.codesFileFailed", { format: format.toUpperCase() })}</h2>
<p>${t("act.codesFileRetry", { format: format.toUpperCase(), time: until })}</p>
<div class="downloads"><form class="inline" method="post" action="${base(campaign)}/codes/download">${csrfField(request.ctx)}<input type="hidden" name="file" value="${form.id}"><input type="hidden" name="key" value="${form.key}"><input type="hidden" name="format" value="${format}"><button type="submit">${t("act.download", { format: format.toUpperCase() })}</button></form></div></section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.codesFileFailed", { format: format.toUpperCase() }) } }, 500);
    }
    try {
      await db.audit.record({ at: now(), kind: "web.codes_downloaded", campaignId: campaign.id, actor: user.email, data: { format } });
    } catch (error) {
      // Not audited, so not sent: the drawing stops (its stream is closed) and the file waits again.
      out.destroy();
      await putBackCodeSlips(db, taken.sealed, now());
      throw error;
    }
    rendering.catch(async (error: unknown) => {
      // Cut off midway (the browser went away, or drawing failed): part of the file was sent, so it is not offered again.
      if (error instanceof CodeFileClosedError) request.log.warn({ format }, "code slips download closed before the end");
      else request.log.error(error);
      out.destroy(error instanceof Error ? error : new Error(String(error)));
      await db.audit.record({ at: now(), kind: "web.codes_download_failed", campaignId: campaign.id, actor: user.email, data: { format } }).catch((e: unknown) => request.log.error(e));
    });
    return reply
      .type(CODE_FILE_TYPES[format])
      .header("cache-control", "no-store")
      .header("content-disposition", `attachment; filename="codes-${campaign.id.replace(/[^A-Za-z0-9_-]/g, "_")}-${now().toISOString().slice(0, 10)}.${format}"`)
      .send(out);
  });

  // The responses file, as `khaosat responses export` writes it (no identity; small cells withheld);
  // streamed page by page, so memory stays bounded at any size.
  app.get("/campaigns/:id/responses.csv", async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin", "viewer"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const out = new PassThrough();
    const write = (chunk: string) => (out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once("drain", resolve)));
    void (async () => {
      try {
        await write("\uFEFF");
        const counts = await streamCampaignResponses(db, campaign, write, { withIdentity: false });
        await db.audit.record({ at: now(), kind: "web.responses_exported", campaignId: campaign.id, actor: user.email, data: { count: counts.count, withheld: counts.withheld } });
        out.end();
      } catch (error) {
        request.log.error(error);
        out.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    })();
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="responses-${campaign.id.replace(/[^A-Za-z0-9_-]/g, "_")}.csv"`)
      .send(out);
  });

  app.post("/campaigns/:id/appraisal", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const { t } = request.ctx;
    const file = uploaded(request.body, "file");
    if (!file) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.noFile") } }, 400);
    const scoring = (await campaignQuestionnaire(db.campaigns, campaign)).definition.scoring;
    // In campaign mode, as the index reads it: a unit the campaign does not have is a typo to fix now.
    const knownUnits = (await db.respondents.units(campaign.id)).map((u) => u.code);
    const parsed = parseAppraisalCsv(file.bytes, { knownUnits, ...(scoring?.kind === "points" && scoring.appraisalMax !== undefined ? { appraisalMax: scoring.appraisalMax } : {}) });
    const list = [...parsed.errors.map((e) => ({ line: e.line ?? 0, message: e.message, problems: e.problems })), ...parsed.rejected.map((r) => ({ line: r.line, message: r.reason, problems: r.problems }))];
    if (list.length > 0) {
      const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkFailed", { count: list.length })}</h2>${problemList(request.ctx, list)}</section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.fixBelow") } }, 422);
    }
    await db.web.setAppraisal(campaign.id, parsed.points);
    await db.audit.record({ at: now(), kind: "web.appraisal_uploaded", campaignId: campaign.id, actor: user.email, data: { units: parsed.points.size } });
    return actPage(context, request, reply, campaign, { flash: { kind: "ok", text: t("act.appraisalStored", { count: parsed.points.size }) } });
  });
}
