// Writes examples/responses-par.csv (`npm run examples:responses`): answers to examples/par-officials.yaml
// for the three units of examples/appraisal.csv, eight respondents each, so that `khaosat score` on the
// example files shows a ranking (a unit needs the questionnaire's minResponses, 5, counted responses).
// Each respondent is walked through the survey engine the bots use, so skip logic, validation and
// the file's columns are exactly those of real responses. Deterministic: the same file every run.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSurvey, step, type Choice, type EngineInput, type SurveyState } from "../src/engine/index.js";
import { parseQuestionnaire } from "../src/questionnaire/index.js";
import { writeResponsesCsv } from "../src/scoring/io/index.js";
import type { ScoringResponse } from "../src/scoring/index.js";
import { mulberry32 } from "../test/support/random.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = path.join(ROOT, "examples/responses-par.csv");
/** The units of examples/appraisal.csv. */
const UNITS = ["SO_TP", "SO_NV", "SO_TC"];
const PER_UNIT = 8;
const GROUPS = ["leaders", "officials", "officials", "deputies"];


/** The example responses file's content. */
export function exampleResponsesCsv(): string {
  const source = readFileSync(path.join(ROOT, "examples/par-officials.yaml"), "utf8");
  const parsed = parseQuestionnaire(source, "par-officials.yaml");
  if (!parsed.ok) throw new Error("examples/par-officials.yaml does not load");
  const q = parsed.questionnaire;
  const random = mulberry32(2026);
  const start = Date.UTC(2026, 11, 3, 1, 30);

  const responses: ScoringResponse[] = [];
  for (const [u, unit] of UNITS.entries()) {
    for (let k = 0; k < PER_UNIT; k++) {
      // Each unit's respondents lean differently over the options, so the units' indices differ.
      const lean = 0.25 + 0.25 * u;
      const pick = (count: number) => Math.min(count - 1, Math.floor(Math.pow(random(), 1 / (1 - lean + 0.2)) * count * (0.5 + lean)));
      let now = start + (u * PER_UNIT + k) * 3_600_000;
      let state: SurveyState = startSurvey(q, { units: [unit], language: "vi", now: iso(now) }).state;
      state = step(q, state, { type: "accept_attestation" }, { now: iso(now) }).state;
      const startedAt = now;
      for (let guard = 0; state.position.kind === "question" && guard < 200; guard++) {
        const position = state.position;
        const question = q.byId.get(position.questionId)!.question;
        now += 15_000 + Math.floor(random() * 45) * 1000;
        let input: EngineInput;
        if (question.type === "single") input = choose(position.questionId, { kind: "option", optionId: question.options[pick(question.options.length)]!.id });
        else if (question.type === "multi") input = choose(position.questionId, { kind: "options", optionIds: question.options.filter(() => random() < 0.4).slice(0, question.maxSelect ?? Infinity).map((o) => o.id) });
        else if (question.type === "scale") input = choose(position.questionId, { kind: "scale", value: question.max - pick(question.max - question.min + 1) });
        else if (question.type === "number") input = { type: "answer", questionId: position.questionId, text: String(Math.floor(random() * 6)) };
        else input = { type: "skip", questionId: position.questionId };
        const next = step(q, state, input, { now: iso(now) });
        // An empty multi selection (or anything refused) is skipped, as a respondent may.
        state = next.state === state || next.events.some((e) => e.type === "input_rejected") ? step(q, state, { type: "skip", questionId: position.questionId }, { now: iso(now) }).state : next.state;
      }
      if (state.position.kind !== "review") throw new Error(`respondent ${unit}-${k} did not reach the review`);
      state = step(q, state, { type: "submit" }, { now: iso(now) }).state;
      if (state.position.kind !== "completed") throw new Error(`respondent ${unit}-${k} was not submitted`);
      const answers = Object.fromEntries(Object.entries(state.responses[0]!.answers).map(([id, a]) => [id, a.value]));
      responses.push({ id: `EX-${unit}-${k + 1}`, unit, group: GROUPS[k % GROUPS.length]!, startedAt, submittedAt: now, answers });
    }
  }
  return writeResponsesCsv(q, responses);
}

// Run directly (`npm run examples:responses`): writes the file.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OUT, exampleResponsesCsv());
  console.log(`wrote ${path.relative(ROOT, OUT)}: ${UNITS.length} units × ${PER_UNIT} responses`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function choose(questionId: string, choice: Choice): EngineInput {
  return { type: "choose", questionId, choice };
}
