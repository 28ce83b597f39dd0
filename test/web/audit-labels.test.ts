// Every audit action the code writes, walked from the source: its name and every detail key it can
// carry have a label in Vietnamese and English, so the console's audit log never shows a raw key
// ("posterId: …", "periodDays: 30"); values from a fixed list (kind, role, decision…) are said in
// the reader's language, and a key the console does not know falls back to the key itself.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { createI18n } from "../../src/i18n/index.js";
import { actionName, auditDetails, detailLabel, keyOf } from "../../src/web/audit.js";
import type { PageContext } from "../../src/web/layout.js";
import { ADMIN_COMMANDS, FINISH_EVENT, STATE_EVENT, TRACK_EVENT } from "../../src/channels/telegram/admin/index.js";

const i18n = createI18n();
const ctx = (lang: "vi" | "en"): PageContext => ({ t: i18n.getFixedT(lang, "web"), lang, user: null, url: "/audit", csrf: () => "" });
const web = (lang: string) => JSON.parse(readFileSync(`locales/${lang}/web.json`, "utf8")) as { auditData: Record<string, string>; auditKinds: Record<string, string> };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === "generated" ? [] : sources(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** The text of the balanced (…) or {…} that opens at `open`. */
function balanced(text: string, open: number): string {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return text.slice(open, i + 1);
    }
  }
  throw new Error(`unbalanced at ${open}`);
}

/** Top-level parts of an object literal's body, split at commas outside brackets and strings. */
function parts(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("({[".includes(c)) depth++;
    else if (")}]".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      out.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(body.slice(start).trim());
  return out.filter((p) => p !== "");
}

/** Keys spread into audit data from elsewhere, by the expression spread: what each one holds. */
const SPREADS: Record<string, readonly string[]> = {
  "report.counts": ["created", "updated", "unchanged", "conflicts", "responseId", "channel"],
  "countsData(counts)": ["recipients", "sent", "failed", "remaining", "cancelled"],
  "summary(counts)": ["recipients", "sent", "failed", "remaining", "cancelled"],
  // TrackedBroadcast (admin/ports.ts).
  broadcast: ["broadcastId", "actor", "chatId", "messageId", "language", "campaignId", "audience"],
  // untrack()'s data: countsData + cancelled + stoppedBy, summary(counts), or { missing }.
  data: ["recipients", "sent", "failed", "remaining", "cancelled", "stoppedBy", "missing"],
  // #audit's extra: the callers' literals are walked as call sites of their own.
  extra: [],
};

/** The keys of one object literal `{…}`; spreads through SPREADS (or their own literals). */
function keysOf(literal: string, where: string): string[] {
  return parts(literal.slice(1, -1)).flatMap((part) => {
    if (part.startsWith("...")) {
      const expr = part.slice(3).trim();
      if (expr.startsWith("(")) return literalsIn(expr, where);
      const known = SPREADS[expr];
      if (!known) throw new Error(`${where}: audit data spreads ${expr}: add the keys it holds to SPREADS`);
      return [...known];
    }
    const key = /^(\w+)\s*(?::|$)/.exec(part)?.[1];
    if (!key) throw new Error(`${where}: cannot read the key of ${part}`);
    return [key];
  });
}

/** Keys of every top-level object literal in an expression (`pressed ? { button: true } : { command }`). */
function literalsIn(expr: string, where: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === "{") {
      const literal = balanced(expr, i);
      out.push(...keysOf(literal, where));
      i += literal.length - 1;
    }
  }
  return out;
}

