// What a respondent reads on the text channels (Zalo, the console demo) for four newcomer findings:
// the question counter, help, edit N mid-survey, and typed answers that must match what is shown.
import { beforeEach, describe, expect, test } from "vitest";
import { TextConversationHost } from "../../src/conversation/index.js";
import type { Respondent } from "../../src/demo/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { createMemoryPorts, loadExample } from "../channels/telegram/harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [] };
const CODE = "ABCDE23456";

let memory: Awaited<ReturnType<typeof createMemoryPorts>>;
let host: TextConversationHost;
let n = 0;
const send = async (text: string) => (await host.handle({ key: `message.text.received:${++n}`, account: "zalo:u1", chatId: "u1", text })).join("\n");
const session = () => memory.sessions.findLatest("zalo:u1");
const answers = async () => (await session())!.engine!.responses[0]!.answers;
const position = async () => (await session())!.engine!.position;

/** Every counter in a text: [number, total, exact]. */
function counters(text: string): Array<[number, number, boolean]> {
  return [...text.matchAll(/Câu (\d+)\/(tối đa )?(\d+)/g)].map((m) => [Number(m[1]), Number(m[3]), m[2] === undefined]);
}

beforeEach(async () => {
  memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { [CODE]: "r1" } });
  const { ports, clock } = memory;
  host = new TextConversationHost({ channel: "zalo", codes: ports.codes, campaigns: ports.campaigns, respondents: ports.respondents, sessions: ports.sessions, i18n: createI18n(), now: () => clock.now, defaultLanguage: "vi" });
  n = 0;
});

/** Code, identity, attestation: the first question's text. */
async function begin(): Promise<string> {
  await send(CODE);
  await send("1");
  return send("1");
}

describe("the question counter", () => {
  test("counts the questions that can still be shown: 'of at most' while a condition ahead is undecided, never growing, exact at the end", async () => {
    const seen: Array<[number, number, boolean]> = [];
    seen.push(...counters(await begin()));
    // "2" to everything: a5_4 (trainings) = 2 shows a5_5; a7_1 = 2 ("no") hides a7_2 and a7_3;
    // a7_4 (tools) = 2 (digital signature) shows a7_5.
    for (let i = 0; i < 40 && (await position()).kind === "question"; i++) seen.push(...counters(await send("2")));
    expect((await position()).kind).toBe("review");
    // PAR has 26 unconditional questions and 4 conditional ones: at most 30 to begin with.
    expect(seen[0]).toEqual([1, 30, false]);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]![0]).toBe(seen[i - 1]![0] + 1);
      expect(seen[i]![1]).toBeLessThanOrEqual(seen[i - 1]![1]);
    }
    // The last question's counter is exact and reads N/N: the count announced was kept.
    const last = seen.at(-1)!;
    expect(last).toEqual([last[1], last[1], true]);
    expect(last[1]).toBe(Object.keys(await answers()).length);
  });

  test("welcome back names the same counter", async () => {
    await begin();
    await send("1");
    const back = await send("tiếp tục");
    expect(back).toContain("Ông/Bà đã dừng ở câu 2/tối đa 30;");
    expect(back).toContain("Câu 2/tối đa 30\n");
  });
});

describe("the review's progress", () => {
  test("mid-survey it names the counter's total ('of at most'), in vi and en; at the end it is exact and agrees with the last counter", async () => {
    await begin();
    await send("1");
    expect(counters(await send("1"))).toEqual([[3, 30, false]]);
    // Was "Đã trả lời 2/26 câu.": the total counted only the questions shown so far.
    const review = await send("xem lại");
    expect(review).toContain("\nĐã trả lời 2/tối đa 30 câu.\n");
    expect(review).not.toContain("2/26");
    // Back where the review was entered from: the same total.
    expect(counters(await send("quay lại"))).toEqual([[3, 30, false]]);
    await send("lang en");
    expect(await send("review")).toContain("\n2 of at most 30 questions answered.\n");
    await send("back");
    await send("lang vi");
    const seen: Array<[number, number, boolean]> = [];
    for (let i = 0; i < 40 && (await position()).kind === "question"; i++) seen.push(...counters(await send("2")));
    expect((await position()).kind).toBe("review");
    const last = seen.at(-1)!;
    expect(last[2]).toBe(true);
    const end = await send("xem lại");
    expect(end).toContain(`\nĐã trả lời ${last[1]}/${last[1]} câu.\n`);
    expect(end).not.toContain("tối đa");
  });
});

