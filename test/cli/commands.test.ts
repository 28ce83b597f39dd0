// The CLI loads only the module of the command it runs; `khaosat --help` comes from the listing the
// build writes (dist/cli/command-listing.json) and must read exactly as with every module loaded.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { expect, test } from "vitest";
import { registerCommands } from "../../src/cli/commands.js";
import { main } from "../../src/cli/main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "bin/khaosat.js");

function khaosat(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, COLUMNS: "80" } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** main() from the sources, which have no listing: every command's module is registered. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test("the build writes the listing of every command", () => {
  const file = path.join(ROOT, "dist/cli/command-listing.json");
  expect(existsSync(file)).toBe(true);
  const listing = JSON.parse(readFileSync(file, "utf8")) as { name: string; term: string; description: string }[];
  expect(listing.map((c) => c.name)).toEqual(expect.arrayContaining(["score", "start", "campaign", "broadcast", "reminders", "report"]));
  expect(listing.find((c) => c.name === "preview")?.term).toBe("preview [options] <file>");
});

test("khaosat --help from the listing reads exactly as with every command's module loaded", async () => {
  const full = await inProcess("--help");
  expect(full.code).toBe(0);
  expect(full.stdout).toContain("score [options]");
  expect(khaosat("--help")).toEqual({ code: 0, stdout: full.stdout, stderr: "" });
});

test("a mistyped command gets the same suggestion", async () => {
  const full = await inProcess("scroe");
  expect(full.stderr).toContain("(Did you mean score?)");
  expect(khaosat("scroe")).toEqual({ code: full.code, stdout: "", stderr: full.stderr });
});

test("a command registers only its own module, also after help", async () => {
  const names = async (...argv: string[]) => {
    const program = new Command("khaosat");
    await registerCommands(program, argv);
    return program.commands.map((c) => c.name());
  };
  expect(await names("score", "--questionnaire", "q.yaml")).toEqual(["score"]);
  expect(await names("--debug", "reminders", "show", "c1")).toEqual(["broadcast", "reminders"]);
  expect(await names("help", "start")).toEqual(["start"]);
  const help = khaosat("help", "score");
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("Usage: khaosat score [options]");
});
