import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Secret } from "../../src/config/index.js";
import { CodeSecretError, loadCodeSecret } from "../../src/access/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "khaosat-secret-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("loadCodeSecret", () => {
  test("a configured CODE_SECRET wins and no file is written", () => {
    const configured = new Secret("c".repeat(40));
    expect(loadCodeSecret({ codeSecret: configured, databaseKind: "sqlite" }, { dataDir: dir })).toBe(configured);
    expect(() => statSync(path.join(dir, "code-secret"))).toThrow();
  });

  test("SQLite without a secret: generated once, owner-only, then read back unchanged", () => {
    const dataDir = path.join(dir, "data");
    const first = loadCodeSecret({ databaseKind: "sqlite" }, { dataDir });
    const file = path.join(dataDir, "code-secret");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(first.reveal());
    expect(first.reveal()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loadCodeSecret({ databaseKind: "sqlite" }, { dataDir }).reveal()).toBe(first.reveal());
    // Never printed: logging the value shows only a placeholder.
    expect(inspect(first)).toBe("[redacted]");
    expect(`${first}`).toBe("[redacted]");
  });

  test("PostgreSQL without a secret is refused, naming CODE_SECRET", () => {
    expect(() => loadCodeSecret({ databaseKind: "postgresql" }, { dataDir: dir })).toThrow(
      /CODE_SECRET must be set when DATABASE_URL is PostgreSQL/,
    );
  });

  test.skipIf(process.platform === "win32")("a secret file readable by others is refused with the fix", () => {
    const file = path.join(dir, "code-secret");
    writeFileSync(file, "s".repeat(43));
    chmodSync(file, 0o644);
    expect(() => loadCodeSecret({ databaseKind: "sqlite" }, { dataDir: dir })).toThrow(`run "chmod 600 ${file}"`);
  });

  test("a damaged secret file is not silently replaced (issued codes depend on it)", () => {
    const file = path.join(dir, "code-secret");
    writeFileSync(file, "short\n", { mode: 0o600 });
    expect(() => loadCodeSecret({ databaseKind: "sqlite" }, { dataDir: dir })).toThrow(CodeSecretError);
    expect(readFileSync(file, "utf8")).toBe("short\n");
  });

  const asRoot = process.getuid?.() === 0;
  // Permissions do not bind root: say why the test is skipped rather than skipping silently.
  if (asRoot) console.warn("secret.test.ts: skipping \"an unwritable data folder gives a clear error\": running as root, whom file permissions do not bind; run the tests as an ordinary user to include it");
  test.skipIf(process.platform === "win32" || asRoot)(`an unwritable data folder gives a clear error${asRoot ? " (skipped: running as root)" : ""}`, () => {
    chmodSync(dir, 0o500);
    try {
      expect(() => loadCodeSecret({ databaseKind: "sqlite" }, { dataDir: dir })).toThrow(/cannot write the code secret .*set CODE_SECRET/);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});
