// Regenerates examples/*.xlsx, the Excel templates of the example questionnaires, by exporting each
// examples/*.yaml as an XLSForm. A test checks that the checked-in workbooks hold what the export
// writes today, so run this after changing an example or the export: `npm run examples:xlsx`.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatIssue, loadQuestionnaireFile } from "../src/questionnaire/index.js";
import { exportXlsform } from "../src/questionnaire/xlsform/index.js";

const EXAMPLES = fileURLToPath(new URL("../examples/", import.meta.url));

let failed = false;
for (const name of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).sort()) {
  const loaded = await loadQuestionnaireFile(path.join(EXAMPLES, name));
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    failed = true;
    continue;
  }
  const out = path.join(EXAMPLES, name.replace(/\.yaml$/, ".xlsx"));
  await exportXlsform(loaded.questionnaire.definition, out);
  console.log(`${path.relative(process.cwd(), out)}: written`);
}
process.exitCode = failed ? 1 : 0;
