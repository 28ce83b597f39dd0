// The preamble of every campaign route: the role check first (nothing is read outside the role),
// then the campaign of the URL (404 when unknown). One place, so no route can forget either step.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { CampaignRecord, WebRole } from "../db/index.js";
import type { PublicUser } from "./accounts.js";
import { notFound, requireRole, type WebContext } from "./server.js";

/** Loads the campaign of the route, or answers 404. */
export async function routeCampaign(context: WebContext, request: FastifyRequest, reply: FastifyReply): Promise<CampaignRecord | null> {
  const campaign = await context.db.campaigns.get((request.params as { id: string }).id);
  if (!campaign) {
    void notFound(request, reply);
    return null;
  }
  return campaign;
}

/** Who asks and about which campaign; null when the reply (login, 403 or 404) is already sent. */
export async function campaignRequest(
  context: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  roles: readonly WebRole[],
  scope: { campaignId?: string; unit?: string } = {},
): Promise<{ user: PublicUser; campaign: CampaignRecord } | null> {
  const user = requireRole(request, reply, roles, scope);
  if (!user) return null;
  const campaign = await routeCampaign(context, request, reply);
  return campaign ? { user, campaign } : null;
}
