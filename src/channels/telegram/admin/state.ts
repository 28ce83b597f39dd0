// An admin's place in a multi-step command, kept as audit events so it survives restarts and runs on
// any instance: the latest `admin.state` event of an admin is where they are; `admin.broadcast.tracked`
// events without a later `admin.broadcast.finished` are the progress messages still to update.
import type { AuditEventRecord, AuditRepository } from "../../../db/index.js";
import { parseAudience, formatAudience, type Audience } from "./audience.js";
import type { AdminStateStore, TrackedBroadcast } from "./ports.js";

/** Where an admin is between the steps of `/remind` and `/broadcast`. */
export type AdminState =
  | { readonly stage: "idle" }
  | { readonly stage: "remind"; readonly draftId: string; readonly campaignId: string; readonly count: number }
  | { readonly stage: "compose"; readonly draftId: string; readonly campaignId: string }
  | { readonly stage: "audience"; readonly draftId: string; readonly campaignId: string; readonly text: string }
  | { readonly stage: "confirm"; readonly draftId: string; readonly campaignId: string; readonly text: string; readonly audience: Audience; readonly count: number };

/** No command under way. */
export const IDLE: AdminState = { stage: "idle" };

/** Audit kinds the state store writes. */
export const STATE_EVENT = "admin.state";
export const TRACK_EVENT = "admin.broadcast.tracked";
export const FINISH_EVENT = "admin.broadcast.finished";

/** Serialises a state for the audit row (the audience as its stored text). */
function encode(state: AdminState): Record<string, unknown> {
  return state.stage === "confirm" ? { ...state, audience: formatAudience(state.audience) } : { ...state };
}

const str = (v: unknown): v is string => typeof v === "string";

/** Reads a stored state back; anything unreadable is idle (the admin starts the command again). */
export function decodeState(data: Readonly<Record<string, unknown>>): AdminState {
  const { stage, draftId, campaignId, text, count } = data;
  if (!str(draftId) || !str(campaignId)) return IDLE;
  if (stage === "compose") return { stage, draftId, campaignId };
  if (stage === "remind" && typeof count === "number") return { stage, draftId, campaignId, count };
  if (stage === "audience" && str(text)) return { stage, draftId, campaignId, text };
  if (stage === "confirm" && str(text) && typeof count === "number" && str(data.audience)) {
    const audience = parseAudience(data.audience);
    if (audience) return { stage, draftId, campaignId, text, count, audience };
  }
  return IDLE;
}

function latestBy<T>(events: readonly AuditEventRecord[], key: (e: AuditEventRecord) => T): Map<T, AuditEventRecord> {
  const out = new Map<T, AuditEventRecord>();
  for (const e of events) out.set(key(e), e);
  return out;
}

/** The admin state store over the audit trail (AuditRepository of src/db). */
export function auditStateStore(audit: AuditRepository): AdminStateStore {
  return {
    async load(actor) {
      // Events come oldest first: the last one of this admin is their current state.
      const mine = (await audit.list({ kind: STATE_EVENT })).filter((e) => e.actor === actor);
      const last = mine.at(-1);
      return last ? decodeState(last.data) : IDLE;
    },
    async save(actor, state, at) {
      await audit.record({ at, kind: STATE_EVENT, actor, campaignId: state.stage === "idle" ? null : state.campaignId, data: encode(state) });
    },
    async track(broadcast, at) {
      await audit.record({ at, kind: TRACK_EVENT, actor: broadcast.actor, campaignId: broadcast.campaignId, data: { ...broadcast } });
    },
    async tracked() {
      const finished = new Set((await audit.list({ kind: FINISH_EVENT })).map((e) => e.data.broadcastId));
      const started = latestBy(await audit.list({ kind: TRACK_EVENT }), (e) => e.data.broadcastId);
      const out: TrackedBroadcast[] = [];
      for (const [id, e] of started) {
        const { chatId, messageId, language, campaignId, audience } = e.data;
        if (!str(id) || finished.has(id) || typeof chatId !== "number" || typeof messageId !== "number" || !str(language) || !str(campaignId)) continue;
        out.push({ broadcastId: id, actor: e.actor ?? "", chatId, messageId, language, campaignId, audience: str(audience) ? audience : "" });
      }
      return out;
    },
    async untrack(broadcastId, at, data) {
      await audit.record({ at, kind: FINISH_EVENT, data: { broadcastId, ...data } });
    },
  };
}
