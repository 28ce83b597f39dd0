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
