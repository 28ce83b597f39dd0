// Confidentiality rules shared by every report, export and channel.
export { smallCellThreshold, isCellShown, protectBreakdown, withheldNote, type ProtectedBreakdown } from "./small-cells.js";
export { exportIdentityDecision, IDENTITY_COLUMNS, type ExportIdentityDecision } from "./identity.js";
export { privacyNotice, type PrivacyMode } from "./notice.js";
