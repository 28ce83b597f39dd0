export { parseResponsesCsv, readResponsesFile, readResponsesTable, writeResponsesCsv, parseAnswer, RESPONSE_COLUMNS, RESPONSE_IDENTITY_COLUMNS, RESPONSE_CHANNEL_COLUMN, SECONDS_SUFFIX } from "./responses.js";
export type { ParsedResponses, ParsedResponseTable, RejectedRow, RowWarning, ResponsesCsvOptions, WriteResponsesOptions } from "./responses.js";
export { parseAppraisalCsv, APPRAISAL_COLUMNS, type ParsedAppraisal, type AppraisalCsvOptions } from "./appraisal.js";
export { decodeUtf8, readCsv, scanCsv, scanCsvFile, writeCsv, csvCell, detectDelimiter, formatFileIssue, type CsvRecord, type FileIssue } from "./csv.js";
export { DEFAULT_TIME_ZONE, formatIsoTime, isValidTimeZone, parseIsoTime, zoneOffsetMs } from "./time.js";
export { didYouMean } from "./suggest.js";
