// AdminParticipation over the storage layer: the same report as `khaosat participation` (src/participation).
import type { ParticipationRepository, RespondentRepository } from "../../../db/index.js";
import { buildParticipation } from "../../../participation/index.js";
import type { AdminParticipation } from "./ports.js";

/** Participation reports read from the database's facts and units. */
export function databaseParticipation(db: { readonly participation: ParticipationRepository; readonly respondents: Pick<RespondentRepository, "units"> }): AdminParticipation {
  return {
    async report(campaignId) {
      const [facts, units] = await Promise.all([db.participation.facts(campaignId), db.respondents.units(campaignId)]);
      return buildParticipation(campaignId, facts, units);
    },
  };
}
