export { countBySection, summaryLines, type SectionCount } from "./summary.js";
export { DEMO_CODE, DEMO_RESPONDENT } from "./sample.js";
export type { CodeChecker, CodeCheckResult, Respondent, SurveySessionStore, UnitRef } from "./ports.js";
export { RedemptionCodeChecker, createDemoCodeChecker } from "./redemption-checker.js";
export { prepareDatabaseDemo, demoCodeFor, demoAccountOf, DemoStorageError, DEMO_CAMPAIGN_ID, type DatabaseDemo, type DatabaseDemoOptions } from "./database.js";
export { runHostDemo, type DemoOutcome, type HostDemoOptions } from "./host-demo.js";
