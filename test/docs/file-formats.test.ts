// Issue 11 item 12: the file formats are published in the repository, every column the readers
// accept is documented there, and the docs and --help point to it, not to a document users lack.
import { readdirSync, readFileSync } from "node:fs";
import { expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { APPRAISAL_COLUMNS, RESPONSE_COLUMNS, RESPONSE_IDENTITY_COLUMNS } from "../../src/scoring/io/index.js";
import { SECONDS_SUFFIX } from "../../src/scoring/io/responses.js";

const doc = readFileSync("docs/file-formats.md", "utf8");

async function help(...argv: string[]): Promise<string> {
  let out = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  try {
    await main([...argv, "--help"]);
  } catch {
    // commander ends --help by exiting; the text was written already.
  } finally {
    o.mockRestore();
    process.exitCode = undefined;
  }
  return out;
}

test("docs/file-formats.md documents every column the responses and appraisal readers accept", () => {
  for (const column of [...RESPONSE_COLUMNS, ...RESPONSE_IDENTITY_COLUMNS, ...APPRAISAL_COLUMNS, `<question id>${SECONDS_SUFFIX}`]) expect(doc).toContain(`\`${column}\``);
  for (const section of ["## 1. Questionnaire file", "## 2. Conditions", "## 3. Scoring", "## 4. Responses file", "## 5. Appraisal file", "## 6. Score output"]) expect(doc).toContain(section);
});

test("no user-facing text cites SURVEY-FORMAT, a document the repository does not have", async () => {
  for (const file of ["README.md", ...readdirSync("docs").map((f) => `docs/${f}`)]) expect(readFileSync(file, "utf8"), file).not.toContain("SURVEY-FORMAT");
  const texts = [await help("score"), await help("responses"), await help("responses", "import"), await help("responses", "export")];
  for (const text of texts) expect(text).not.toContain("SURVEY-FORMAT");
  expect(texts[0]).toContain("docs/file-formats.md");
  expect(texts[1]).toContain("docs/file-formats.md");
});
