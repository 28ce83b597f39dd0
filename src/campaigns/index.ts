// Campaigns: creation with a frozen questionnaire version, the open window, campaign times.
export { createCampaign, campaignQuestionnaire, readQuestionnaire, newCampaignId, sourceHash, CampaignInputError, type CreateCampaignInput, type CreatedCampaign } from "./create.js";
export { checkOpen, type CampaignWindow, type OpenCheck } from "./open.js";
export { DEFAULT_TIME_ZONE, formatZonedTime, isValidTimeZone, parseZonedTime } from "./time.js";
export {
  campaignScoringInput,
  exportCampaignResponses,
  importCampaignResponses,
  streamCampaignResponses,
  withheldRowsNote,
  type CampaignResponsesCounts,
  type CampaignResponsesExport,
  type ResponsesImportReport,
} from "./responses.js";
