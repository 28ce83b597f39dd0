// Paper responses from the browser: a responses CSV or XLSX (SURVEY-FORMAT §4) checked line by line by the
// parser behind `khaosat responses import` before anything is stored, then imported by the same
// importer (re-importing the same file changes nothing). Rejected rows import nothing unless the
// organiser chooses, as with --skip-invalid, to import the valid rows and skip them. Admins; audited.
import type { FastifyInstance } from "fastify";
import { campaignQuestionnaire, importCampaignResponses } from "../campaigns/index.js";
import { parseResponsesCsv } from "../scoring/io/index.js";
import { actPage, uploaded } from "./act.js";
import { campaignRequest } from "./campaign-route.js";
import { html } from "./html.js";
import { csrfField } from "./layout.js";
import type { WebContext } from "./server.js";
import { fileErrorText, keepUpload, problemList, tableFormat, uploadId, withTemporaryFile } from "./uploads.js";
import { workbookAsCsv } from "./responses-xlsx.js";
import { TableFileError } from "../respondents/index.js";

/** Registers the paper responses upload. */
export function registerPaperRoutes(app: FastifyInstance, context: WebContext): void {
  const { db, now } = context;

  app.post("/campaigns/:id/responses/check", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    const file = uploaded(request.body, "file");
    if (!file) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.noFile") } }, 400);
    // A workbook is read into CSV first; lines are then told as the workbook's rows.
    let csv: Uint8Array = file.bytes;
    let rowOf = (line: number) => line;
    if (tableFormat(file.bytes) === "xlsx") {
      let workbook;
      try {
        workbook = await withTemporaryFile(file.bytes, "xlsx", workbookAsCsv);
      } catch (error) {
        if (error instanceof TableFileError) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: fileErrorText(request.ctx, error) } }, 400);
        throw error;
      }
      if (workbook.problems.length > 0) {
        const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkFailed", { count: workbook.problems.length })}</h2>${problemList(ctx, workbook.problems)}</section>`;
        return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.fixBelow") } }, 422);
      }
      csv = workbook.csv;
      rowOf = workbook.rowOf;
    }
    const questionnaire = await campaignQuestionnaire(db.campaigns, campaign);
    const raw = parseResponsesCsv(csv, questionnaire, { timezone: campaign.timeZone });
    const parsed = {
      ...raw,
      errors: raw.errors.map((e) => (e.line === undefined ? e : { ...e, line: rowOf(e.line) })),
      warnings: raw.warnings.map((w) => ({ ...w, line: rowOf(w.line) })),
    };
    const rejected = raw.rejected.map((r) => ({ line: rowOf(r.line), message: r.reason, problems: r.problems }));
    await db.audit.record({ at: now(), kind: "web.responses_checked", campaignId: campaign.id, actor: user.email, data: { rows: parsed.responses.length, rejected: rejected.length, errors: parsed.errors.length } });
    const warnings = parsed.warnings.length > 0 ? html`<h3>${t("paper.warnings", { count: parsed.warnings.length })}</h3>${problemList(ctx, parsed.warnings)}` : "";
    if (parsed.errors.length > 0 || parsed.responses.length === 0) {
      const list = parsed.errors.length > 0 ? parsed.errors.map((e) => ({ line: e.line ?? 0, message: e.message, problems: e.problems })) : rejected;
      const section = html`<section class="card" tabindex="0" id="check"><h2>${list.length > 0 ? t("act.checkFailed", { count: list.length }) : t("paper.empty")}</h2>${problemList(ctx, list)}</section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.fixBelow") } }, 422);
    }
    const id = await keepUpload(db, { campaignId: campaign.id, kind: "responses", actor: user.email, bytes: csv, rows: parsed.responses.length }, now());
    const action = `/campaigns/${encodeURIComponent(campaign.id)}/responses/import`;
    if (rejected.length > 0) {
      // As the CLI: rejected rows stop the import, unless the organiser skips them knowingly.
      const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkFailed", { count: rejected.length })}</h2>${problemList(ctx, rejected)}
<p>${t("paper.nothingYet", { valid: parsed.responses.length })}</p>${warnings}
<form method="post" action="${action}">${csrfField(ctx)}<input type="hidden" name="upload" value="${id}"><input type="hidden" name="skipInvalid" value="1"><button type="submit" class="secondary">${t("paper.skipAndImport", { valid: parsed.responses.length, rejected: rejected.length })}</button></form></section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("paper.rejectedRows", { count: rejected.length }) } }, 422);
    }
    const section = html`<section class="card" tabindex="0" id="check"><h2>${t("paper.valid", { count: parsed.responses.length })}</h2>${warnings}
<form method="post" action="${action}">${csrfField(ctx)}<input type="hidden" name="upload" value="${id}"><button type="submit">${t("paper.import", { count: parsed.responses.length })}</button></form></section>`;
    return actPage(context, request, reply, campaign, { section });
  });

  app.post("/campaigns/:id/responses/import", { preHandler: app.csrfProtection }, async (request, reply) => {
    const found = await campaignRequest(context, request, reply, ["admin"]);
    if (!found) return reply;
    const { user, campaign } = found;
    const ctx = request.ctx;
    const { t } = ctx;
    const id = uploadId(request.body);
    const upload = id ? await db.web.takeUpload(id, { campaignId: campaign.id, kind: "responses", actor: user.email }, now()) : null;
    if (!upload) return actPage(context, request, reply, campaign, { flash: { kind: "error", text: t("act.uploadExpired") } }, 400);
    const skipInvalid = (request.body as Record<string, unknown>).skipInvalid === "1";
    const report = await importCampaignResponses(db, campaign, upload.bytes, { skipInvalid, now: now() });
    if (!report.imported) {
      const list = [...report.errors.map((e) => ({ line: e.line ?? 0, message: e.message, problems: e.problems })), ...report.rejected.map((r) => ({ line: r.line, message: r.reason, problems: r.problems }))];
      const section = html`<section class="card" tabindex="0" id="check"><h2>${t("act.checkFailed", { count: list.length })}</h2>${problemList(ctx, list)}</section>`;
      return actPage(context, request, reply, campaign, { section, flash: { kind: "error", text: t("act.fixBelow") } }, 422);
    }
    await db.audit.record({ at: now(), kind: "web.responses_imported", campaignId: campaign.id, actor: user.email, data: { ...report.counts, skipped: report.rejected.length } });
    return actPage(context, request, reply, campaign, { flash: { kind: "ok", text: t("paper.imported", { ...report.counts, skipped: report.rejected.length }) } });
  });
}
