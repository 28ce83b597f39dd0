import type { ExclusionReason } from "../types.js";

/** Languages of the score outputs' headings. */
export type ReportLanguage = "vi" | "en";

/** Column headings of the score outputs, in Vietnamese and English. */
export const HEADINGS = {
  rank: { vi: "Hạng", en: "Rank" },
  unit: { vi: "Đơn vị", en: "Unit" },
  unitName: { vi: "Tên đơn vị", en: "Unit name" },
  responses: { vi: "Số phiếu", en: "Responses" },
  counted: { vi: "Phiếu được tính", en: "Counted" },
  surveyPoints: { vi: "Điểm điều tra XHH", en: "Survey points" },
  surveyRank: { vi: "Hạng điều tra XHH", en: "Survey rank" },
  appraisalPoints: { vi: "Điểm thẩm định", en: "Appraisal points" },
  appraisalRank: { vi: "Hạng thẩm định", en: "Appraisal rank" },
  index: { vi: "Chỉ số", en: "Index" },
  class: { vi: "Xếp loại", en: "Class" },
  component: { vi: "Thành phần", en: "Component" },
  title: { vi: "Tên", en: "Title" },
  points: { vi: "Điểm", en: "Points" },
  max: { vi: "Điểm tối đa", en: "Max points" },
  criterion: { vi: "Tiêu chí", en: "Criterion" },
  question: { vi: "Câu hỏi", en: "Question" },
  option: { vi: "Lựa chọn", en: "Option" },
  share: { vi: "Tỷ lệ chọn (%)", en: "Share (%)" },
  reason: { vi: "Lý do", en: "Reason" },
  reasonCode: { vi: "Mã lý do", en: "Reason code" },
  speeder: { vi: "Phiếu trả lời quá nhanh", en: "Speeders" },
  straightliner: { vi: "Phiếu trả lời một kiểu", en: "Straight-liners" },
  delegation: { vi: "Phiếu trả lời hộ", en: "Delegation" },
} as const satisfies Record<string, Record<ReportLanguage, string>>;

/** A heading key. */
export type Heading = keyof typeof HEADINGS;

/** Sheet names of the workbook (at most 31 characters, as Excel requires). */
export const SHEETS = {
  ranking: { vi: "Xếp hạng", en: "Ranking" },
  components: { vi: "Thành phần", en: "Components" },
  criteria: { vi: "Tiêu chí", en: "Criteria" },
  choices: { vi: "Lựa chọn", en: "Choices" },
  excluded: { vi: "Không xếp hạng", en: "Excluded" },
} as const satisfies Record<string, Record<ReportLanguage, string>>;

/** Why a unit is excluded, in words. */
export const REASONS: Record<ExclusionReason, Record<ReportLanguage, string>> = {
  insufficient_responses: { vi: "Không đủ số phiếu tối thiểu", en: "fewer counted responses than minResponses" },
  missing_appraisal: { vi: "Chưa có điểm thẩm định", en: "no appraisal points" },
  no_valid_answers: { vi: "Không có câu trả lời hợp lệ để tính", en: "no valid answers to rate" },
};
