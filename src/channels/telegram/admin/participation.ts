// AdminParticipation over the storage layer: the same report as `khaosat participation` (src/participation),
// computed by the database (grouped counts), whatever the campaign's size.
import { loadParticipation, type ParticipationSource } from "../../../participation/index.js";
import type { AdminParticipation } from "./ports.js";

/** Participation reports read from the database's counts and units. */
export function databaseParticipation(db: ParticipationSource): AdminParticipation {
  return {
    async report(campaignId) {
      return loadParticipation(db, campaignId);
    },
  };
}
