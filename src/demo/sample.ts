import type { Respondent } from "./ports.js";

/** The demo's one-time code, printed at start (characters of the access module's code alphabet). */
export const DEMO_CODE = "CCHC5-DEM26";

/** The demo respondent: a department leader assessing their own department. */
export const DEMO_RESPONDENT: Respondent = {
  id: "demo-respondent",
  name: "Nguyễn Văn An",
  unit: { id: "SO_TP", name: "Sở Tư pháp" },
  subjectUnits: [{ id: "SO_TP", name: "Sở Tư pháp" }],
};
