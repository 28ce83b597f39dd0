import { beforeEach, describe, expect, test } from "vitest";
import { TextConversationHost, extractCode, parseTextCommand, splitMessage } from "../../src/conversation/index.js";
import type { Respondent } from "../../src/demo/index.js";
import { ConsoleRenderer } from "../../src/channels/console/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { createMemoryPorts, loadExample } from "../channels/telegram/harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [], language: "en" };
const CODE = "ABCDE23456";
/** Bình has no language of her own: the channel's default, or what she chose before her code. */
const BINH: Respondent = { id: "r2", name: "Trần Thị Bình", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const CODE_BINH = "BCDEF34567";
const CODE_VI = "FGHJK23456";

let memory: Awaited<ReturnType<typeof createMemoryPorts>>;
let host: TextConversationHost;
let n = 0;
const send = (text: string | undefined, account = "zalo:u1") => host.handle({ key: `message.text.received:${++n}`, account, chatId: account.slice(5), ...(text !== undefined ? { text } : {}) });

beforeEach(async () => {
  memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN, BINH], codes: { [CODE]: "r1", [CODE_BINH]: "r2", [CODE_VI]: "r2" } });
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

  test("lang before the code lasts: later replies, the code's acceptance and the survey are in that language; other accounts keep Vietnamese", async () => {
    expect((await send("lang"))[0]).toContain("Please send your survey code");
    expect((await send("xin chào"))[0]).toContain("Please send your survey code");
    expect((await send("xin chào", "zalo:u5"))[0]).toContain("Xin Ông/Bà gửi mã khảo sát");
    const accepted = await send(CODE_VI);
    expect(accepted[0]).toContain("Code accepted");
    expect((await memory.sessions.findLatest("zalo:u1"))!.language).toBe("en");
    // And back again.
    expect((await send("lang", "zalo:u5"))[0]).toContain("Please send your survey code");
    expect((await send("tiếng việt", "zalo:u5"))[0]).toContain("Please send your survey code");
    expect((await send("lang vi", "zalo:u5"))[0]).toContain("Xin Ông/Bà gửi mã khảo sát");
    expect((await send("xin chào", "zalo:u5"))[0]).toContain("Xin Ông/Bà gửi mã khảo sát");
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
    expect(back[0]).toMatch(/^Welcome back! You stopped at question 2 of (?:at most )?\d+/);
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

describe("after a refused submit", () => {
  const position = async (account = "zalo:u1") => (await memory.sessions.findLatest(account))!.engine!.position;
  /** A Vietnamese respondent who answered questions 1–3 and asked to submit at the review. */
  async function refusedSubmit(): Promise<string> {
    await send(CODE_VI);
    await send("1");
    await send("1");
    for (let i = 0; i < 3; i++) await send("1");
    await send("xem lại");
    return (await send("gửi")).join("\n");
  }

  test("the refusal is one short line naming the unanswered questions as ranges and where it goes", async () => {
    const refused = await refusedSubmit();
    const line = refused.split("\n").find((l) => l.startsWith("Còn "))!;
    expect(line).toBe("Còn 21 câu bắt buộc chưa trả lời (câu 4–19, 21–25). Chuyển tới câu 4.");
    // Only the question now asked is spelled out, not every unanswered one.
    expect(refused).toMatch(/Câu 4\/(?:tối đa )?\d+\n/);
    expect(refused).not.toMatch(/Câu 5\/(?:tối đa )?\d+\n/);
    expect(refused.length).toBeLessThan(800);
  });

  test("back walks to the previous question of the walk, then to the review; numbers at the review still edit", async () => {
    await refusedSubmit();
    await send("1"); // question 4
    await send("1"); // question 5
    expect(await position()).toMatchObject({ kind: "question", questionId: "a3_1" });
    expect((await send("quay lại")).join("\n")).toMatch(/Câu 5\/(?:tối đa )?\d+\n/);
    expect(await position()).toMatchObject({ kind: "question", questionId: "a2_2", mode: "edit" });
    expect((await send("quay lại")).join("\n")).toMatch(/Câu 4\/(?:tối đa )?\d+\n/);
    // Answering again goes on through the walk, to the next question still unanswered (5 is answered).
    expect((await send("2")).join("\n")).toMatch(/Câu 6\/(?:tối đa )?\d+\n/);
    const stored = (await memory.sessions.findLatest("zalo:u1"))!.engine!.responses[0]!.answers;
    expect(stored["a2_1"]?.value).toBe("2");
    expect(stored["a2_2"]?.value).toBe("1");
    expect((await send("quay lại")).join("\n")).toMatch(/Câu 4\/(?:tối đa )?\d+\n/);
    await send("quay lại");
    expect(await position()).toEqual({ kind: "review" });
    expect((await send("5")).join("\n")).toMatch(/Câu 5\/(?:tối đa )?\d+\n/);
    await send("quay lại");
    expect(await position()).toEqual({ kind: "review" });
  });

  test("`tiếp tục` at the review with questions unanswered names them and goes to the first (no welcome back: the respondent never left)", async () => {
    await refusedSubmit();
    await send("1"); // question 4
    await send("quay lại");
    await send("quay lại");
    expect(await position()).toEqual({ kind: "review" });
    const resumed = await send("tiếp tục");
    expect(resumed[0]).toMatch(/^Còn 20 câu bắt buộc chưa trả lời \(câu 5[–\d, ]*\)\. Chuyển tới câu 5\.\n/);
    expect(resumed.join("\n")).not.toContain("trả lời hết");
    expect(resumed.join("\n")).not.toContain("quay lại!");
    expect(await position()).toMatchObject({ kind: "question", questionId: "a2_2", mode: "edit" });
    // Nothing was submitted on the way.
    expect((await memory.sessions.findLatest("zalo:u1"))!.engine!.responses[0]!.submittedAt).toBeUndefined();
  });
});

describe("typing an option's own wording", () => {
  test("labels without diacritics, \"2.\", \"số 3\"; several numbers on a single choice; edit out of range gives the range; the pause says 'đến hết ngày'", async () => {
    await send(CODE_VI);
    expect((await send("dung")).join("\n")).toContain("Tôi xác nhận");
    const first = (await send("toi xac nhan")).join("\n");
    expect(first).toMatch(/Câu 1\/(?:tối đa )?\d+\n/);
    expect((await send("Đồng ý")).join("\n")).toMatch(/Câu 2\/(?:tối đa )?\d+\n/);
    expect((await send("2.")).join("\n")).toMatch(/Câu 3\/(?:tối đa )?\d+\n/);
    expect((await send("so 3")).join("\n")).toMatch(/Câu 4\/(?:tối đa )?\d+\n/);
    expect(await send("2,3")).toEqual([expect.stringContaining("Câu này chỉ chọn một phương án.")]);
    expect((await send("hoan toan dong y")).join("\n")).toMatch(/Câu 5\/(?:tối đa )?\d+\n/);
    const answers = (await memory.sessions.findLatest("zalo:u1"))!.engine!.responses[0]!.answers;
    expect(Object.fromEntries(Object.entries(answers).map(([id, a]) => [id, a.value]))).toEqual({ a1_1: "2", a1_2: "2", a1_3: "3", a2_1: "1" });
    expect((await send("bỏ qua"))[0]).toContain("Xin Ông/Bà trả lời câu hỏi này");
    await send("xem lại");
    expect((await send("sửa 99"))[0]).toMatch(/Không có câu số 99.*từ 1 đến \d+\./);
    expect((await send("thoát"))[0]).toMatch(/tiếp tục đến (hết ngày|\d\d:\d\d ngày) \d\d\/\d\d\/\d{4}/);
  });

  test("errors fit the question: an integer's example is a whole number; a required scale with 'cannot judge' names na when skipped", async () => {
    const q = await loadExample("par-officials.yaml");
    const r = new ConsoleRenderer({ questionnaire: q, i18n: createI18n({ language: "vi" }), language: "vi" });
    expect(r.validationMessage("a5_4", "not_a_number", { value: "abc" })).toBe("Câu trả lời cần là một số nguyên, ví dụ 12.");
    expect(r.validationMessage("a8_4", "out_of_range", { value: "11" })).toMatch(/hoặc gõ na nếu Ông\/Bà không đánh giá được\.$/);
    expect(r.render([{ type: "input_rejected", input: "skip", reason: "required", questionId: "a8_4" }])).toEqual(["Đây là câu hỏi bắt buộc nên không thể bỏ qua. Nếu Ông/Bà không đánh giá được, xin gõ na."]);
  });

  test("the identity's own 'not me' wording declines", async () => {
    await send(CODE_VI);
    const reply = (await send("khong phai toi")).join("\n");
    expect(reply).not.toContain("Xin gõ 1 hoặc 2");
    expect(reply).not.toContain("Tôi xác nhận");
    expect((await memory.sessions.findLatest("zalo:u1"))?.stage ?? "detached").not.toBe("survey");
  });
});

describe("text helpers", () => {
  test("command words in both languages, with and without diacritics", () => {
    for (const [text, kind] of [["quay lại", "back"], ["QUAY LAI", "back"], ["xem lại", "review"], ["bỏ qua", "skip"], ["gửi", "submit"], ["trợ giúp", "help"], ["ngôn ngữ", "lang"], ["/back", "back"]] as const) {
      expect(parseTextCommand(text)?.kind, text).toBe(kind);
    }
    expect(parseTextCommand("sửa 3")).toEqual({ kind: "edit", number: 3 });
    expect(parseTextCommand("ngôn ngữ tiếng anh")).toEqual({ kind: "lang", language: "en" });
    expect(parseTextCommand("Ngôn ngữ Tiếng Việt")).toEqual({ kind: "lang", language: "vi" });
    // An answer that merely starts with the word stays an answer.
    expect(parseTextCommand("ngôn ngữ dễ hiểu")).toBeUndefined();
    expect(parseTextCommand("lang english")).toEqual({ kind: "lang", language: "en" });
    expect(parseTextCommand("3")).toBeUndefined();
  });

  test("codes in forgiving forms", () => {
    expect(extractCode("abcde-23456")).toBe("abcde-23456");
    expect(extractCode("gửi mã ABCDE 23456 ạ")).toBe("ABCDE 23456");
    expect(extractCode("KS_ABCDE23456")).toBe("KS_ABCDE23456");
    expect(extractCode("xin chào")).toBeUndefined();
    expect(extractCode("ABCD")).toBe("ABCD");
    // A link's prefix is not counted in a too-short code.
    expect(extractCode("KS_ABCDE")).toBe("ABCDE");
  });

  test("messages split at line boundaries, never inside a word, within the limit", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i}. Đây là một dòng khá dài để thử`);
    const parts = splitMessage(lines.join("\n"), 2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join("\n")).toBe(lines.join("\n"));
    // One very long line (a long refusal or broadcast on Zalo): cut only between words.
    const line = Array.from({ length: 900 }, (_, i) => (i % 7 === 0 ? "Nguyễn" : "chưa-trả-lời")).join(" ");
    const cut = splitMessage(line, 2000);
    expect(cut.length).toBeGreaterThan(1);
    for (const part of cut) expect(part.length).toBeLessThanOrEqual(2000);
    for (const part of cut) expect(part).toMatch(/^\S.*\S$/s);
    expect(cut.join(" ")).toBe(line);
    const long = Array.from({ length: 700 }, () => "từ").join(" ");
    const words = splitMessage(long, 100);
    for (const part of words) expect(part.length).toBeLessThanOrEqual(100);
    expect(words.join(" ")).toBe(long);
  });
});
