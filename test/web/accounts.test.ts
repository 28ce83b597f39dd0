// Sessions' idle and absolute expiry, and the password hash, on every database provider.
import { describe, expect, test } from "vitest";
import { addUser, login, sessionUser, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "../../src/web/accounts.js";
import { generatePassword, hashPassword, verifyPassword } from "../../src/web/passwords.js";
import { escapeHtml, html } from "../../src/web/html.js";
import { describeDatabases } from "../support/db.js";

describe("passwords and escaping", () => {
  test("scrypt hashes verify only the right password; salts differ", async () => {
    const a = await hashPassword("một mật khẩu dài");
    const b = await hashPassword("một mật khẩu dài");
    expect(a).not.toBe(b);
    expect(await verifyPassword("một mật khẩu dài", a)).toBe(true);
    expect(await verifyPassword("một mật khẩu dàI", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
  test("a generated password is 20 letters and digits (nothing a double-click in a terminal leaves behind), each one fresh", () => {
    const passwords = Array.from({ length: 2000 }, () => generatePassword());
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
    // Every letter and digit turns up (40,000 characters from 62).
    expect(new Set(passwords.join("")).size).toBe(62);
  });
  test("html escapes every interpolated value", () => {
    expect(html`<p title="${'"x'}">${"<b>&'"}</p>`.value).toBe('<p title="&quot;x">&lt;b&gt;&amp;&#39;</p>');
    expect(escapeHtml("`")).toBe("&#96;");
  });
});

describeDatabases("web sessions", (ctx) => {
  test("idle expiry, absolute expiry, and a touched session lives on", async () => {
    const t0 = new Date("2026-12-01T00:00:00Z");
    await addUser(ctx.db(), { email: "s@example.org", role: "viewer", password: "correct horse battery" }, "test", t0);
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const first = await login(ctx.db(), { email: "s@example.org", password: "correct horse battery", address: "a" }, t0);
    if (!first.ok) throw new Error("login failed");
    expect((await sessionUser(ctx.db(), first.token, at(SESSION_IDLE_MS - 1000)))?.email).toBe("s@example.org");
    // Touched at idle-1s: alive until that time + idle limit.
    expect((await sessionUser(ctx.db(), first.token, at(2 * SESSION_IDLE_MS - 2000)))?.email).toBe("s@example.org");
    expect(await sessionUser(ctx.db(), first.token, at(4 * SESSION_IDLE_MS))).toBeNull();
    expect(await ctx.prisma().webSession.count({ where: { userId: (await ctx.db().web.userByEmail("s@example.org"))!.id } })).toBe(0);

    const second = await login(ctx.db(), { email: "s@example.org", password: "correct horse battery", address: "a" }, t0);
    if (!second.ok) throw new Error("login failed");
    let now = t0.getTime();
    while (now + SESSION_IDLE_MS / 2 < t0.getTime() + SESSION_ABSOLUTE_MS) {
      now += SESSION_IDLE_MS / 2;
      expect(await sessionUser(ctx.db(), second.token, new Date(now))).not.toBeNull();
    }
    expect(await sessionUser(ctx.db(), second.token, at(SESSION_ABSOLUTE_MS))).toBeNull();
    // The database holds only the token's hash.
    const rows = await ctx.prisma().webSession.findMany();
    expect(JSON.stringify(rows)).not.toContain(second.token);
  });
});
