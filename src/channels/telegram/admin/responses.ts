// ResponsesExporter over the campaigns module: the responses file of SURVEY-FORMAT section 4, as
// `khaosat responses export` writes it (submitted responses only, no respondent identity, small
// cells withheld unless the campaign is --identified). Streamed into a temporary file, which the
// upload then streams from: a national campaign's file never sits in memory whole.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { streamCampaignResponses } from "../../../campaigns/index.js";
import type { Database } from "../../../db/index.js";
import type { ResponsesExporter } from "./ports.js";

/** The responses file of a campaign, read from the database into a temporary file. */
export function databaseResponses(db: Database): ResponsesExporter {
  return {
    async responses(campaignId) {
      const campaign = await db.campaigns.get(campaignId);
      if (!campaign) throw new Error(`bug: no campaign ${campaignId} to export`);
      const dir = await mkdtemp(path.join(tmpdir(), "khaosat-export-"));
      const dispose = () => rm(dir, { recursive: true, force: true });
      const fileName = `responses-${campaignId}.csv`;
      const file = path.join(dir, fileName);
      try {
        const out = createWriteStream(file, { mode: 0o600 });
        const failed = once(out, "error").then(([error]) => Promise.reject(error as Error));
        failed.catch(() => undefined);
        await streamCampaignResponses(db, campaign, async (chunk) => {
          // Waits for the disk when the stream's buffer is full.
          if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
        });
        out.end();
        await Promise.race([once(out, "finish"), failed]);
        return { fileName, path: file, dispose };
      } catch (error) {
        await dispose();
        throw error;
      }
    },
  };
}
