// The organisers' web console: a Fastify server rendering escaped HTML on the same database and
// services as the CLI. Sessions live in the database (HttpOnly, SameSite=Strict cookies, Secure over
// HTTPS); every form carries a CSRF token; every route checks the role before it reads or changes
// anything and answers 403 outside it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import csrf from "@fastify/csrf-protection";
import multipart from "@fastify/multipart";
import type { Database, WebRole } from "../db/index.js";
import type { Language, LogLevel } from "../config/index.js";
import { createI18n, isSupportedLanguage } from "../i18n/index.js";
import { login, logout, sessionUser, type PublicUser } from "./accounts.js";
import { html, type Html } from "./html.js";
import { csrfField, page, type PageContext } from "./layout.js";
import { registerSeeRoutes } from "./see.js";
import { registerActRoutes } from "./act.js";
import { registerBroadcastRoutes } from "./broadcast.js";
import { registerPaperRoutes } from "./paper.js";
import { registerReminderRoutes } from "./reminders.js";
import type { CodeKey } from "../access/index.js";
import { APP_CSS, FAVICON_SVG } from "./style.js";

/** Options of the console server. */
export interface WebServerOptions {
  readonly db: Database;
  /** WEB_TRUST_PROXY: honour X-Forwarded-For/-Proto/-Host only when set (true, or the proxies' addresses/subnets). */
  readonly trustProxy?: boolean | string;
  /** Key of the access-code hashes, for issuing codes from the console. */
  readonly codeSecret?: CodeKey;
  /** Default `--bot` of code slips (BOT_USERNAME). */
  readonly botUsername?: string;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** Pino logging at this level (`true`: info); off in tests. */
  readonly logger?: boolean | LogLevel;
}

/** What routes get from the server. */
export interface WebContext {
  readonly db: Database;
  readonly now: () => Date;
  readonly options: WebServerOptions;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route of the console (method and URL pattern), for the role tests. */
    consoleRoutes: { method: string; url: string }[];
  }
  interface FastifyRequest {
    user: PublicUser | null;
    sessionToken: string | null;
    ctx: PageContext;
  }
}

export const SESSION_COOKIE = "ks_session";
const LANG_COOKIE = "ks_lang";
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const require = createRequire(import.meta.url);
const STATIC: Record<string, { type: string; body: Buffer }> = {
  "app.css": { type: "text/css; charset=utf-8", body: Buffer.from(APP_CSS) },
  "favicon.svg": { type: "image/svg+xml", body: Buffer.from(FAVICON_SVG) },
  "htmx.min.js": { type: "text/javascript; charset=utf-8", body: readFileSync(require.resolve("htmx.org/dist/htmx.min.js")) },
};

/** Sends a page. */
export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").header("cache-control", "no-store").send(body.value);
}

/** The 403 page: the request changed nothing. */
export function forbidden(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { t } = request.ctx;
  // The role check is synchronous; the row follows the 403 (a failure is logged, never thrown).
  void refused(request, "web.forbidden");
  return sendPage(reply, page(request.ctx, t("errors.forbiddenTitle"), html`<h1>${t("errors.forbiddenTitle")}</h1><p>${t("errors.forbidden")}</p><p><a href="/campaigns">${t("nav.campaigns")}</a></p>`), 403);
}

/** The audit trail of the console's database, set when the server is built (refusals are recorded from helpers that only see the request). */
const auditOf = new WeakMap<FastifyInstance, { db: Database; now: () => Date; refusals: Map<string, { since: number; count: number }> }>();
/** The same refused request is recorded at most this often a minute. */
const REFUSALS_PER_MINUTE = 5;

/**
 * Records a refused request (403 outside one's role, a form without its CSRF token, too many
 * requests) in the audit trail: who, which page, from where. Never fails the reply it accompanies.
 */
