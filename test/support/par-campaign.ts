// A campaign "c1" on the example PAR questionnaire, open now, with respondents in the Department of
// Justice and one access code each: what the bot tests that run a respondent through the survey need.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hashCode } from "../../src/access/index.js";
import { Secret } from "../../src/config/index.js";
import type { Database } from "../../src/db/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";

const SOURCE = readFileSync(fileURLToPath(new URL("../../examples/par-officials.yaml", import.meta.url)), "utf8");

/** Stores the questionnaire and campaign, imports `people` ([external id, full name]) and gives each the code at its place in `codes`. */
export async function seedParCampaign(db: Database, people: readonly (readonly [string, string])[], codes: readonly string[], secret: string): Promise<void> {
  const parsed = parseQuestionnaire(SOURCE, "par-officials.yaml");
  if (!parsed.ok) throw new Error("example does not load");
  const q = parsed.questionnaire;
  const stored = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: q.id, version: q.version, fileName: "par-officials.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
  if (!stored.ok) throw new Error("not stored");
  const now = Date.now();
  await db.campaigns.create({ id: "c1", name: "PAR 2026", questionnaireVersionPk: stored.record.pk, opensAt: new Date(now - 86_400_000), closesAt: new Date(now + 86_400_000), timeZone: "Asia/Ho_Chi_Minh", identified: false });
  await db.respondents.importRespondents(
    "c1",
    people.map(([externalId, fullName]) => ({ externalId, fullName, unitCode: "STP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false })),
  );
  const ids = new Map((await db.respondents.list("c1")).map((r) => [r.externalId, r.id]));
  await db.channel.access.insertCodes(
    people.map(([externalId], i) => ({ codeHash: hashCode(codes[i]!, new Secret(secret)), campaignId: "c1", respondentId: ids.get(externalId)!, batchId: null, unitCode: null, issuedAt: new Date(now) })),
  );
}
