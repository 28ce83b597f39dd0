// Participation of a campaign's sample: per-respondent status and per unit/group counts.
export {
  buildParticipation,
  countFacts,
  loadParticipation,
  participationFromCounts,
  respondentStatus,
  statusCounts,
  sumStatus,
  RESPONDENT_STATUSES,
  type ChannelCounts,
  type ParticipationCounts,
  type ParticipationReport,
  type ParticipationRow,
  type ParticipationSource,
} from "./report.js";
export { participationCsv, participationJson, participationTable, participationXlsx, PARTICIPATION_FORMATS, PARTICIPATION_TABLE_HEAD, type ParticipationFormat, type ParticipationTableWords } from "./format.js";