export async function refused(request: FastifyRequest, kind: "web.forbidden" | "web.csrf_refused" | "web.rate_limited"): Promise<void> {
  const audit = auditOf.get(request.server);
  if (!audit) return;
  // A flood of the same refused request is a few rows a minute, not one row each.
  const at = audit.now().getTime();
  const path = request.url.split("?")[0]!.slice(0, 300);
  const key = `${kind} ${request.ip} ${request.user?.email ?? ""} ${request.method} ${path}`;
  const seen = audit.refusals.get(key);
  if (seen && seen.since > at - 60_000) {
    if (++seen.count > REFUSALS_PER_MINUTE) return;
  } else {
    if (audit.refusals.size >= 10_000) audit.refusals.clear();
    audit.refusals.set(key, { since: at, count: 1 });
  }
  const campaignId = (request.params as { id?: unknown } | undefined)?.id;
  await audit.db.audit
    .record({ at: new Date(at), kind, campaignId: typeof campaignId === "string" && campaignId.length <= 100 ? campaignId : null, actor: request.user?.email ?? null, data: { method: request.method, path, address: request.ip } })
    .catch((error: unknown) => request.log.error(error));
}

/** The 404 page. */
export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { t } = request.ctx;
  return sendPage(reply, page(request.ctx, t("errors.notFoundTitle"), html`<h1>${t("errors.notFoundTitle")}</h1><p>${t("errors.notFound")}</p><p><a href="/campaigns">${t("nav.campaigns")}</a></p>`), 404);
}

/**
 * The role check every route makes before anything else: null (and a redirect to the login page
 * or a 403 already sent) when the request may not go on; the user otherwise.
 */
export function requireRole(request: FastifyRequest, reply: FastifyReply, roles: readonly WebRole[], scope: { campaignId?: string; unit?: string } = {}): PublicUser | null {
  const user = request.user;
  if (!user) {
    if (request.method === "GET") void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
    else void sendPage(reply, page(request.ctx, request.ctx.t("login.title"), html`<p>${request.ctx.t("errors.signedOut")} <a href="/login">${request.ctx.t("login.title")}</a></p>`), 401);
    return null;
  }
  let allowed = roles.includes(user.role);
  if (allowed && user.role === "coordinator") {
    // A coordinator sees one unit of one campaign, nothing else.
    if (scope.campaignId !== undefined && scope.campaignId !== user.campaignId) allowed = false;
    if (scope.unit !== undefined && scope.unit !== user.unitCode) allowed = false;
  }
  if (!allowed) {
    void forbidden(request, reply);
    return null;
  }
  return user;
}

/** A local path to go back to (never another site). */
export function safeNext(next: unknown, fallback = "/campaigns"): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") && next.length < 2000 ? next : fallback;
}

