import { parseQuestionnaire, type Questionnaire } from "../../../src/questionnaire/index.js";

/** A small questionnaire touching every question type, a condition and groups. */
export const QUESTIONNAIRE_YAML = `
schemaVersion: 1
id: test-par
version: 2
languages: [vi]
title: { vi: "Thử" }
groups:
  - { id: leaders, label: { vi: "Lãnh đạo" } }
  - { id: deputies, label: { vi: "Đại biểu" } }
scoring: { kind: points, surveyMax: 3 }
sections:
  - id: s1
    title: { vi: "Phần 1" }
    questions:
      - id: q0
        type: single
        text: { vi: "Có liên hệ?" }
        options:
          - { id: "yes", label: { vi: "Có" } }
          - { id: "no", label: { vi: "Không" } }
      - id: q1
        type: single
        text: { vi: "Đánh giá" }
        showIf: 'q0 == "yes"'
        maxPoints: 1
        options:
          - { id: "1", label: { vi: "Tốt" }, score: 1 }
          - { id: "2", label: { vi: "Chưa tốt" }, score: 0.5 }
          - { id: "x", label: { vi: "Không đánh giá được" }, score: null }
      - id: q2
        type: multi
        text: { vi: "Chọn" }
        maxPoints: 2
        maxSelect: 2
        options:
          - { id: a, label: { vi: "A" }, score: 1 }
          - { id: b, label: { vi: "B" }, score: 0 }
          - { id: c, label: { vi: "C" }, score: 0.5 }
      - id: q3
        type: scale
        text: { vi: "Hài lòng" }
        required: false
        min: 1
        max: 5
        allowNotApplicable: true
      - id: q4
        type: number
        text: { vi: "Số lần" }
        required: false
        min: 0
        max: 100
      - id: q5
        type: text
        text: { vi: "Góp ý" }
        required: false
        maxLength: 10
`;

/** Loads YAML text as a questionnaire or fails the test. */
export function questionnaireFrom(yaml: string): Questionnaire {
  const result = parseQuestionnaire(yaml, "test.yaml");
  if (!result.ok) throw new Error(`fixture questionnaire invalid: ${JSON.stringify(result.issues)}`);
  return result.questionnaire;
}

export const questionnaire = questionnaireFrom(QUESTIONNAIRE_YAML);

export const HEADER = "response_id,subject_unit,group,started_at,submitted_at,q0,q1,q2,q3,q4,q5";
