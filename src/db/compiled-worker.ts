// Where a worker thread's compiled program is, and how to start it: the bot's thread
// (src/bot/host-worker.ts) and the checkpoints' thread (src/db/checkpoint-worker.ts) run compiled
// JavaScript, also when their caller runs from the TypeScript sources (tests, benchmarks).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The compiled program `name` of the calling module's folder: beside the module (it runs from dist/),
 * or dist/'s copy (it runs from src/). Undefined when neither exists (not built).
 */
export function compiledWorkerFile(moduleUrl: string, name: string): string | undefined {
  const beside = fileURLToPath(new URL(`./${name}`, moduleUrl));
  if (existsSync(beside)) return beside;
  const folder = path.basename(path.dirname(fileURLToPath(moduleUrl)));
  const compiled = fileURLToPath(new URL(`../../dist/${folder}/${name}`, moduleUrl));
  return existsSync(compiled) ? compiled : undefined;
}

/** The process's node options (memory, profiling) without a TypeScript loader, which a compiled worker does not need. */
export function compiledWorkerExecArgv(): string[] {
  return process.execArgv.filter((arg, i, all) => !/^--(import|require|loader|experimental-loader)\b/.test(arg) && !/^--(import|require|loader|experimental-loader)$/.test(all[i - 1] ?? ""));
}