/** Builds the console (not listening yet). */
export async function createWebServer(options: WebServerOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const { db } = options;
  const app = Fastify({ logger: options.logger !== undefined && options.logger !== false ? { level: options.logger === true ? "info" : options.logger, redact: ["req.headers.cookie", 'res.headers["set-cookie"]'] } : false, trustProxy: options.trustProxy ?? false, bodyLimit: 1024 * 1024 });
  const i18n = createI18n();
  auditOf.set(app, { db, now, refusals: new Map() });

  const routes: { method: string; url: string }[] = [];
  app.decorate("consoleRoutes", routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) if (method !== "HEAD") routes.push({ method, url: route.url });
  });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", "data:"], formAction: ["'self'"], frameAncestors: ["'none'"], upgradeInsecureRequests: null },
    },
  });
  await app.register(rateLimit, { max: 600, timeWindow: "1 minute" });
  await app.register(csrf, {
    sessionPlugin: "@fastify/cookie",
    cookieKey: "ks_csrf",
    cookieOpts: { path: "/", httpOnly: true, sameSite: "strict", secure: "auto" },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const value = body?._csrf;
      return typeof value === "string" ? value : (request.headers["x-csrf-token"] as string | undefined);
    },
  });
  await app.register(multipart, { attachFieldsToBody: "keyValues", limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024 } });

  app.decorateRequest("user", null);
  app.decorateRequest("sessionToken", null);
  app.decorateRequest("ctx", null as unknown as PageContext);

  app.addHook("onRequest", async (request, reply) => {
    const cookieLang = request.cookies[LANG_COOKIE];
    const lang: Language = cookieLang && isSupportedLanguage(cookieLang) ? cookieLang : "vi";
    const token = request.cookies[SESSION_COOKIE];
    if (token && !request.url.startsWith("/static/")) {
      request.user = await sessionUser(db, token, now());
      if (request.user) request.sessionToken = token;
      else void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    }
    let token2: string | undefined;
    request.ctx = {
      t: i18n.getFixedT(lang, "web"),
      lang,
      user: request.user,
      url: request.url,
      csrf: () => (token2 ??= reply.generateCsrf()),
    };
  });

  app.setErrorHandler(async (error: { code?: string; statusCode?: number; message: string }, request, reply) => {
    const t = request.ctx?.t ?? i18n.getFixedT("vi", "web");
    if (error.code?.startsWith("FST_CSRF")) {
      await refused(request, "web.csrf_refused");
      return sendPage(reply, page(request.ctx, t("errors.csrfTitle"), html`<h1>${t("errors.csrfTitle")}</h1><p>${t("errors.csrf")}</p>`), 403);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 429) await refused(request, "web.rate_limited");
    if (status === 500) request.log.error(error);
    const text = status === 413 || error.code === "FST_REQ_FILE_TOO_LARGE" ? t("errors.tooLarge") : status === 429 ? t("errors.tooMany") : status === 500 ? t("errors.internal") : t("errors.badRequest");
    return sendPage(reply, page(request.ctx, t("errors.title"), html`<h1>${t("errors.title")}</h1><p>${text}</p>`), error.code === "FST_REQ_FILE_TOO_LARGE" ? 413 : status);
  });
  app.setNotFoundHandler((request, reply) => notFound(request, reply));

  app.get("/static/:file", async (request, reply) => {
    const file = STATIC[(request.params as { file: string }).file];
    if (!file) return notFound(request, reply);
    return reply.type(file.type).header("cache-control", "public, max-age=3600").send(file.body);
  });

  app.get("/lang/:lang", async (request, reply) => {
    const { lang } = request.params as { lang: string };
    if (isSupportedLanguage(lang)) void reply.setCookie(LANG_COOKIE, lang, { path: "/", sameSite: "lax", maxAge: 365 * 86400, httpOnly: true, secure: "auto" });
    return reply.redirect(safeNext((request.query as { next?: string }).next, "/"));
  });

  app.get("/", async (request, reply) => reply.redirect(request.user ? "/campaigns" : "/login"));

  app.get("/login", async (request, reply) => sendPage(reply, loginPage(request.ctx, safeNext((request.query as { next?: string }).next))));

  app.post("/login", { preHandler: app.csrfProtection, config: { rateLimit: { max: 60, timeWindow: "1 minute" } } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === "string" ? body.email : "";
    const password = typeof body.password === "string" ? body.password : "";
    const next = safeNext(body.next);
    const outcome = await login(db, { email, password, address: request.ip }, now());
    if (!outcome.ok) {
      const { t } = request.ctx;
      const throttled = outcome.reason === "throttled";
      return sendPage(reply, loginPage(request.ctx, next, { kind: "error", text: throttled ? t("login.throttled") : t("login.invalid") }, email), throttled ? 429 : 401);
    }
    void reply.setCookie(SESSION_COOKIE, outcome.token, { path: "/", httpOnly: true, sameSite: "strict", secure: "auto" });
    return reply.redirect(outcome.user.role === "coordinator" ? `/campaigns/${encodeURIComponent(outcome.user.campaignId ?? "")}/units/${encodeURIComponent(outcome.user.unitCode ?? "")}` : next);
  });

  app.post("/logout", { preHandler: app.csrfProtection }, async (request, reply) => {
    if (request.user && request.sessionToken) await logout(db, request.sessionToken, request.user, now());
    void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.redirect("/login");
  });

  const context: WebContext = { db, now, options };
  registerSeeRoutes(app, context);
  registerActRoutes(app, context);
  registerPaperRoutes(app, context);
  registerBroadcastRoutes(app, context);
  registerReminderRoutes(app, context);
  return app;
}

function loginPage(ctx: PageContext, next: string, flash?: { kind: "error"; text: string }, email = ""): Html {
  const { t } = ctx;
  return page(
    ctx,
    t("login.title"),
    html`<h1>${t("login.title")}</h1>
<section class="card">
<form class="stack" method="post" action="/login">
  ${csrfField(ctx)}
  <input type="hidden" name="next" value="${next}">
  <label for="email">${t("login.email")}</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <label for="password">${t("login.password")}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <div><button type="submit">${t("login.submit")}</button></div>
</form>
<p class="muted">${t("login.help")}</p>
</section>`,
    flash ? { flash } : {},
  );
}
