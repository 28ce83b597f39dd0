import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { migrateDatabase } from "../../src/db/migrate.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-export-identity-"));
const url = `file:${path.join(dir, "khaosat.db")}`;
const saved = process.env.DATABASE_URL;
let prisma: Prisma;
let close: () => Promise<void>;

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(async () => {
  process.env.DATABASE_URL = url;
  await migrateDatabase(url);
  ({ prisma, close } = createPrismaClient(parseDatabaseUrl(url)));
  const version = await prisma.questionnaireVersion.create({ data: { questionnaireId: "q", version: 1, fileName: "q.yaml", source: "x", sourceHash: "h" } });
  await prisma.campaign.create({ data: { id: "anon", name: "anon", questionnaireVersionPk: version.pk, opensAt: new Date(0), closesAt: new Date(1e13) } });
}, 120_000);

afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
});

test("exporting identities of an anonymous campaign is refused with the reason", async () => {
  const result = await run("responses", "export", "-", "--campaign", "anon", "--with-identity");
  expect(result).toEqual({
    code: 1,
    stdout: "",
    stderr:
      'khaosat: campaign "anon" is anonymous: respondents were told that nobody sees what a named person answered, so its responses cannot be exported with identities. Only a campaign created with --identified (and announced as such) can be\n',
  });
});