describe("the review entered from a gate question", () => {
  test("says the total that question said: the gate is still to be answered (the review's back returns to it)", async () => {
    await begin();
    // a1_1 … a5_3 (14 questions): a5_4 (trainings) decides whether a5_5 is asked.
    for (let i = 0; i < 14; i++) await send("1");
    expect(await position()).toMatchObject({ questionId: "a5_4" });
    const review = await send("xem lại");
    expect(review).toContain("\nĐã trả lời 14/tối đa 30 câu.\n");
    expect(counters(await send("quay lại"))).toEqual([[15, 30, false]]);
  });
});

describe("help", () => {
  test("after the help, the question the respondent was on again; nothing stored changes", async () => {
    await begin();
    await send("1");
    const before = await session();
    const reply = await send("trợ giúp");
    const help = reply.indexOf("Các lệnh Ông/Bà có thể gõ");
    const question = reply.indexOf("Câu 2/tối đa 30\nNgười đứng đầu cơ quan, đơn vị trực tiếp chỉ đạo");
    expect(help).toBeGreaterThanOrEqual(0);
    expect(question).toBeGreaterThan(help);
    expect(reply).toContain("  5. Không đánh giá được");
    const after = await session();
    expect(after!.engine!.position).toEqual(before!.engine!.position);
    expect(after!.engine!.responses).toEqual(before!.engine!.responses);
    // The answer that follows goes to that question.
    expect(await send("2")).toContain("Câu 3/");
    expect((await answers())["a1_2"]?.value).toBe("2");
  });

  test("at the attestation and at the review, the help is followed by that prompt", async () => {
    await send(CODE);
    await send("1");
    const attestation = await send("help");
    expect(attestation).toMatch(/Các lệnh[\s\S]*Tôi xác nhận là người được mời[\s\S]*1\. Tôi xác nhận/);
    await send("1");
    await send("xem lại");
    expect(await send("giúp")).toMatch(/Các lệnh[\s\S]*Xem lại các câu trả lời[\s\S]* {2}1\. /);
  });
});

describe("edit N mid-questionnaire", () => {
  test("changes an answered question, then returns to the question the respondent was on", async () => {
    await begin();
    for (const answer of ["1", "2", "3"]) await send(answer);
    expect(await position()).toMatchObject({ questionId: "a2_1", mode: "flow" });
    const opened = await send("sửa 2");
    expect(opened).toContain("Sửa câu 2: trả lời xong, Ông/Bà sẽ quay lại câu 4.");
    expect(opened).toContain("Câu 2/tối đa 30\nNgười đứng đầu cơ quan");
    expect(opened).toContain("Câu trả lời hiện tại: Đồng ý");
    expect(opened).not.toContain("Xem lại các câu trả lời");
    const back = await send("4");
    expect(back).toMatch(/^(── .* ──\n)?Câu 4\/tối đa 30\nVăn bản quy phạm pháp luật/);
    expect((await answers())["a1_2"]).toMatchObject({ value: "4", changeCount: 1 });
    expect(await position()).toMatchObject({ kind: "question", questionId: "a2_1", mode: "flow" });
    // The flow goes on from there, and back still walks the flow.
    expect(await send("1")).toContain("Câu 5/");
    expect(await send("quay lại")).toContain("Câu 4/");
    expect(JSON.stringify(await session())).not.toContain("returnTo");
  });

  test("an edit that reveals a question asks it too, then returns; 'back' during the edit returns at once", async () => {
    await begin();
    // a1_1 … a5_3 (14 questions), then a5_4 (trainings) = 0 hides a5_5.
    for (let i = 0; i < 14; i++) await send("1");
    expect(await send("0")).toContain("Câu 16/tối đa 29");
    expect(await position()).toMatchObject({ questionId: "a6_1" });
    expect(await send("sua 15")).toContain("Câu 15/tối đa 29");
    // Two trainings: a5_5 appears and is asked before the way back.
    expect(await send("2")).toContain("Nội dung các khóa đào tạo");
    expect(await send("2")).toMatch(/Câu 17\/tối đa 30\nÔng\/Bà đánh giá thế nào về việc công khai dự toán/);
    expect(await answers()).toMatchObject({ a5_4: { value: 2 }, a5_5: { value: "2" } });
    expect(await position()).toMatchObject({ questionId: "a6_1", mode: "flow" });
    await send("edit 3");
    expect(await send("back")).toContain("Câu 17/");
    expect(await position()).toMatchObject({ questionId: "a6_1", mode: "flow" });
    expect((await answers())["a1_3"]).toMatchObject({ value: "1", changeCount: 0 });
  });

  test("a number not yet reached, the current question, or none at all: refused politely, nothing changes", async () => {
    await begin();
    expect(await send("sửa 1")).toContain("Ông/Bà đang ở câu 1: xin trả lời câu này ngay bên dưới.");
    expect(await send("sửa 3")).toBe("Chưa có câu nào để sửa: Ông/Bà đang ở câu 1. Xin trả lời câu này trước; sau đó có thể gõ sửa kèm số của câu đã trả lời, ví dụ: sửa 1.");
    for (const answer of ["1", "2", "3", "1"]) await send(answer);
    const before = await session();
    expect(await send("sửa 9")).toBe(
      "Không sửa được câu 9: Ông/Bà đang ở câu 5, nên chỉ sửa được các câu đã qua (1–4). Xin gõ sửa kèm một trong các số đó, ví dụ: sửa 4, hoặc trả lời tiếp câu 5.",
    );
    expect(await send("sửa")).toBe("Xin gõ sửa (edit) kèm số thứ tự của câu hỏi, ví dụ: sửa 3.");
    const after = await session();
    expect(after!.engine).toEqual(before!.engine);
    // The help says edit works at any time.
    expect(await send("help")).toContain("sửa <số> (edit <số>): sửa câu trả lời có số thứ tự đó, bất cứ lúc nào");
  });

  test("from an edit walk begun at the review, the edit returns to the review as before", async () => {
    await begin();
    for (let i = 0; i < 40 && (await position()).kind === "question"; i++) await send("1");
    expect((await position()).kind).toBe("review");
    await send("sửa 3");
    expect(await position()).toMatchObject({ questionId: "a1_3", mode: "edit" });
    const opened = await send("sửa 2");
    expect(opened).toContain("Sửa câu 2: trả lời xong, Ông/Bà sẽ quay lại phần xem lại.");
    expect(await send("3")).toContain("Xem lại các câu trả lời");
    expect((await answers())["a1_2"]).toMatchObject({ value: "3" });
  });
});

