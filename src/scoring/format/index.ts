export { formatScoreCsv } from "./csv.js";
export { formatScoreTable } from "./table.js";
export { formatScoreXlsx } from "./xlsx.js";
export { formatExplanation } from "./explain.js";
export { HEADINGS, SHEETS, REASONS, type ReportLanguage } from "./labels.js";
