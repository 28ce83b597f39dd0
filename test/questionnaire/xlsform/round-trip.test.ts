import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseQuestionnaire, type QuestionnaireFile } from "../../../src/questionnaire/index.js";
import { acknowledgeLabels } from "../../../src/questionnaire/xlsform/languages.js";
import { convertSheets, exportXlsformBytes, importXlsform, readWorkbook, xlsformSheets } from "../../../src/questionnaire/xlsform/index.js";
import { comparable, sheetOf } from "./support.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const NAMES = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5)).sort();

function load(name: string): QuestionnaireFile {
  const result = parseQuestionnaire(readFileSync(`${EXAMPLES}${name}.yaml`), `${name}.yaml`);
  if (!result.ok) throw new Error(`example ${name} does not load`);
  return result.questionnaire.definition;
}

describe.each(NAMES)("examples/%s", (name) => {
  test("export → import (through real .xlsx bytes) gives back the same questionnaire", async () => {
    const original = load(name);
    const bytes = await exportXlsformBytes(original);
    const imported = await importXlsform(bytes, `${name}.xlsx`);
    if (!imported.ok) throw new Error(imported.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    expect(imported.warnings).toEqual([]);
    expect(comparable(imported.questionnaire.definition)).toEqual(comparable(original));
  });

  test(`examples/${name}.xlsx holds what the export writes today (regenerate: npm run examples:xlsx)`, async () => {
    const read = await readWorkbook(readFileSync(`${EXAMPLES}${name}.xlsx`));
    if (!read.ok) throw new Error("the checked-in template does not read");
    const expected = xlsformSheets(load(name)).map(sheetOf);
    expect(read.sheets.map((s) => ({ name: s.name, headers: s.headers, rows: s.rows.map((r) => ({ row: r.row, cells: Object.fromEntries(r.cells) })) }))).toEqual(
      expected.map((s) => ({ name: s.name, headers: s.headers, rows: s.rows.map((r) => ({ row: r.row, cells: Object.fromEntries(r.cells) })) })),
    );
  });
});

// ---- generated questionnaires ----

const PHRASES = ["Ông/Bà đánh giá thế nào?", "Thủ tục có rõ ràng không?", "Công chức có lịch sự?", "How satisfied are you?", "Số ngày chờ", "Ý kiến khác", "=1+2 (không phải công thức)", "Đúng hẹn"];

interface GenQuestion {
  readonly type: "single" | "multi" | "scale" | "number" | "text" | "ack";
}

const questionnaireArb = fc
  .record({
    languages: fc.constantFrom(["vi"], ["vi", "en"], ["en", "vi"]),
    sections: fc.array(fc.array(fc.constantFrom<GenQuestion["type"]>("single", "multi", "scale", "number", "text", "ack"), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    seed: fc.array(fc.nat(1000), { minLength: 200, maxLength: 200 }),
    scoring: fc.constantFrom("none", "points", "satisfaction"),
    groups: fc.boolean(),
    intro: fc.boolean(),
  })
  .map(({ languages, sections, seed, scoring, groups, intro }) => {
    let k = 0;
    const pick = (n: number): number => seed[k++ % seed.length]! % n;
    const flip = (): boolean => pick(2) === 0;
    const text = (): Record<string, string> => Object.fromEntries(languages.map((l) => [l, `${PHRASES[pick(PHRASES.length)]!} ${l}`]));
    const earlier: Array<{ id: string; type: string; options?: string[]; min?: number }> = [];
    let n = 0;
    const out: Record<string, unknown> = { schemaVersion: 1, id: "gen-form", version: 1 + pick(5), languages, title: text() };
    if (intro) out.intro = text();
    let scaleSeen = false;
    let points = 0;
    const built = sections.map((types, si) => {
      const section: Record<string, unknown> = { id: `s${si}`, title: text() };
      if (flip()) section.component = `c${pick(2)}`;
      section.questions = types.map((type) => {
        const id = `q${++n}`;
        const q: Record<string, unknown> = { id, text: text() };
        if (type === "ack") {
          Object.assign(q, { type: "single", options: [{ id: "OK", label: acknowledgeLabels(languages), score: null }] });
        } else {
          q.type = type;
          q.required = flip();
          if (flip()) q.help = text();
          if (type === "single" || type === "multi") {
            const ids = ["1", "2", "co", "khong", "OK"].slice(0, 2 + pick(3));
            q.options = ids.map((o) => ({ id: o, label: text(), score: scoring === "points" ? (flip() ? null : [0, 0.5, 1][pick(3)]) : null }));
            if (scoring === "points" && flip()) {
              (q.options as Array<{ score: number | null }>)[0]!.score = 1;
              q.maxPoints = [0.5, 1, 1.5][pick(3)];
              points += q.maxPoints as number;
            }
            if (type === "multi" && flip()) q.maxSelect = 1 + pick(ids.length);
            if (type === "multi" && flip()) q.minSelect = 1;
          } else if (type === "scale") {
            scaleSeen = true;
            q.min = pick(2);
            q.max = 4 + pick(3);
            if (flip()) q.labels = { [String(q.min)]: text(), [String(q.max)]: text() };
            q.allowNotApplicable = flip();
          } else if (type === "number") {
            q.integer = flip();
            if (flip()) q.min = 0;
            if (flip()) q.max = 120;
          } else if (flip()) q.maxLength = 500;
        }
        if (earlier.length > 0 && flip()) {
          const conditions = [0, 1].slice(0, 1 + pick(2)).map(() => {
            const e = earlier[pick(earlier.length)]!;
            if (e.type === "single") return flip() ? `${e.id} == "${e.options![pick(e.options!.length)]}"` : `${e.id} != "${e.options![0]}"`;
            if (e.type === "multi") return `${e.id} includes "${e.options![pick(e.options!.length)]}"`;
            if (e.type === "scale") return flip() ? `${e.id} >= ${e.min! + 1}` : `${e.id} != ${e.min}`;
            if (e.type === "number") return flip() ? `${e.id} < 18` : `not (${e.id} == 2.5)`;
            return flip() ? `answered(${e.id})` : `not answered(${e.id})`;
          });
          q.showIf = conditions.join(flip() ? " and " : " or ");
        }
        earlier.push({ id, type: q.type as string, ...(Array.isArray(q.options) ? { options: (q.options as Array<{ id: string }>).map((o) => o.id) } : {}), ...(typeof q.min === "number" ? { min: q.min } : {}) });
        return q;
      });
      return section;
    });
    out.sections = built;
    if (groups) out.groups = [{ id: "leaders", label: text() }, { id: "staff", label: text() }];
    if (scoring === "points" && points > 0) {
      out.scoring = { kind: "points", surveyMax: points, minResponses: 1 + pick(10), ...(groups ? { groupWeights: { leaders: 0.6, staff: 0.4 } } : {}), ...(flip() ? { classes: [{ label: "Tốt", min: 80 }, { label: "Khá", min: 50 }] } : {}) };
    } else if (scoring === "satisfaction" && scaleSeen) {
      out.scoring = { kind: "satisfaction", positive: [4], excludeFlagged: flip() };
    }
    return out;
  });

describe("generated questionnaires", () => {
  test("export → import gives back the same questionnaire", () => {
    let checked = 0;
    fc.assert(
      fc.property(questionnaireArb, (data) => {
        const loaded = parseQuestionnaire(JSON.stringify(data), "generated.json");
        if (!loaded.ok) throw new Error(`generator made an invalid questionnaire: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
        const original = loaded.questionnaire.definition;
        const imported = convertSheets(xlsformSheets(original).map(sheetOf), "generated.xlsx");
        if (!imported.ok) throw new Error(imported.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
        expect(comparable(imported.questionnaire.definition)).toEqual(comparable(original));
        checked++;
      }),
      { numRuns: 150, seed: 15 },
    );
    expect(checked).toBe(150);
  });
});
