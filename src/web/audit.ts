// The audit trail as an organiser reads it: each action named in their language (the stored key
// only for kinds this console does not know), its details as "label: value" pairs instead of raw
// JSON, and times in Vietnam's time zone, said in the column header.
import type { AuditEventRecord } from "../db/index.js";
import { formatZonedTime } from "../campaigns/index.js";
import { html, type Html } from "./html.js";
import { describeAudience, formatNumber } from "./format.js";
import type { PageContext } from "./layout.js";

/** The zone the audit trail is shown in (the offices that read it are in Vietnam). */
export const AUDIT_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Details longer than this are cut: the trail is for reading, the database keeps the rest. */
const MAX_VALUE = 200;

/** i18next reads "." as nesting (and "_other" as a plural): "web.login_failed" is looked up as "webLoginFailed". */
export const keyOf = (name: string) => name.replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, "");

/** An action's name in the reader's language. */
export function actionName(ctx: PageContext, kind: string): string {
  return ctx.t(`auditKinds.${keyOf(kind)}`, { defaultValue: kind });
}

/** Detail keys whose values are names from a fixed list, said in the reader's language (`auditValues.<key>.<value>`); others are shown as written. */
export const AUDIT_ENUM_KEYS: readonly string[] = ["kind", "role", "decision", "previous", "stage", "reason"];

/** A detail key's label in the reader's language; the key itself when the console has none. */
export function detailLabel(ctx: PageContext, key: string): string {
  return ctx.t(`auditData.${keyOf(key)}`, { defaultValue: key });
}

function value(ctx: PageContext, v: unknown, key?: string): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "boolean") return ctx.t(v ? "audit.yes" : "audit.no");
  if (typeof v === "number") return formatNumber(ctx.lang, v, Number.isInteger(v) ? 0 : 1);
  if (typeof v === "string") {
    // Names from a fixed list only (free text, such as a decision's reason, is shown as written).
    if (key === "flags" && /^[a-z_]+$/.test(v)) return ctx.t(`flagNames.${v}`, { defaultValue: v });
    if (key === "audience" && /^(all|not-submitted|unit:|group:)/.test(v)) return describeAudience(ctx.t, v, undefined, ctx.lang);
    if (key !== undefined && AUDIT_ENUM_KEYS.includes(key) && /^[a-z0-9_-]+$/.test(v)) return ctx.t(`auditValues.${key}.${keyOf(v)}`, { defaultValue: v });
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => value(ctx, x, key)).join(", ");
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${detailLabel(ctx, k)} ${value(ctx, x, k)}`)
    .join(", ");
}

/** An event's details as "label: value" pairs, in the reader's language. */
export function auditDetails(ctx: PageContext, data: Record<string, unknown> | null | undefined): string {
  if (!data) return "";
  return Object.entries(data)
    .map(([k, v]) => {
      const text = value(ctx, v, k);
      return `${detailLabel(ctx, k)}: ${text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text}`;
    })
    .join(" · ");
}

/** The audit table. */
export function auditTable(ctx: PageContext, events: readonly AuditEventRecord[]): Html {
  const { t } = ctx;
  return html`<table id="audit"><caption class="muted">${t("audit.zoneNote", { zone: AUDIT_TIME_ZONE })}</caption><thead><tr><th scope="col">${t("audit.atZone")}</th><th scope="col">${t("audit.actor")}</th><th scope="col">${t("audit.kind")}</th><th scope="col">${t("audit.campaign")}</th><th scope="col">${t("audit.data")}</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${formatZonedTime(e.at, AUDIT_TIME_ZONE)}</td><td>${e.actor ?? ""}</td><td title="${e.kind}">${actionName(ctx, e.kind)}</td><td>${e.campaignId ?? ""}</td><td>${auditDetails(ctx, e.data as Record<string, unknown> | null)}</td></tr>`)}</tbody></table>`;
}
