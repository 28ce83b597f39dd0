// ResponsesExporter over the campaigns module: the responses file of SURVEY-FORMAT section 4, as
// `khaosat responses export` writes it (submitted responses only, no respondent identity, small
// cells withheld unless the campaign is --identified).
import { exportCampaignResponses } from "../../../campaigns/index.js";
import type { Database } from "../../../db/index.js";
import type { ResponsesExporter } from "./ports.js";

/** The responses file of a campaign, read from the database. */
export function databaseResponses(db: Database): ResponsesExporter {
  return {
    async responses(campaignId) {
      const campaign = await db.campaigns.get(campaignId);
      if (!campaign) throw new Error(`bug: no campaign ${campaignId} to export`);
      const { csv } = await exportCampaignResponses(db, campaign);
      return { fileName: `responses-${campaignId}.csv`, content: new TextEncoder().encode(csv) };
    },
  };
}
