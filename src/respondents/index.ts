// Respondents: reading and validating the sample file and importing it into a campaign.
export { importRespondentsFile, type ImportReport } from "./import.js";
export { readTable, cellText, TableFileError, type Table, type TableRow } from "./read.js";
export { validateRespondents, RESPONDENT_COLUMNS, type RowProblem, type ValidatedTable } from "./validate.js";
