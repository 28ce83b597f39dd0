import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { CliError } from "../../src/cli/errors.js";
import { registerCoordinatorsCommands } from "../../src/cli/commands/coordinators.js";
import { openFixture, type Fixture } from "../channels/telegram/admin/fixture.js";

const CAMPAIGN = { id: "par2026", name: "PAR Index 2026", opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z") };

let f: Fixture;
const saved = process.env.DATABASE_URL;
beforeEach(async () => {
  f = await openFixture();
  await f.seed(CAMPAIGN, [
    { externalId: "a1", name: "Nguyễn Văn An", unit: "SO_TP", stage: "in_progress", chatId: "11" },
    { externalId: "b1", name: "Phạm Thị Dung", unit: "SO_YT", stage: "not_redeemed" },
  ]);
  process.env.DATABASE_URL = f.url;
});
afterEach(async () => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
  await f.dispose();
});

/** Runs `khaosat coordinators …` in this process; stdout, stderr and the CliError message if any. */
async function run(...args: string[]): Promise<{ stdout: string; stderr: string; error?: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  const program = new Command().exitOverride();
  registerCoordinatorsCommands(program);
  try {
    await program.parseAsync(["node", "khaosat", "coordinators", ...args]);
    return { stdout, stderr };
  } catch (error) {
    if (error instanceof CliError) return { stdout, stderr, error: error.message };
    throw error;
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const coordinatorFlags = async () => (await f.prisma.respondent.findMany({ orderBy: { externalId: "asc" } })).map((r) => [r.externalId, r.coordinator]);

describe("khaosat coordinators", () => {
  test("add, list (who can be reached), remove", async () => {
    expect(await run("add", "--campaign", "par2026", "--respondent", "a1", "b1")).toEqual({
      stdout: "a1\tNguyễn Văn An\tcoordinator of SO_TP\nb1\tPhạm Thị Dung\tcoordinator of SO_YT\n",
      stderr: "digest at 17:00 Asia/Ho_Chi_Minh; coordinators see counts and rates only (change with `khaosat coordinators settings`)\n",
    });
    expect(await coordinatorFlags()).toEqual([["a1", true], ["b1", true]]);
    expect(await run("list", "--campaign", "par2026")).toEqual({
      stdout: "external_id\tname\tunit\tdigest\na1\tNguyễn Văn An\tSO_TP\tyes\nb1\tPhạm Thị Dung\tSO_YT\tno: has not opened the bot\n",
      stderr: "2 coordinators; digest at 17:00 Asia/Ho_Chi_Minh; coordinators see counts and rates only\n",
    });
    expect((await run("remove", "--campaign", "par2026", "--respondent", "b1")).stdout).toBe("b1\tPhạm Thị Dung\tno longer a coordinator\n");
    expect(await coordinatorFlags()).toEqual([["a1", true], ["b1", false]]);
  });

  test("an unknown respondent or campaign changes nothing and says where to look", async () => {
    expect((await run("add", "--campaign", "par2026", "--respondent", "a1", "zz9")).error).toBe(
      'no respondent "zz9" in campaign "par2026"; use the external id of the respondents file (`khaosat campaign show par2026` lists the sample); nothing was changed',
    );
    expect(await coordinatorFlags()).toEqual([["a1", false], ["b1", false]]);
    expect((await run("add", "--campaign", "nope", "--respondent", "a1")).error).toMatch(/^no campaign "nope" in SQLite \S+\.db[^;]*; "khaosat campaign list" shows the campaigns$/);
  });

  test("settings: digest time and names, stored in the campaign's settings", async () => {
    expect((await run("settings", "--campaign", "par2026", "--digest-at", "8:05", "--see-names", "yes")).stdout).toBe(
      "par2026: digest at 08:05 Asia/Ho_Chi_Minh; coordinators see the names of who has not submitted\n",
    );
    const settings = JSON.parse((await f.prisma.campaign.findUniqueOrThrow({ where: { id: "par2026" } })).settings) as Record<string, unknown>;
    expect(settings).toEqual({ coordinatorDigestAt: "08:05", coordinatorsSeeNames: true });
    expect((await run("settings", "--campaign", "par2026", "--digest-at", "25:00")).error).toBe('--digest-at: "25:00" is not a time of day; write HH:MM on the 24-hour clock, e.g. 17:00 or 08:30');
    expect((await run("settings", "--campaign", "par2026", "--see-names", "maybe")).error).toBe('--see-names: expected yes or no, got "maybe"');
  });
});
