// The console's settings: WEB_HOST, WEB_PORT and WEB_TRUST_PROXY, with errors that name the variable.
import { z } from "zod";

/** Where the console listens and whether it trusts a reverse proxy's X-Forwarded-* headers. */
export interface WebSettings {
  readonly host: string;
  readonly port: number;
  /** false: X-Forwarded-* ignored; true: trusted from any peer; a string: the proxies' addresses/subnets. */
  readonly trustProxy: boolean | string;
}

/** A WEB_* variable with a bad value. */
export class WebSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebSettingsError";
  }
}

const schema = z.object({
  WEB_HOST: z.string().trim().min(1).default("127.0.0.1"),
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WEB_TRUST_PROXY: z.string().trim().optional(),
});

/** Reads the console's settings from an environment (process environment merged with .env). */
export function webSettings(env: Readonly<Record<string, string | undefined>>): WebSettings {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);
  const parsed = schema.safeParse({ WEB_HOST: blank(env.WEB_HOST), WEB_PORT: blank(env.WEB_PORT), WEB_TRUST_PROXY: blank(env.WEB_TRUST_PROXY) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new WebSettingsError(name === "WEB_PORT" ? `WEB_PORT "${env.WEB_PORT}": use a port number between 0 and 65535 (default 3000)` : `${name}: ${issue.message}`);
  }
  const raw = parsed.data.WEB_TRUST_PROXY?.toLowerCase();
  const trustProxy = raw === undefined || raw === "false" || raw === "0" || raw === "no" ? false : raw === "true" || raw === "yes" || raw === "1" ? true : parsed.data.WEB_TRUST_PROXY!;
  return { host: parsed.data.WEB_HOST, port: parsed.data.WEB_PORT, trustProxy };
}
