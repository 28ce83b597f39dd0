// `khaosat users add|list|disable|reset-password` through the real CLI on a fresh SQLite file.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { login } from "../../src/web/accounts.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-users-"));
const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, "k.db")}` };

function khaosat(args: readonly string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/khaosat.js", ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("khaosat users", { timeout: 120_000 }, () => {
  let db: Database | undefined;
  afterAll(async () => db?.close());

  test("add with --password-stdin, list, then log in with that password", async () => {
    const added = await khaosat(["users", "add", "--email", "Chi.Nguyen@Example.org", "--role", "admin", "--password-stdin"], "a long enough password\n");
    expect(added.stderr).toBe("");
    expect(added.stdout).toBe("added chi.nguyen@example.org (admin); log in at the console (npx khaosat web)\n");
    const listed = await khaosat(["users", "list"]);
    expect(listed.stdout).toBe("chi.nguyen@example.org\tadmin\tactive\n");
    expect(listed.stdout).not.toContain("scrypt");
    db = await openDatabase(env.DATABASE_URL);
    const stored = await db.web.userByEmail("chi.nguyen@example.org");
    expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain("a long enough password");
    expect((await login(db, { email: "chi.nguyen@example.org", password: "a long enough password", address: "x" }, new Date())).ok).toBe(true);
  });

  test("refusals say what to fix and store nothing", async () => {
    const short = await khaosat(["users", "add", "--email", "b@example.org", "--role", "viewer", "--password-stdin"], "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("at least 12 characters");
    const role = await khaosat(["users", "add", "--email", "b@example.org", "--role", "boss", "--password-stdin"], "a long enough password\n");
    expect(role.stderr).toContain('role "boss": use one of admin, viewer, coordinator');
    const coord = await khaosat(["users", "add", "--email", "c@example.org", "--role", "coordinator", "--password-stdin"], "a long enough password\n");
    expect(coord.stderr).toContain("give --campaign ID and --unit CODE");
    const noTty = await khaosat(["users", "add", "--email", "d@example.org", "--role", "viewer"]);
    expect(noTty.stderr).toContain("pass --password-stdin");
    expect((await khaosat(["users", "list"])).stdout).toBe("chi.nguyen@example.org\tadmin\tactive\n");
  });

  test("reset-password and disable end the sessions; audited", async () => {
    db ??= await openDatabase(env.DATABASE_URL);
    const reset = await khaosat(["users", "reset-password", "--email", "chi.nguyen@example.org", "--password-stdin"], "another long password\n");
    expect(reset.stdout).toContain("new password set for chi.nguyen@example.org");
    expect((await login(db, { email: "chi.nguyen@example.org", password: "a long enough password", address: "y" }, new Date())).ok).toBe(false);
    const ok = await login(db, { email: "chi.nguyen@example.org", password: "another long password", address: "y" }, new Date());
    expect(ok.ok).toBe(true);
    const disabled = await khaosat(["users", "disable", "--email", "chi.nguyen@example.org"]);
    expect(disabled.stdout).toBe("disabled chi.nguyen@example.org; its sessions are ended\n");
    expect((await login(db, { email: "chi.nguyen@example.org", password: "another long password", address: "z" }, new Date())).ok).toBe(false);
    const kinds = (await db.audit.list()).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["web.user_added", "web.password_reset", "web.user_disabled", "web.login", "web.login_failed"]));
    expect(JSON.stringify(await db.audit.list())).not.toContain("long password");
  });
});
