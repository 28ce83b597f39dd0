import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, test } from "vitest";
import type { BotSession, SessionWrite } from "../../src/channels/telegram/ports.js";
import { sqliteConnectionOf } from "../../src/db/client.js";
import { groupCommitOf } from "../../src/db/group-commit.js";
import { botSessionStore } from "../../src/db/sessions.js";
import { SubmittedResponseError } from "../../src/db/index.js";
import { startSurvey, step, type EngineInput, type StepResult, type SurveyState } from "../../src/engine/index.js";
import { parseQuestionnaire, type Questionnaire } from "../../src/questionnaire/index.js";
import { describeDatabases, type DatabaseContext } from "../support/db.js";

const FIXTURE = fileURLToPath(new URL("../channels/console/fixtures/preview.yaml", import.meta.url));
const SOURCE = readFileSync(FIXTURE, "utf8");
const parsed = parseQuestionnaire(SOURCE, "preview.yaml");
if (!parsed.ok) throw new Error("fixture does not load");
const Q: Questionnaire = parsed.questionnaire;
const T0 = "2026-12-01T02:00:00.000Z";
const at = (minute: number) => new Date(Date.parse(T0) + minute * 60_000).toISOString();

/** A campaign with one respondent (own unit SO_TP) in the test database; returns the respondent id. */
async function seed(ctx: DatabaseContext, campaignId: string, externalId: string): Promise<string> {
  const db = ctx.db();
  const stored = await db.campaigns.storeQuestionnaireVersion({
    questionnaireId: Q.id,
    version: Q.version,
    fileName: "preview.yaml",
    source: SOURCE,
    sourceHash: createHash("sha256").update(SOURCE).digest("hex"),
  });
  if (!stored.ok) throw new Error("questionnaire not stored");
  if (!(await db.campaigns.get(campaignId))) {
    await db.campaigns.create({
      id: campaignId,
      name: campaignId,
      questionnaireVersionPk: stored.record.pk,
      opensAt: new Date("2026-11-01T00:00:00Z"),
      closesAt: new Date("2027-01-01T00:00:00Z"),
      timeZone: "Asia/Ho_Chi_Minh",
      identified: false,
    });
  }
  await db.respondents.importRespondents(campaignId, [
    { externalId, fullName: "Nguyễn Văn An", unitCode: "SO_TP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
  ]);
  const respondent = await db.respondents.getByExternalId(campaignId, externalId);
  return respondent!.id;
}

describeDatabases("BotSessionStore over Prisma", (ctx) => {
  let respondentId = "";
  let session: BotSession;
  let state: SurveyState;
  const store = () => ctx.db().channel.sessions;
  const rows = () => ctx.prisma();

  beforeAll(async () => {
    respondentId = await seed(ctx, "c1", "R1");
    session = {
      id: store().newId(),
      account: "telegram:42",
      chatId: 42,
      campaignId: "c1",
      codeId: null,
      respondentId,
      units: [{ id: "SO_TP", name: "Sở Tư pháp" }],
      stage: "identity",
      language: "vi",
    };
  });

  /** Steps the engine and commits the result under `updateId`. */
  async function answer(updateId: number, input: EngineInput, minute: number): Promise<StepResult> {
    const result = step(Q, state, input, { now: at(minute) });
    expect(result.events.some((e) => e.type === "input_rejected" || e.type === "validation_failed")).toBe(false);
    session = { ...session, engine: result.state };
    expect(await store().commit(updateId, { session, step: result })).toBe("stored");
    state = result.state;
    return result;
  }

  async function answers(responseId: string) {
    return (await rows().answer.findMany({ where: { responseId }, orderBy: { questionId: "asc" } })).map((a) => ({
      questionId: a.questionId,
      value: JSON.parse(a.value) as unknown,
      answeredAt: a.answeredAt.toISOString(),
      changedCount: a.changedCount,
    }));
  }

  test("the directories read the campaign's questionnaire, the respondent and unit names", async () => {
    const campaign = await ctx.db().channel.campaigns.find("c1");
    expect(campaign?.questionnaire.id).toBe("console-preview");
    expect(campaign?.questionnaire.version).toBe(2);
    expect(campaign?.closesAt.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(campaign?.timeZone).toBe("Asia/Ho_Chi_Minh");
    expect(campaign?.opensAt.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(campaign?.closedAt).toBeNull();
    expect(campaign?.identified).toBe(false);
    // Read again after an organiser changed it: nothing of the row is kept between reads.
    await ctx.prisma().campaign.update({ where: { id: "c1" }, data: { identified: true, closedAt: new Date("2026-12-24T10:00:00Z") } });
    expect(await ctx.db().channel.campaigns.find("c1")).toMatchObject({ identified: true, closedAt: new Date("2026-12-24T10:00:00Z") });
    await ctx.prisma().campaign.update({ where: { id: "c1" }, data: { identified: false, closedAt: null } });
    expect(await ctx.db().channel.campaigns.find("nope")).toBeUndefined();
    expect(await ctx.db().channel.respondents.find(respondentId)).toEqual({
      id: respondentId,
      name: "Nguyễn Văn An",
      unit: { id: "SO_TP", name: "Sở Tư pháp" },
      subjectUnits: [{ id: "SO_TP", name: "Sở Tư pháp" }],
      language: "vi",
    });
    expect(await ctx.db().channel.respondents.unitName("c1", "SO_TP")).toBe("Sở Tư pháp");
    expect(await ctx.db().channel.respondents.unitName("c1", "SO_XX")).toBeUndefined();
  });

  test("an identity-stage commit stores the session and the update id; a redelivery writes nothing", async () => {
    expect(await store().isProcessed(1)).toBe(false);
    expect(await store().commit(1, { session })).toBe("stored");
    expect(await store().isProcessed(1)).toBe(true);
    const changed: BotSession = { ...session, language: "en" };
    expect(await store().commit(1, { session: changed })).toBe("duplicate");
    const stored = await rows().session.findMany({ where: { account: "telegram:42" } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: session.id, campaignId: "c1", channel: "telegram", chatId: "42", respondentId, language: "vi", responseId: null });
    expect(JSON.parse(stored[0]!.state)).toEqual(session);
    expect(await rows().processedUpdate.count()).toBe(1);
    expect(await store().findLatest("telegram:42")).toEqual(session);
    expect(await store().findFor("telegram:42", "c1", respondentId, null)).toEqual(session);
    expect(await store().findFor("telegram:42", "c2", respondentId, null)).toBeUndefined();
    expect(await store().findLatest("telegram:43")).toBeUndefined();
  });

  test("identity confirmed and attestation accepted: a response with started, identity and attestation times", async () => {
    const started = startSurvey(Q, { units: ["SO_TP"], language: "vi", now: at(1) });
    session = { ...session, stage: "survey", identityConfirmedAt: at(1), engine: started.state };
    expect(await store().commit(2, { session, step: started })).toBe("stored");
    state = started.state;
    // The attestation is pending: no response yet.
    expect(await rows().response.count({ where: { campaignId: "c1" } })).toBe(0);
    await answer(3, { type: "accept_attestation" }, 2);
    const response = await rows().response.findFirstOrThrow({ where: { campaignId: "c1" } });
    expect(response).toMatchObject({
      id: `${session.id}:SO_TP`,
      respondentId,
      source: "telegram",
      subjectUnit: "SO_TP",
      groupId: "leaders",
      language: "vi",
      status: "in_progress",
      account: "telegram:42",
      submittedAt: null,
    });
    expect(response.startedAt?.toISOString()).toBe(at(2));
    expect(response.identityConfirmedAt?.toISOString()).toBe(at(1));
    expect(response.attestedAt?.toISOString()).toBe(at(2));
    expect((await rows().session.findUniqueOrThrow({ where: { id: session.id } })).responseId).toBe(response.id);
  });

  test("each answer is a row per response and question; a redelivered update with another answer changes nothing", async () => {
    await answer(4, { type: "choose", questionId: "q1", choice: { kind: "option", optionId: "yes" } }, 3);
    const redelivered = step(Q, state, { type: "choose", questionId: "q1", choice: { kind: "option", optionId: "no" } }, { now: at(4) });
    const write: SessionWrite = { session: { ...session, engine: redelivered.state }, step: redelivered };
    expect(await store().commit(4, write)).toBe("duplicate");
    const id = `${session.id}:SO_TP`;
    expect(await answers(id)).toEqual([{ questionId: "q1", value: "yes", answeredAt: at(3), changedCount: 0 }]);
    expect((await store().findLatest("telegram:42"))?.engine).toEqual(state);
  });

  test("answers through the review, an edit that hides a question, and the submission", async () => {
    await answer(5, { type: "choose", questionId: "q2", choice: { kind: "options", optionIds: ["a", "c"] } }, 4);
    await answer(6, { type: "choose", questionId: "q3", choice: { kind: "scale", value: 4 } }, 5);
    await answer(7, { type: "answer", questionId: "q4", text: "12" }, 6);
    await answer(8, { type: "answer", questionId: "q5", text: "Tốt" }, 7);
    const id = `${session.id}:SO_TP`;
    expect((await answers(id)).map((a) => [a.questionId, a.value])).toEqual([
      ["q1", "yes"],
      ["q2", ["a", "c"]],
      ["q3", 4],
      ["q4", 12],
      ["q5", "Tốt"],
    ]);
    await answer(9, { type: "edit", questionId: "q1" }, 8);
    await answer(10, { type: "choose", questionId: "q1", choice: { kind: "option", optionId: "no" } }, 9);
    // q2's condition no longer holds: its answer is gone; q1 counts one change.
    expect(await answers(id)).toEqual([
      { questionId: "q1", value: "no", answeredAt: at(9), changedCount: 1 },
      { questionId: "q3", value: 4, answeredAt: at(5), changedCount: 0 },
      { questionId: "q4", value: 12, answeredAt: at(6), changedCount: 0 },
      { questionId: "q5", value: "Tốt", answeredAt: at(7), changedCount: 0 },
    ]);
    expect(state.position.kind).toBe("review");
    await answer(11, { type: "submit" }, 10);
    const response = await rows().response.findUniqueOrThrow({ where: { id } });
    expect(response.status).toBe("submitted");
    expect(response.submittedAt?.toISOString()).toBe(at(10));
    expect(response.account).toBe("telegram:42");
    expect(await answers(id)).toHaveLength(4);
  });

  test("a submitted response is immutable: a commit changing it fails and leaves no trace, not even its update id", async () => {
    const id = `${session.id}:SO_TP`;
    const forged: StepResult = {
      state: { ...state, responses: state.responses.map((r) => ({ ...r, answers: { ...r.answers, q3: { value: 1, answeredAt: at(20), changeCount: 1 } } })) },
      events: [{ type: "answer_recorded", questionId: "q3", unit: "SO_TP", value: 1, previous: 4, changed: true, changeCount: 1, at: at(20) }],
    };
    await expect(store().commit(12, { session: { ...session, engine: forged.state }, step: forged })).rejects.toBeInstanceOf(SubmittedResponseError);
    expect(await store().isProcessed(12)).toBe(false);
    expect((await answers(id)).find((a) => a.questionId === "q3")).toEqual({ questionId: "q3", value: 4, answeredAt: at(5), changedCount: 0 });
    expect((await store().findLatest("telegram:42"))?.engine).toEqual(state);
  });

  test("a refused commit arriving together with another chat's commit fails alone: the other is stored (on SQLite, in the same group)", async () => {
    const otherId = await seed(ctx, "c1", "R4");
    const other: BotSession = { ...session, id: store().newId(), account: "telegram:60", chatId: 60, respondentId: otherId, stage: "identity", engine: undefined };
    const forged: StepResult = {
      state: { ...state, responses: state.responses.map((r) => ({ ...r, answers: { ...r.answers, q4: { value: 99, answeredAt: at(21), changeCount: 1 } } })) },
      events: [{ type: "answer_recorded", questionId: "q4", unit: "SO_TP", value: 99, previous: 12, changed: true, changeCount: 1, at: at(21) }],
    };
    const connection = sqliteConnectionOf(ctx.prisma());
    const before = connection ? { ...groupCommitOf(connection).stats } : undefined;
    // A store on the raw client, whose connection's group is looked at.
    const raw = botSessionStore(ctx.prisma());
    const [refused, stored] = await Promise.allSettled([raw.commit(13, { session: { ...session, engine: forged.state }, step: forged }), raw.commit(14, { session: other })]);
    expect(refused.status === "rejected" && refused.reason).toBeInstanceOf(SubmittedResponseError);
    expect(stored).toEqual({ status: "fulfilled", value: "stored" });
    expect(await store().isProcessed(13)).toBe(false);
    expect(await store().isProcessed(14)).toBe(true);
    expect((await store().findLatest("telegram:60"))?.id).toBe(other.id);
    expect((await answers(`${session.id}:SO_TP`)).find((a) => a.questionId === "q4")?.value).toBe(12);
    if (connection && before) expect(groupCommitOf(connection).stats).toMatchObject({ groups: before.groups + 1, works: before.works + 2 });
  });

  // On PostgreSQL from two clients (two bot instances); on SQLite from one client, since a process
  // holds one connection there (better-sqlite3 waits for a lock synchronously, blocking its own holder).
  test("two concurrent commits of the same update id: exactly one is stored", async () => {
    const other = ctx.provider === "postgres" ? botSessionStore(ctx.prisma()) : store();
    const a: BotSession = { ...session, language: "en" };
    const b: BotSession = { ...session, language: "vi" };
    const results = await Promise.all([store().commit(100, { session: a }), other.commit(100, { session: b })]);
    expect([...results].sort()).toEqual(["duplicate", "stored"]);
    expect(await rows().processedUpdate.count({ where: { updateId: 100n } })).toBe(1);
    const language = (await rows().session.findUniqueOrThrow({ where: { id: session.id } })).language;
    expect(language).toBe(results[0] === "stored" ? "en" : "vi");
    // Many at once on the same client too.
    const many = await Promise.all(Array.from({ length: 8 }, () => store().commit(101, { session })));
    expect(many.filter((r) => r === "stored")).toHaveLength(1);
  });

  test("setPrompt records the live keyboard without touching anything else", async () => {
    const stored = await rows().session.findUniqueOrThrow({ where: { id: session.id } });
    await store().setPrompt(session.id, { messageId: 77, kind: "review" });
    expect((await store().findLatest("telegram:42"))?.prompt).toEqual({ messageId: 77, kind: "review" });
    // Every read of the session sees it: the update's first read, and the lookups by campaign and by respondent.
    expect((await store().begin(900_100, "telegram:42")).latest?.prompt).toEqual({ messageId: 77, kind: "review" });
    await store().end?.(900_100);
    expect((await store().findInCampaign("telegram:42", "c1"))?.prompt).toEqual({ messageId: 77, kind: "review" });
    expect((await store().findFor("telegram:42", "c1", respondentId, null))?.prompt).toEqual({ messageId: 77, kind: "review" });
    // A small row of its own: the session's row (its state of every answer) is not written again.
    expect(await rows().session.findUniqueOrThrow({ where: { id: session.id } })).toEqual(stored);
    expect(await rows().sessionPrompt.findUniqueOrThrow({ where: { sessionId: session.id } })).toEqual({ sessionId: session.id, prompt: JSON.stringify({ messageId: 77, kind: "review" }) });
    await store().setPrompt(session.id, { messageId: 78, kind: "question", questionId: "q1", unit: "SO_TP" });
    expect((await store().findLatest("telegram:42"))?.prompt).toEqual({ messageId: 78, kind: "question", questionId: "q1", unit: "SO_TP" });
    await store().setPrompt(session.id, undefined);
    const latest = await store().findLatest("telegram:42");
    expect(latest?.prompt).toBeUndefined();
    expect(latest?.engine).toEqual(state);
    // A session that is gone (a citizen's, forgotten once submitted) gets no prompt row, and no error.
    await store().setPrompt("unknown", { messageId: 1, kind: "review" });
    expect(await rows().sessionPrompt.count({ where: { sessionId: "unknown" } })).toBe(0);
  });

  test("a session stored before prompts had a row of their own keeps the prompt in its state until one is set; a deleted session takes its row along", async () => {
    const legacyId = await seed(ctx, "c1", "R9");
    const legacy: BotSession = { ...session, id: store().newId(), account: "telegram:77", chatId: 77, respondentId: legacyId, prompt: { messageId: 5, kind: "identity" } };
    expect(await store().commit(900_200, { session: legacy })).toBe("stored");
    expect(await rows().sessionPrompt.count({ where: { sessionId: legacy.id } })).toBe(0);
    expect((await store().findLatest("telegram:77"))?.prompt).toEqual({ messageId: 5, kind: "identity" });
    // Once set, the row wins over the state's copy, also when it says there is none.
    await store().setPrompt(legacy.id, undefined);
    expect((await store().findLatest("telegram:77"))?.prompt).toBeUndefined();
    expect((await store().begin(900_201, "telegram:77")).latest?.prompt).toBeUndefined();
    await store().end?.(900_201);
    await store().setPrompt(legacy.id, { messageId: 6, kind: "attestation" });
    // A later commit of the session (its state still holding the old copy) does not bring the old prompt back.
    expect(await store().commit(900_202, { session: { ...legacy, language: "en" } })).toBe("stored");
    expect(await store().findLatest("telegram:77")).toMatchObject({ language: "en", prompt: { messageId: 6, kind: "attestation" } });
    await rows().session.delete({ where: { id: legacy.id } });
    expect(await rows().sessionPrompt.count({ where: { sessionId: legacy.id } })).toBe(0);
  });

  test("a declined attestation is a declined response; a declined identity an audit event", async () => {
    const declinerId = await seed(ctx, "c1", "R2");
    let other: BotSession = { ...session, id: store().newId(), account: "telegram:50", chatId: 50, respondentId: declinerId, stage: "survey", identityConfirmedAt: at(30) };
    const { prompt: _prompt, ...base } = other;
    other = base;
    const started = startSurvey(Q, { units: ["SO_TP"], language: "vi", now: at(30) });
    expect(await store().commit(200, { session: { ...other, engine: started.state }, step: started })).toBe("stored");
    const declined = step(Q, started.state, { type: "decline_attestation" }, { now: at(31) });
    expect(await store().commit(201, { session: { ...other, stage: "declined", engine: declined.state }, step: declined })).toBe("stored");
    const response = await rows().response.findFirstOrThrow({ where: { respondentId: declinerId } });
    expect(response.status).toBe("declined");
    expect(response.declinedAt?.toISOString()).toBe(at(31));
    expect(response.attestedAt).toBeNull();

    const thirdId = await seed(ctx, "c1", "R3");
    const third: BotSession = { ...base, id: store().newId(), account: "telegram:51", chatId: 51, respondentId: thirdId, stage: "identity" };
    expect(await store().commit(202, { session: third })).toBe("stored");
    expect(await store().commit(203, { session: { ...third, stage: "declined", identityDeclinedAt: at(32) } })).toBe("stored");
    expect(await store().commit(204, { session: { ...third, stage: "declined", identityDeclinedAt: at(32) } })).toBe("stored");
    const events = await rows().auditEvent.findMany({ where: { kind: "session.identity_declined" } });
    expect(events.map((e) => [e.actor, e.at.toISOString(), JSON.parse(e.data)])).toEqual([["telegram:51", at(32), { sessionId: third.id, respondentId: thirdId }]]);
    expect(await rows().response.count({ where: { respondentId: thirdId } })).toBe(0);
    // Participation sees the declined attestation.
    const facts = await ctx.db().participation.facts("c1");
    expect(facts.find((f) => f.respondentId === declinerId)).toMatchObject({ declined: true, attested: false });
    expect(facts.find((f) => f.respondentId === respondentId)).toMatchObject({ attested: true, submittedResponses: 1 });
  });
  test("markProcessed records an update that stored nothing, once; begin and commit then treat it as processed", async () => {
    await store().markProcessed(900_005);
    await store().markProcessed(900_005);
    expect(await rows().processedUpdate.count({ where: { updateId: 900_005n } })).toBe(1);
    expect((await store().begin(900_005, "telegram:42")).processed).toBe(true);
    expect((await store().begin(900_006, "telegram:42")).processed).toBe(false);
    const before = await rows().session.count();
    expect(await store().commit(900_005, { session: { ...session, language: "en" } })).toBe("duplicate");
    expect(await rows().session.count()).toBe(before);
  });
});

describeDatabases("console SurveySessionStore over Prisma", (ctx) => {
  test("steps are stored as rows; load and responses read them back; other questionnaire versions do not load", async () => {
    const respondentId = await seed(ctx, "demo", "D1");
    const store = ctx.db().channel.surveySessions({ campaignId: "demo", account: "console:demo" });
    expect(await store.load(respondentId, Q)).toBeUndefined();
    expect(await store.responses(respondentId)).toEqual([]);
    let result = startSurvey(Q, { units: ["SO_TP"], language: "vi", now: at(0) });
    await store.save(respondentId, result);
    for (const input of [
      { type: "accept_attestation" },
      { type: "choose", questionId: "q1", choice: { kind: "option", optionId: "no" } },
      { type: "choose", questionId: "q3", choice: { kind: "scale", value: "na" } },
      { type: "answer", questionId: "q4", text: "3" },
      { type: "skip", questionId: "q5" },
      { type: "submit" },
    ] satisfies EngineInput[]) {
      result = step(Q, result.state, input, { now: at(1) });
      await store.save(respondentId, result);
    }
    expect(await store.load(respondentId, Q)).toEqual(result.state);
    expect(await store.load(respondentId, { id: Q.id, version: 3 })).toBeUndefined();
    expect(await store.responses(respondentId)).toEqual(result.state.responses);
    const sessions = await ctx.prisma().session.findMany({ where: { respondentId } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ channel: "console", account: "console:demo", campaignId: "demo" });
    const response = await ctx.prisma().response.findFirstOrThrow({ where: { respondentId }, include: { answers: { orderBy: { questionId: "asc" } } } });
    expect(response).toMatchObject({ source: "console", status: "submitted", subjectUnit: "SO_TP", groupId: "leaders", account: "console:demo" });
    expect(response.answers.map((a) => [a.questionId, a.value])).toEqual([
      ["q1", '"no"'],
      ["q3", '"na"'],
      ["q4", "3"],
    ]);
  });
});
