import { beforeEach, describe, expect, test } from "vitest";
import { TextConversationHost, extractCode, parseTextCommand, splitMessage } from "../../src/conversation/index.js";
import type { Respondent } from "../../src/demo/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { createMemoryPorts, loadExample } from "../channels/telegram/harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [], language: "en" };
const BINH: Respondent = { id: "r2", name: "Trần Thị Bình", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [], language: "vi" };
const CODE = "ABCDE23456";
const CODE_BINH = "BCDEF34567";

let memory: Awaited<ReturnType<typeof createMemoryPorts>>;
let host: TextConversationHost;
let n = 0;
const send = (text: string | undefined, account = "zalo:u1") => host.handle({ key: `message.text.received:${++n}`, account, chatId: account.slice(5), ...(text !== undefined ? { text } : {}) });

beforeEach(async () => {
  memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN, BINH], codes: { [CODE]: "r1", [CODE_BINH]: "r2" } });
  const { ports, clock } = memory;
  host = new TextConversationHost({ channel: "zalo", codes: ports.codes, campaigns: ports.campaigns, respondents: ports.respondents, sessions: ports.sessions, i18n: createI18n(), now: () => clock.now, defaultLanguage: "vi" });
});

describe("text conversation host", () => {
  test("a greeting asks for the code; help and lang work at the code prompt", async () => {
    expect((await send("xin chào"))[0]).toContain("Xin Ông/Bà gửi mã khảo sát");
    expect((await send("trợ giúp"))[0]).toContain("Các lệnh");
    expect((await send("tro giup"))[0]).toContain("Các lệnh");
    expect((await send("lang"))[0]).toContain("Please send your survey code");
    expect(await memory.sessions.findLatest("zalo:u1")).toBeUndefined();
  });

  test("precise messages for a character codes never use and a code too short", async () => {
    expect((await send("ABCDO-FGHJK"))[0]).toContain("chữ O");
    expect((await send("ABCD"))[0]).toMatch(/10 ký tự.*4/);
  });

  test("code inside a sentence, numbered identity and attestation, answers by number, quit, resume in English with the position", async () => {
    const accepted = await send(`Mã của tôi là ks_${CODE.toLowerCase()} nhé`);
    expect(accepted[0]).toContain("Code accepted");
    expect(accepted[1]).toContain("1. Yes, that is me");
    const attestation = await send("1");
    expect(attestation.join("\n")).toMatch(/1\. I confirm\n {2}2\. I do not confirm/);
    const first = await send("1");
    expect(first.join("\n")).toContain("Question 1 of");
    await send("1");
    const quit = await send("thoát");
    expect(quit[0]).toMatch(/answers are saved.*until 17:00 on 30 November 2026/);
    const back = await send("tiếp tục");
    expect(back[0]).toMatch(/^Welcome back! You stopped at question 2 of \d+/);
    expect(back[1]).toContain("Question 2 of");
    // Vietnamese command words in an English session.
    expect((await send("quay lai")).join("\n")).toContain("Question 1 of");
  });

  test("help at the attestation, on a question and at the review lists the commands in the respondent's language and keeps the place", async () => {
    await send(CODE);
    await send("1");
    expect((await send("trợ giúp"))[0]).toContain("Commands");
    await send("1");
    const onQuestion = await send("help");
    expect(onQuestion[0]).toContain("Commands");
    expect((await memory.sessions.findLatest("zalo:u1"))!.engine!.position.kind).toBe("question");
    await send("xem lại");
    expect((await send("tro giup"))[0]).toContain("Commands");
    expect((await memory.sessions.findLatest("zalo:u1"))!.engine!.position.kind).toBe("review");
  });

  test("respond gives the replies as data: identity, attestation and single-choice prompts with choice ids; handle is their text form", async () => {
    const say = (text: string) => host.respond({ key: `message.text.received:${++n}`, account: "zalo:u9", chatId: "u9", text });
    const accepted = await say(CODE);
    expect(accepted[1]).toMatchObject({ prompt: "identity", choices: [{ id: "identity:yes" }, { id: "identity:no" }] });
    const attestation = (await say("1")).at(-1)!;
    expect(attestation).toMatchObject({ prompt: "attestation", choices: [{ id: "attestation:yes" }, { id: "attestation:no" }], hint: "Please type 1 or 2." });
    const question = (await say("1")).at(-1)!;
    const position = (await memory.sessions.findLatest("zalo:u9"))!.engine!.position;
    expect(position.kind).toBe("question");
    expect(question).toMatchObject({ prompt: "question", freeText: true, questionId: (position as { questionId: string }).questionId, replacesPrompt: true });
    const info = (await loadExample("par-officials.yaml")).byId.get(question.questionId!)!.question;
    expect(info.type).toBe("single");
    expect(question.choices!.map((c) => c.id)).toEqual("options" in info ? info.options.map((o) => `option:${o.id}`) : []);
    expect(question.commands).toContain("back");
  });

  test("a redelivered message changes nothing and gets no reply", async () => {
    await host.handle({ key: "k1", account: "zalo:u2", chatId: "u2", text: CODE });
    expect(await host.handle({ key: "k1", account: "zalo:u2", chatId: "u2", text: CODE })).toEqual([]);
    await host.handle({ key: "k2", account: "zalo:u2", chatId: "u2", text: "1" });
    const before = await memory.sessions.findLatest("zalo:u2");
    expect(await host.handle({ key: "k2", account: "zalo:u2", chatId: "u2", text: "2" })).toEqual([]);
    expect(await memory.sessions.findLatest("zalo:u2")).toEqual(before);
  });

  test("another account presenting a bound code is refused", async () => {
    await send(CODE, "zalo:u1");
    expect((await send(CODE, "telegram:77"))[0]).toContain("tài khoản khác");
  });

  test("every message ends its update, a failed one too, so the account's lock (PostgreSQL) is released at once", async () => {
    const ended: unknown[] = [];
    const { ports, clock } = memory;
    let fail = true;
    // The memory store with a commit that fails while `fail` is set, and `end` recorded.
    const sessions = new Proxy(ports.sessions, {
      get(target, property) {
        if (property === "commit") return async (...args: Parameters<typeof target.commit>) => (fail ? Promise.reject(new Error("database went away")) : target.commit(...args));
        if (property === "end") return async (key: string | number) => void ended.push(key);
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const failing = new TextConversationHost({ channel: "zalo", codes: ports.codes, campaigns: ports.campaigns, respondents: ports.respondents, sessions, i18n: createI18n(), now: () => clock.now, defaultLanguage: "vi" });
    await expect(failing.handle({ key: "f1", account: "zalo:u5", chatId: "u5", text: CODE })).rejects.toThrow("database went away");
    expect(ended).toEqual(["f1"]);
    expect(await memory.sessions.findLatest("zalo:u5")).toBeUndefined();
    fail = false;
    // The retry of the same message is handled (the failed one was not marked processed).
    expect((await failing.handle({ key: "f1", account: "zalo:u5", chatId: "u5", text: CODE }))[1]).toContain("1. Yes, that is me");
    expect((await failing.handle({ key: "f2", account: "zalo:u5", chatId: "u5", text: "xin chào" }))[0]).toBeDefined();
    expect(ended).toEqual(["f1", "f1", "f2"]);
  });

  test("help at a question lists the commands in the respondent's language and keeps the question", async () => {
    await send(CODE);
    await send("1");
    await send("1");
    const help = await send("help");
    expect(help[0]).toContain("Commands");
    expect(help[0]).toMatch(/back/);
    expect((await memory.sessions.findLatest("zalo:u1"))!.engine!.position).toMatchObject({ kind: "question" });
  });

  test("one chat switching language changes no other chat's texts, before or after the switch", async () => {
    // An (English) and Bình (Vietnamese) answer in turns; An switches to Vietnamese and back, Bình to English.
    for (const text of [CODE, "1", "1"]) {
      await send(text, "zalo:u1");
      await send(text === CODE ? CODE_BINH : text, "zalo:u2");
    }
    expect((await send("1", "zalo:u1")).join("\n")).toContain("Question 2 of");
    expect((await send("1", "zalo:u2")).join("\n")).toContain("Câu 2/");
    expect((await send("lang vi", "zalo:u1")).join("\n")).toContain("Câu 2/");
    expect((await send("1", "zalo:u2")).join("\n")).toContain("Câu 3/");
    expect((await send("xyz", "zalo:u2")).join("\n")).not.toMatch(/Please|type/);
    expect((await send("lang en", "zalo:u1")).join("\n")).toContain("Question 2 of");
    expect((await send("1", "zalo:u2")).join("\n")).toContain("Câu 4/");
    expect((await send("ngôn ngữ", "zalo:u2")).join("\n")).toContain("Question 4 of");
    expect((await send("1", "zalo:u1")).join("\n")).toContain("Question 3 of");
    expect((await send("xyz", "zalo:u2")).join("\n")).toMatch(/[Pp]lease/);
  });

  test("an image gets a polite request to type", async () => {
    expect((await send(undefined))[0]).toContain("gõ câu trả lời");
  });
});

describe("text helpers", () => {
  test("command words in both languages, with and without diacritics", () => {
    for (const [text, kind] of [["quay lại", "back"], ["QUAY LAI", "back"], ["xem lại", "review"], ["bỏ qua", "skip"], ["gửi", "submit"], ["trợ giúp", "help"], ["ngôn ngữ", "lang"], ["/back", "back"]] as const) {
      expect(parseTextCommand(text)?.kind, text).toBe(kind);
    }
    expect(parseTextCommand("sửa 3")).toEqual({ kind: "edit", number: 3 });
    expect(parseTextCommand("ngôn ngữ tiếng anh")).toBeUndefined();
    expect(parseTextCommand("lang english")).toEqual({ kind: "lang", language: "en" });
    expect(parseTextCommand("3")).toBeUndefined();
  });

  test("codes in forgiving forms", () => {
    expect(extractCode("abcde-23456")).toBe("abcde-23456");
    expect(extractCode("gửi mã ABCDE 23456 ạ")).toBe("ABCDE 23456");
    expect(extractCode("KS_ABCDE23456")).toBe("KS_ABCDE23456");
    expect(extractCode("xin chào")).toBeUndefined();
    expect(extractCode("ABCD")).toBe("ABCD");
  });

  test("messages split at line boundaries, never inside a word, within the limit", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i}. Đây là một dòng khá dài để thử`);
    const parts = splitMessage(lines.join("\n"), 2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join("\n")).toBe(lines.join("\n"));
    const long = Array.from({ length: 700 }, () => "từ").join(" ");
    const words = splitMessage(long, 100);
    for (const part of words) expect(part.length).toBeLessThanOrEqual(100);
    expect(words.join(" ")).toBe(long);
  });
});
