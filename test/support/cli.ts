// Runs the built `khaosat` command (bin/khaosat.js), or another node script, as a new process and keeps what it printed and
// its exit code, whatever the code (a refusal is an outcome to assert on, not an exception).
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execute = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/khaosat.js", import.meta.url));

/** What a run of the command printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `khaosat ARGS` with `env` (and `cwd`, default this process's). */
export function runKhaosat(env: NodeJS.ProcessEnv, args: readonly string[], cwd?: string): Promise<CliRun> {
  return runNode(env, [BIN, ...args], cwd);
}

/** `node ARGS` (a script and its arguments) with `env` (and `cwd`, default this process's). */
export async function runNode(env: NodeJS.ProcessEnv, args: readonly string[], cwd?: string): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [...args], { env, ...(cwd !== undefined ? { cwd: path.resolve(cwd) } : {}) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
