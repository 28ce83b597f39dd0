// Two instances' session stores on one PostgreSQL database: an account's second update, begun on
// the other instance while the first is being handled, waits for the first to commit and then reads
// what it stored, so neither update's change is lost. (SQLite runs one bot process: no lock.)
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotSession } from "../../src/channels/telegram/index.js";
import { openDatabase, type Database } from "../../src/db/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { createEmptyDatabase, TEST_DATABASE_URL, type EmptyDatabase } from "../support/db.js";

const SOURCE = readFileSync(fileURLToPath(new URL("../../examples/par-officials.yaml", import.meta.url)), "utf8");
const ACCOUNT = "telegram:701";

function session(id: string, units: BotSession["units"]): BotSession {
  return { id, account: ACCOUNT, chatId: 701, campaignId: "c1", codeId: null, respondentId: null, units, stage: "identity", language: "vi" };
}

const settledWithin = async (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

describe.skipIf(!TEST_DATABASE_URL)("per-account lock across instances on PostgreSQL (needs TEST_DATABASE_URL)", () => {
  let empty: EmptyDatabase;
  let a: Database;
  let b: Database;

  beforeAll(async () => {
    empty = await createEmptyDatabase("postgres");
    a = await openDatabase(empty.url);
    b = await openDatabase(empty.url, { migrate: false });
    const parsed = parseQuestionnaire(SOURCE, "par-officials.yaml");
    if (!parsed.ok) throw new Error("example does not load");
    const version = await a.campaigns.storeQuestionnaireVersion({ questionnaireId: parsed.questionnaire.id, version: parsed.questionnaire.version, fileName: "par-officials.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await a.campaigns.create({ id: "c1", name: "c1", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await a.channel.sessions.commit(1, { session: session("s1", []) });
    // Instance a's channel ends its updates (as the Telegram bot does); b's does not (yet).
    await a.channel.sessions.end?.(0);
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await empty?.drop();
  });

  test("the second instance's begin waits for the first's commit and prompt and reads them; both changes are kept", async () => {
    const first = await a.channel.sessions.begin(2, ACCOUNT);
    expect(first.latest?.units).toEqual([]);
    const second = b.channel.sessions.begin(3, ACCOUNT);
    // Held while the first update is being handled.
    expect(await settledWithin(second, 300)).toBe(false);
    await a.channel.sessions.commit(2, { session: session("s1", [...first.latest!.units, { id: "u2", name: "from update 2" }]) });
    // Stored, but still held until the new prompt is recorded: the next update must see it.
    expect(await settledWithin(second, 300)).toBe(false);
    await a.channel.sessions.setPrompt("s1", { messageId: 42, kind: "question", questionId: "q1", unit: "stp" });
    const read = await second;
    expect(read.latest?.prompt?.messageId).toBe(42);
    expect(read.latest?.units).toEqual([{ id: "u2", name: "from update 2" }]);
    await b.channel.sessions.commit(3, { session: session("s1", [...read.latest!.units, { id: "u3", name: "from update 3" }]) });
    expect((await a.channel.sessions.findLatest(ACCOUNT))?.units.map((u) => u.id)).toEqual(["u2", "u3"]);
    // b's channel never ends its updates: its commit released the lock at once.
    expect(await settledWithin(a.channel.sessions.begin(30, ACCOUNT), 5_000)).toBe(true);
    // a's commit without a prompt and without `end` lets the next update in after 2 s.
    await a.channel.sessions.commit(30, { session: session("s1", [{ id: "u2", name: "from update 2" }, { id: "u3", name: "from update 3" }]) });
    const fourth = b.channel.sessions.begin(31, ACCOUNT);
    expect(await settledWithin(fourth, 300)).toBe(false);
    expect(await settledWithin(fourth, 5_000)).toBe(true);
    await b.channel.sessions.markProcessed(31);
  }, 30_000);

  test("a redelivered update, an update marked processed and a failed one (end) release the lock", async () => {
    // Update 2 was committed: begin finds it processed and holds nothing.
    expect((await a.channel.sessions.begin(2, ACCOUNT)).processed).toBe(true);
    expect(await settledWithin(b.channel.sessions.begin(4, ACCOUNT), 5_000)).toBe(true);
    await b.channel.sessions.markProcessed(4);
    await a.channel.sessions.begin(5, ACCOUNT);
    // Update 5 failed before it committed anything: its `end` lets the next one in.
    const next = b.channel.sessions.begin(6, ACCOUNT);
    expect(await settledWithin(next, 300)).toBe(false);
    await a.channel.sessions.end?.(5);
    expect(await settledWithin(next, 5_000)).toBe(true);
    await b.channel.sessions.end?.(6);
    // Another account is never held by this one.
    await a.channel.sessions.begin(7, ACCOUNT);
    expect(await settledWithin(b.channel.sessions.begin(8, "telegram:702"), 5_000)).toBe(true);
    await a.channel.sessions.end?.(7);
    await b.channel.sessions.end?.(8);
  }, 30_000);
});
