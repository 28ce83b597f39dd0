import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { question, type QuestionType } from "../../src/questionnaire/index.js";
import { loadQuestionnaire } from "./support.js";
import { runTranscript, type Transcript } from "./transcript-driver.js";

const root = new URL("../..", import.meta.url).pathname;
const goldenDir = join(root, "test/fixtures/transcripts");
const update = process.env.UPDATE_GOLDEN === "1";

const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));

/** Every sample questionnaire, plus the engine's own fixture; the fixture takes two units to cover the unit loop. */
const sources = [
  ...yamlIn(join(root, "examples")).map((path) => ({ path, units: ["UNIT_1"] })),
  ...yamlIn(join(goldenDir, "questionnaires")).map((path) => ({ path, units: ["SO_TP", "SO_TC"] })),
];

describe("golden transcripts", () => {
  test.each(sources.map((s) => [relative(root, s.path), s] as const))("%s", (file, { path, units }) => {
    const questionnaire = loadQuestionnaire(path);
    const transcript = runTranscript(questionnaire, file, units);
    checkTranscriptCovers(transcript);
    const golden = join(goldenDir, `${basename(path).replace(/\.ya?ml$/, "")}.json`);
    const text = `${JSON.stringify(transcript, null, 2)}\n`;
    if (update) writeFileSync(golden, text);
    let expected: string;
    try {
      expected = readFileSync(golden, "utf8");
    } catch {
      throw new Error(`no golden transcript ${relative(root, golden)}: run UPDATE_GOLDEN=1 npx vitest run test/engine/transcripts.test.ts and review it`);
    }
    expect(text).toBe(expected);
  });

  test("every question type appears in some stored transcript", () => {
    // The types come from the schema, so a new question type fails here until a fixture shows it.
    const all = question.options.map((o) => o.shape.type.value);
    const shown = new Set<QuestionType>();
    for (const { path } of sources) {
      const questionnaire = loadQuestionnaire(path);
      const golden = join(goldenDir, `${basename(path).replace(/\.ya?ml$/, "")}.json`);
      const transcript = JSON.parse(readFileSync(golden, "utf8")) as Transcript;
      for (const s of transcript.steps) {
        if (!("events" in s)) continue;
        for (const e of s.events) if (e.type === "question_shown") shown.add(questionnaire.byId.get(e.questionId)!.question.type);
      }
    }
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(all.filter((t) => !shown.has(t))).toEqual([]);
  });
});

/** A transcript is only worth keeping if it went through the interesting parts of a conversation. */
function checkTranscriptCovers(transcript: Transcript): void {
  const events = transcript.steps.flatMap((s) => ("events" in s ? s.events : []));
  const inputs = transcript.steps.flatMap((s) => ("input" in s ? [s.input.type] : []));
  const kinds = new Set(events.map((e) => e.type));
  for (const kind of ["validation_failed", "review_shown", "submit_refused", "unit_submitted", "completed", "answer_discarded"] as const) {
    expect(kinds, `${transcript.questionnaire.file}: no ${kind}`).toContain(kind);
  }
  for (const input of ["back", "resume", "edit", "submit"] as const) expect(inputs).toContain(input);
  expect(transcript.steps.some((s) => "stored" in s)).toBe(true);
}
