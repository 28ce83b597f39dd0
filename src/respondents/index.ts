// Respondents: reading and validating the sample file and importing it into a campaign.
export { importRespondentsFile, type ImportReport } from "./import.js";
export { readTable, streamTable, cellText, TableFileError, type Table, type TableRow, type TableSink } from "./read.js";
export { validateRespondents, RespondentValidator, RESPONDENT_COLUMNS, type RowProblem, type ValidatedTable } from "./validate.js";
