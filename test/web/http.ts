// Drives the console through fastify.inject with a small cookie jar: log in as a role, read a
// form's CSRF token, post forms.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { PASSWORD } from "./fixture.js";

/** A browser-like client of the console: keeps cookies, finds CSRF tokens in pages. */
export class Client {
  private readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly address = "127.0.0.1",
  ) {}

  private remember(response: LightMyRequestResponse): void {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === "" || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: "GET", url, headers: { cookie: this.header() }, remoteAddress: this.address });
    this.remember(response);
    return response;
  }

  /** Posts a form; `csrf: false` leaves the token out. */
  async post(url: string, form: Record<string, string>, options: { csrf?: boolean | string } = {}): Promise<LightMyRequestResponse> {
    const token = options.csrf === false ? undefined : typeof options.csrf === "string" ? options.csrf : await this.csrfToken();
    const body = new URLSearchParams({ ...form, ...(token ? { _csrf: token } : {}) }).toString();
    const response = await this.app.inject({ method: "POST", url, payload: body, headers: { cookie: this.header(), "content-type": "application/x-www-form-urlencoded" }, remoteAddress: this.address });
    this.remember(response);
    return response;
  }

  /** Posts a form and hands the response body over as a stream (a large download read as it comes, never held whole). */
  async postStream(url: string, form: Record<string, string>): Promise<LightMyRequestResponse & { stream(): NodeJS.ReadableStream }> {
    const token = await this.csrfToken();
    const body = new URLSearchParams({ ...form, _csrf: token }).toString();
    const response = await this.app.inject({ method: "POST", url, payload: body, headers: { cookie: this.header(), "content-type": "application/x-www-form-urlencoded" }, remoteAddress: this.address, payloadAsStream: true });
    return response as LightMyRequestResponse & { stream(): NodeJS.ReadableStream };
  }

  /** Posts a multipart form with one file. */
  async upload(url: string, fields: Record<string, string>, file: { field: string; name: string; content: string | Buffer }): Promise<LightMyRequestResponse> {
    const token = await this.csrfToken();
    const boundary = "----khaosattest";
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries({ ...fields, _csrf: token })) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.from(file.content), Buffer.from(`\r\n--${boundary}--\r\n`));
    const response = await this.app.inject({ method: "POST", url, payload: Buffer.concat(parts), headers: { cookie: this.header(), "content-type": `multipart/form-data; boundary=${boundary}` }, remoteAddress: this.address });
    this.remember(response);
    return response;
  }

  /** A CSRF token from the login page (any page's forms carry one; the secret cookie is shared). */
  async csrfToken(): Promise<string> {
    const page = await this.get("/login");
    const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!match) throw new Error("no CSRF token on the login page");
    return match[1]!;
  }

  async login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.post("/login", { email, password, next: "/campaigns" });
  }

  hasSession(): boolean {
    return this.cookies.has("ks_session");
  }
}

/** Two clients logged in as `user`: one reads the console in Vietnamese (the default), the other has switched to English. */
export async function clientsInBothLanguages(app: FastifyInstance, user: string): Promise<{ vi: Client; en: Client }> {
  const vi = new Client(app);
  const en = new Client(app, "127.0.0.2");
  for (const [step, response] of [
    ["vi login", await vi.login(user)],
    ["en login", await en.login(user)],
    ["switch to English", await en.get("/lang/en?next=/campaigns")],
  ] as const) {
    if (response.statusCode !== 302) throw new Error(`${step}: expected a redirect, got ${response.statusCode}`);
  }
  return { vi, en };
}
