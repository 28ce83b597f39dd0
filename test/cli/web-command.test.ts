// `khaosat web` in the organiser's terminal: its own lines, and JSON log lines only when LOG_LEVEL asks for them.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-web-command-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { LOG_LEVEL: _unset, ...withoutLogLevel } = process.env;

/** Starts `khaosat web` on a free port, loads its login page once, stops it; returns what it printed. */
async function runWeb(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "web"], {
    cwd: dir,
    env: { ...withoutLogLevel, DATABASE_URL: `file:${path.join(dir, "k.db")}`, WEB_HOST: "127.0.0.1", WEB_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const found = /http:\/\/127\.0\.0\.1:\d+/.exec(stdout);
      if (found) resolve(found[0]);
    });
    child.on("exit", (code) => reject(new Error(`khaosat web exited (${code}): ${stderr}`)));
  });
  expect((await fetch(`${url}/login`)).status).toBe(200);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  return { stdout, stderr };
}

test("khaosat web prints its address and what to do, without JSON log lines; LOG_LEVEL=info adds the server's log", async () => {
  const env = { KHAOSAT_LANG: "en" };
  const quiet = await runWeb(env);
  expect(quiet.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
  expect(quiet.stdout + quiet.stderr).not.toContain('"level"');
  const logged = await runWeb({ ...env, LOG_LEVEL: "info" });
  expect(logged.stdout).toContain('"msg":"Server listening');
}, 60_000);