/** Kinds named by constants or templates instead of a string literal. */
function kindsOf(expr: string): string[] {
  const literal = /^["']([\w.]+)["']$/.exec(expr);
  if (literal) return [literal[1]!];
  if (expr === "`admin.${command}.refused`") return ADMIN_COMMANDS.map((c) => `admin.${c}.refused`);
  const constants: Record<string, string> = { STATE_EVENT, TRACK_EVENT, FINISH_EVENT };
  if (constants[expr]) return [constants[expr]];
  return [];
}

interface Written {
  readonly where: string;
  readonly kinds: readonly string[];
  readonly keys: readonly string[];
}

/** Every audit write of the code: `….record({ kind, data })`, `recordAudit({…})`, `auditEvent.create({ data: {…} })`, and the helpers `audit(a, kind, campaign, {…})` / `#audit(kind, …, {…})`. */
function auditWrites(): Written[] {
  const out: Written[] = [];
  for (const file of sources("src")) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:audit\s*\.record|recordAudit|auditEvent\.create|\baudit|#audit)\(/g)) {
      const open = m.index + m[0].length - 1;
      const call = balanced(text, open);
      const where = `${file}:${text.slice(0, m.index).split("\n").length}`;
      const args = parts(call.slice(1, -1));
      if (m[0].startsWith("auditEvent")) {
        // { data: { at, kind: "…", …, data: JSON.stringify({…}) } }, or the repositories' pass-through of a recorded event.
        const kind = /kind: ("[\w.]+")/.exec(call)?.[1];
        const json = /JSON\.stringify\(\{/.exec(call);
        if (!kind || !json) continue;
        out.push({ where, kinds: kindsOf(kind), keys: keysOf(balanced(call, json.index + json[0].length - 1), where) });
      } else if (args[0]?.startsWith("{")) {
        const fields = parts(args[0].slice(1, -1));
        const kind = fields.find((f) => f.startsWith("kind:"))?.slice(5).trim();
        // A `kind` parameter typed as a union of names (server.ts's refusals) writes each of them; other
        // pass-throughs (`kind: event.kind`, `kind,` of #audit) write what their callers gave: those are walked instead.
        const union = fields.includes("kind") ? [...text.slice(0, m.index).matchAll(/kind: ("\w+\.[\w.]+"(?:\s*\|\s*"\w+\.[\w.]+")+)/g)].at(-1)?.[1] : undefined;
        const kinds = kind ? kindsOf(kind) : union ? union.split("|").flatMap((k) => kindsOf(k.trim())) : [];
        if (kinds.length === 0) continue;
        const data = fields.find((f) => f.startsWith("data:"))?.slice(5).trim();
        out.push({ where, kinds, keys: data === undefined ? [] : /^[\w.]+\(/.test(data) ? spreadCall(data, where) : literalsIn(data, where) });
      } else if (args.length >= 2 && /^["'`]/.test(args[m[0] === "#audit(" ? 0 : 1] ?? "")) {
        // audit(a, "admin.stats", campaign.id, { … }) and #audit("access.delegation", now, code, key, { … }).
        const kinds = kindsOf(args[m[0] === "#audit(" ? 0 : 1]!);
        const last = args.at(-1)!;
        const own = m[0] === "#audit(" ? ["codeId", "respondentId", "batchId"] : [];
        out.push({ where, kinds, keys: [...own, ...(last.startsWith("{") ? literalsIn(last, where) : [])] });
      }
    }
  }
  return out;
}

/** `data: encode(state)`: the admin state's fields. */
function spreadCall(expr: string, where: string): string[] {
  if (expr === "encode(state)") return ["stage", "draftId", "campaignId", "text", "count", "audience"];
  throw new Error(`${where}: audit data is ${expr}: say which keys it holds`);
}

describe("audit log labels", () => {
  const writes = auditWrites();
  const kinds = [...new Set(writes.flatMap((w) => w.kinds))].sort();
  const keys = [...new Set(writes.flatMap((w) => w.keys))].sort();

  test("the walk finds the writes the newcomer met (so an empty walk cannot pass)", () => {
    expect(writes.length).toBeGreaterThan(40);
    expect(kinds).toEqual(expect.arrayContaining(["citizens.poster_created", "citizens.batch_issued", "web.user_added", "flags.decision", "admin.broadcast.cancelled", "access.delegation", "session.identity_declined", "web.forbidden"]));
    expect(keys).toEqual(expect.arrayContaining(["posterId", "service", "periodDays", "batchId", "kind", "role", "method", "path", "stoppedBy", "codeId", "stage"]));
  });

  test.each(["vi", "en"])("every detail key any audit action writes has a label (%s)", (lang) => {
    const labels = web(lang).auditData;
    const missing = keys.filter((k) => !labels[keyOf(k)]);
    expect(missing, `auditData labels missing in locales/${lang}/web.json: ${missing.join(", ")} (written at ${writes.filter((w) => w.keys.some((k) => missing.includes(k))).map((w) => w.where).join(", ")})`).toEqual([]);
  });

  test.each(["vi", "en"])("every audit action the code writes has a name (%s)", (lang) => {
    const names = web(lang).auditKinds;
    const missing = kinds.filter((k) => !names[keyOf(k)]);
    expect(missing, `auditKinds missing in locales/${lang}/web.json`).toEqual([]);
  });

  test("the details the newcomer read, as the log shows them in Vietnamese and English", () => {
    const poster = { posterId: "cm9x", unit: "SO_TP", service: null, periodDays: 30 };
    expect(auditDetails(ctx("vi"), poster)).toBe("áp phích: cm9x · đơn vị: SO_TP · dịch vụ: – · chu kỳ (ngày): 30");
    expect(auditDetails(ctx("en"), poster)).toBe("poster: cm9x · unit: SO_TP · service: – · period (days): 30");
    const batch = { batchId: "b-1", unit: "SO_TP", service: "Hộ tịch", count: 50, kind: "receipt" };
    expect(auditDetails(ctx("vi"), batch)).toBe("lô mã: b-1 · đơn vị: SO_TP · dịch vụ: Hộ tịch · số lượng: 50 · loại: phiếu hẹn (biên nhận)");
    expect(auditDetails(ctx("en"), batch)).toBe("code batch: b-1 · unit: SO_TP · service: Hộ tịch · count: 50 · kind: receipt slips");
    expect(auditDetails(ctx("vi"), { kind: "a4" })).toBe("loại: tờ A4");
    expect(auditDetails(ctx("vi"), { email: "a@b.vn", role: "admin" })).toBe("e-mail: a@b.vn · vai trò: quản trị");
    expect(auditDetails(ctx("vi"), { role: "coordinator", unit: "SO_TC" })).toBe("vai trò: đầu mối đơn vị · đơn vị: SO_TC");
    expect(auditDetails(ctx("en"), { role: "viewer" })).toBe("role: viewer");
    // A decision and its flags in words; the organiser's reason as written.
    expect(auditDetails(ctx("vi"), { decision: "rejected", reason: "Gọi lại: không phải người được chọn", previous: "accepted", flags: ["speeder", "straightliner"] })).toBe(
      "quyết định: loại · lý do: Gọi lại: không phải người được chọn · trước đó: chấp nhận · cờ: trả lời quá nhanh, trả lời một kiểu",
    );
    expect(auditDetails(ctx("vi"), { reason: "campaign_closed", stage: "confirm" })).toBe("lý do: đợt đã đóng · bước: xác nhận");
    expect(auditDetails(ctx("en"), { audience: "not-submitted" })).toMatch(/^audience: \S/);
    expect(auditDetails(ctx("en"), { audience: "not-submitted" })).not.toContain("not-submitted");
    // A key the console does not know is shown as the key; an unknown value of a listed key as written.
    expect(auditDetails(ctx("vi"), { somethingNew: 1, kind: "hologram" })).toBe("somethingNew: 1 · loại: hologram");
    expect(detailLabel(ctx("en"), "windowSeconds")).toBe("within (seconds)");
    expect(actionName(ctx("vi"), "admin.broadcast.report")).toBe("Kết quả gửi tin nhắn hàng loạt (quản trị qua Telegram)");
  });
});
