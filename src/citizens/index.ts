// Citizens' feedback at the one-stop desk: anonymous code batches, receipt slips, counter posters
// and what happens after an anonymous submission.
export {
  POSTER_PAYLOAD_PREFIX,
  POSTER_TOKEN_LENGTH,
  DEFAULT_POSTER_PERIOD_DAYS,
  generatePosterToken,
  posterStartPayload,
  posterDeepLink,
  parsePosterPayload,
  hashPosterToken,
  posterPeriod,
  posterClaimKey,
  type PosterPayload,
} from "./poster.js";
export type * from "./repository.js";
export { MemoryCitizensRepository } from "./memory-repository.js";
export {
  CitizenService,
  CitizensInputError,
  DEFAULT_BURST_RULE,
  MAX_BATCH_COUNT,
  MAX_SERVICE_LENGTH,
  type AnonymousSource,
  type BurstRule,
  type CitizenServiceOptions,
  type CompleteRequest,
  type CreatedPoster,
  type IssuedBatch,
  type PosterScanResult,
} from "./service.js";
export { renderReceiptPdf, renderPosterPdf, writeReceiptPdf, writePosterPdf, receiptInstructions, posterInstructions, posterHeadline, balancedLines, type ReceiptSlip, type PosterContent, type CitizenPdfOptions } from "./pdf.js";
