// `npm start` without a token: the console demo also serves the web console on the demo database,
// prints its address and a fresh demo admin password, and carries on without it when the port is taken.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { ENV_VARIABLES } from "../../src/config/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ENV_VARIABLES) delete env[name];
  for (const name of ["WEB_HOST", "WEB_PORT", "WEB_TRUST_PROXY"]) delete env[name];
  return { ...env, ...extra };
}

/** Cookies of a response, as name=value pairs to send back. */
function cookiesOf(response: Response, jar: Map<string, string>): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair!.indexOf("=");
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

async function logIn(url: string, email: string, password: string): Promise<{ status: number; jar: Map<string, string> }> {
  const jar = new Map<string, string>();
  const page = await fetch(`${url}/login`);
  cookiesOf(page, jar);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(csrf).toBeDefined();
  const response = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: header(jar), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, next: "/campaigns", _csrf: csrf! }).toString(),
  });
  cookiesOf(response, jar);
  return { status: response.status, jar };
}

/** Starts the demo with stdin kept open; resolves with the web console's line. */
function startDemo(cwd: string) {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start", "--clock", "2026-12-01T02:05:00Z"], {
    cwd,
    env: cleanEnv({ WEB_PORT: "0" }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = stdout.split("\n").find((l) => l.startsWith("🌐 ") && stdout.includes(`${l}\n`));
      if (found) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`the demo ended (${code}) before printing the web console's line:\n${stdout}\n${stderr}`)));
  });
  const finished = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, line, finished, output: () => ({ stdout, stderr }) };
}

describe("the console demo serves the web console", { timeout: 120_000 }, () => {
  test("prints the address and a fresh admin password; logging in over HTTP shows the demo campaign", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "khaosat-demo-web-"));
    const first = startDemo(cwd);
    let password1: string;
    try {
      const line = await first.line;
      const match = /(http:\/\/127\.0\.0\.1:\d+)\b.*(demo@khaosat\.local).*: ([A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])/.exec(line);
      expect(match, line).not.toBeNull();
      const [, url, email, password] = match!;
      password1 = password!;
      expect((await logIn(url!, email!, "wrong password 123")).jar.has("ks_session")).toBe(false);
      const { status, jar } = await logIn(url!, email!, password!);
      expect(status).toBe(302);
      expect(jar.has("ks_session")).toBe(true);
      const campaigns = await fetch(`${url}/campaigns`, { headers: { cookie: header(jar) } });
      expect(campaigns.status).toBe(200);
      const body = await campaigns.text();
      expect(body).toContain('href="/campaigns/demo"');
      const overview = await fetch(`${url}/campaigns/demo`, { headers: { cookie: header(jar) } });
      expect(overview.status).toBe(200);
    } finally {
      first.child.stdin.end();
      await first.finished;
    }
    expect(first.output().stderr).toBe("");
    // The demo's admin works only while the demo runs.
    const users = () => spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "users", "list"], { cwd, env: cleanEnv({}), encoding: "utf8" }).stdout;
    expect(users()).toMatch(/^demo@khaosat\.local\tadmin\tdisabled \d\d\/\d\d\/\d{4} \d\d:\d\d$/m);

    // A second start on the same database makes a new password: the first one no longer works.
    const second = startDemo(cwd);
    try {
      const line = await second.line;
      const [, url, , password2] = /(http:\/\/127\.0\.0\.1:\d+)\b.*(demo@khaosat\.local).*: ([A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])/.exec(line)!;
      expect(password2).not.toBe(password1);
      expect((await logIn(url!, "demo@khaosat.local", password1)).jar.has("ks_session")).toBe(false);
      expect((await logIn(url!, "demo@khaosat.local", password2!)).jar.has("ks_session")).toBe(true);
    } finally {
      second.child.stdin.end();
      await second.finished;
    }
    expect(users()).toMatch(/^demo@khaosat\.local\tadmin\tdisabled \d\d\/\d\d\/\d{4} \d\d:\d\d$/m);
  });

  test("a taken port: a clear note, and the demo carries on without the console", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cwd = mkdtempSync(path.join(tmpdir(), "khaosat-demo-busy-"));
      const result = await new Promise<ReturnType<typeof spawnSync>>((resolve) => {
        resolve(
          spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start", "--clock", "2026-12-01T02:05:00Z"], {
            cwd,
            env: cleanEnv({ WEB_PORT: String(port) }),
            input: "cchc5 dem26\n",
            encoding: "utf8",
            timeout: 120_000,
          }),
        );
      });
      const stdout = String(result.stdout);
      expect(String(result.stderr)).toBe("");
      expect(result.status).toBe(0);
      const lines = stdout.split("\n");
      const note = lines.find((l) => l.startsWith("🌐 "));
      expect(note).toContain(`127.0.0.1:${port}`);
      expect(note).toContain("WEB_PORT");
      // The port in words and how to choose another, not Node's code (the demo speaks Vietnamese by default).
      expect(note).toContain(`cổng ${port} (127.0.0.1:${port}) đang được một chương trình khác dùng`);
      expect(note).toContain(`WEB_PORT=${port + 1} npm start`);
      expect(note).not.toContain("EADDRINUSE");
      expect(stdout).not.toContain("demo@khaosat.local");
      // The demo itself went on: the code was accepted.
      expect(stdout).toContain("Mã hợp lệ");
    } finally {
      blocker.close();
    }
  });
});
