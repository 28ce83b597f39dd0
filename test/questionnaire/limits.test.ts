// Questionnaire files have limits: alias expansion (a "billion laughs" YAML) and file size.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { loadQuestionnaireFile, parseQuestionnaire } from "../../src/questionnaire/index.js";
import { expandedSize } from "../../src/questionnaire/limits.js";
import { parseDocument } from "yaml";

describe("questionnaire limits", () => {
  test("one list aliased hundreds of times is refused before it is expanded, naming the limit", () => {
    const list = Array.from({ length: 300 }, (_, i) => `"v${i}"`).join(", ");
    const aliases = Array.from({ length: 900 }, () => "*big").join(", ");
    const text = `schemaVersion: 1\nid: bomb\nversion: 1\nlanguages: [vi]\nbig: &big [${list}]\nmany: [${aliases}]\n`;
    const result = parseQuestionnaire(text, "bomb.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => `${i.file}: ${i.message}`)).toEqual([
      "bomb.yaml: its aliases (*name) expand to more than 200,000 values, the limit for a questionnaire: write the repeated part out, or alias smaller parts",
    ]);
  });

  test("nested aliases are counted without being expanded (linear time)", () => {
    let text = "a0: [x, y, z, w, v, u, t, s, r, q]\n";
    for (let i = 1; i <= 30; i++) text = text.replace(`a${i - 1}:`, `a${i - 1}: &a${i - 1}`) + `a${i}: [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]\n`;
    const started = Date.now();
    expect(expandedSize(parseDocument(text))).toBe(200_001);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("ordinary aliases stay well within the limit", () => {
    expect(expandedSize(parseDocument("scale: &s {min: 1, max: 5}\nq1: *s\nq2: *s\n"))).toBe(19);
  });

  test("a file over 5 MB is refused unread", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-qlimit-"));
    const file = path.join(dir, "huge.yaml");
    writeFileSync(file, `# ${"x".repeat(6 * 1024 * 1024)}\n`);
    const result = await loadQuestionnaireFile(file);
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual(["the file is 6.0 MB, over the 5 MB limit for a questionnaire: is this the right file?"]);
  });
});
