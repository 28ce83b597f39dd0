// Vitest global setup: tests start the `khaosat` command (bin/khaosat.js runs the compiled dist/),
// so compile src/ first. The build is incremental: a no-op when nothing changed since the last one.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  if (process.env.KHAOSAT_SKIP_BUILD === "1") return;
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
}
