// Participation of a campaign's sample: per-respondent status and per unit/group counts.
export { buildParticipation, respondentStatus, statusCounts, RESPONDENT_STATUSES, type ParticipationCounts, type ParticipationReport, type ParticipationRow } from "./report.js";
export { participationCsv, participationJson, participationTable, participationXlsx, PARTICIPATION_FORMATS, type ParticipationFormat } from "./format.js";