describe("typed answers match what the prompt shows", () => {
  test("'x' (the cannot-judge option's id, never shown) is refused; its number or its wording is stored and said back", async () => {
    expect(await begin()).toContain("  5. Không đánh giá được");
    expect(await send("x")).toBe(
      "“x” không phải là một phương án trong danh sách. Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 5); nếu Ông/Bà không đánh giá được, xin gõ 5.",
    );
    expect(await answers()).toEqual({});
    expect(await position()).toMatchObject({ questionId: "a1_1" });
    const stored = await send("5");
    expect(stored).toMatch(/^Đã ghi: Không đánh giá được\nCâu 2\//);
    expect((await answers())["a1_1"]?.value).toBe("x");
    expect(await send("khong danh gia duoc")).toMatch(/^Đã ghi: Không đánh giá được\n/);
    expect((await answers())["a1_2"]?.value).toBe("x");
    // Any other answer is not said back: the next question follows directly.
    expect(await send("2")).toMatch(/^(── .* ──\n)?Câu 4\//);
    expect((await answers())["a1_3"]?.value).toBe("2");
  });

  test("in English the confirmation is English", async () => {
    await begin();
    await send("lang en");
    expect(await send("Cannot judge")).toMatch(/^Recorded: Cannot judge\nQuestion 2 of at most 30/);
  });

  test("a multi question takes the numbers shown, not option ids; a scale takes na and the cannot-judge wording shown beside it", async () => {
    await begin();
    for (let i = 0; i < 60 && (await position()).kind === "question"; i++) {
      const id = ((await position()) as { questionId: string }).questionId;
      if (id === "a7_4") {
        expect(await send("ky_so")).toBe("“ky_so” không phải là một phương án trong danh sách. Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 4).");
        expect((await answers())["a7_4"]).toBeUndefined();
        await send("1, 2");
        expect((await answers())["a7_4"]?.value).toEqual(["vbdh", "ky_so"]);
      } else if (id === "a8_4") {
        const prompt = (await send("tro giup")).split("\n");
        expect(prompt).toContain("  na = Không đánh giá được");
        expect(await send("x")).toBe("Xin vui lòng chọn một giá trị từ 1 đến 10, hoặc gõ na nếu Ông/Bà không đánh giá được.");
        expect((await answers())["a8_4"]).toBeUndefined();
        expect(await send("Không đánh giá được")).toMatch(/^Đã ghi: Không đánh giá được\n/);
        expect((await answers())["a8_4"]?.value).toBe("na");
      } else await send(id === "a5_4" ? "0" : "1");
    }
    expect((await position()).kind).toBe("review");
    expect(await answers()).toMatchObject({ a7_4: { value: ["vbdh", "ky_so"] }, a8_4: { value: "na" } });
  });
});
