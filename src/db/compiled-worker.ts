// Where a worker thread's compiled program is, and how to start it: the bot's thread
// (src/bot/host-worker.ts) and the checkpoints' thread (src/db/checkpoint-worker.ts) run compiled
// JavaScript, also when their caller runs from the TypeScript sources (tests, benchmarks), with the
// process's node options that a worker accepts.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

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

/** The process's node options (profiling, warnings) without a TypeScript loader, which a compiled worker does not need. */
function compiledWorkerExecArgv(): string[] {
  return process.execArgv.filter((arg, i, all) => !/^--(import|require|loader|experimental-loader)\b/.test(arg) && !/^--(import|require|loader|experimental-loader)$/.test(all[i - 1] ?? ""));
}

/**
 * Starts the compiled worker `file` with the process's node options (compiledWorkerExecArgv). A worker
 * refuses V8's and process-wide options (`node --max-old-space-size=2048 bin/khaosat.js start` is
 * common on servers) and would fail every update; V8's options already hold for every thread of the
 * process, so the refused ones (Node names them in its error) are left out and the rest passed on.
 */
export function startCompiledWorker(file: string, options: Omit<WorkerOptions, "execArgv">): Worker {
  let execArgv = compiledWorkerExecArgv();
  for (;;) {
    try {
      return new Worker(file, { ...options, execArgv });
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV" || execArgv.length === 0) throw error;
      // "Initiated Worker with invalid execArgv flags: --a=1, --b"; a message read otherwise passes none.
      const refused = new Set(String((error as Error).message).split(": ").slice(1).join(": ").split(", "));
      const kept = execArgv.filter((arg) => !refused.has(arg));
      execArgv = kept.length < execArgv.length ? kept : [];
    }
  }
}
