// The page frame of the console: header with navigation, language switch and logout, then the page.
import type { TFunction } from "i18next";
import type { Language } from "../config/index.js";
import type { PublicUser } from "./accounts.js";
import { html, type Html, type HtmlValue } from "./html.js";

/** What every page template needs about the request. */
export interface PageContext {
  readonly t: TFunction;
  readonly lang: Language;
  readonly user: PublicUser | null;
  /** The current path with its query, for the language switch's way back. */
  readonly url: string;
  /** A fresh CSRF token for this response's forms. */
  csrf(): string;
}

/** A hidden CSRF field. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf()}">`;
}

/** A message above the page: error, success or warning. */
export interface Flash {
  readonly kind: "error" | "ok" | "warn";
  readonly text: HtmlValue;
}

/** The whole HTML document. `live` makes the element #live refresh itself every 30 s (htmx). */
export function page(ctx: PageContext, title: string, body: HtmlValue, options: { flash?: Flash; live?: boolean } = {}): Html {
  const { t, user } = ctx;
  const back = encodeURIComponent(ctx.url);
  const nav = user
    ? html`<nav aria-label="${t("nav.label")}">
        <a href="/campaigns">${t("nav.campaigns")}</a>
        ${user.role === "admin" ? html`<a href="/audit">${t("nav.audit")}</a>` : ""}
      </nav>
      <span class="who">${user.email} (${t(`roles.${user.role}`)})</span>
      <form method="post" action="/logout">${csrfField(ctx)}<button class="link" type="submit">${t("nav.logout")}</button></form>`
    : html`<nav aria-label="${t("nav.label")}"></nav>`;
  const langs = (["vi", "en"] as const).map((l) =>
    l === ctx.lang ? html`<a href="/lang/${l}?next=${back}" aria-current="true" lang="${l}">${t(`lang.${l}`)}</a>` : html`<a href="/lang/${l}?next=${back}" lang="${l}">${t(`lang.${l}`)}</a>`,
  );
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t("app")}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
${options.live ? html`<script src="/static/htmx.min.js" defer></script>` : ""}
</head>
<body>
<header class="top">
  <a class="brand" href="/">${t("app")}</a>
  ${nav}
  <span class="lang">${langs[0]} · ${langs[1]}</span>
</header>
<main id="main">
${options.flash ? html`<div class="flash ${options.flash.kind}" role="${options.flash.kind === "error" ? "alert" : "status"}">${options.flash.text}</div>` : ""}
${body}
</main>
</body>
</html>
`;
}
