// Runs every benchmark: `npm run bench`. Each bench file exports a function that prints its figures.
import { benchScoring } from "./scoring.js";

const benches: readonly [string, () => unknown][] = [["scoring", benchScoring]];

for (const [name, run] of benches) {
  console.log(`# ${name}`);
  run();
}
