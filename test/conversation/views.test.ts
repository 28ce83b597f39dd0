// The host's prompts as data (question and review views) and what a picked choice means: the text
// form and Telegram's buttons are drawn from the same views, and a button's callback data leads
// back to the view's choice.
import { beforeEach, describe, expect, test } from "vitest";
import { choiceOfCallback, parseCallback, TelegramRenderer } from "../../src/channels/telegram/index.js";
import type { OutgoingMessage } from "../../src/channels/telegram/render.js";
import { inputOfChoice, TextConversationHost, type HostReply } from "../../src/conversation/index.js";
import type { Respondent } from "../../src/demo/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { loadQuestionnaireFile, type Questionnaire } from "../../src/questionnaire/index.js";
import { createMemoryPorts } from "../channels/telegram/harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [], language: "vi" };
const CODE = "ABCDE23456";
const i18n = createI18n();

let questionnaire: Questionnaire;
let memory: Awaited<ReturnType<typeof createMemoryPorts>>;
let host: TextConversationHost;
let n = 0;
const say = async (text: string): Promise<HostReply> => (await host.respond({ key: `k${++n}`, account: "zalo:v1", chatId: "v1", text })).at(-1)!;

beforeEach(async () => {
  const loaded = await loadQuestionnaireFile(new URL("../channels/console/fixtures/preview.yaml", import.meta.url).pathname);
  if (!loaded.ok) throw new Error("preview.yaml does not load");
  questionnaire = loaded.questionnaire;
  memory = await createMemoryPorts({ questionnaire, respondents: [AN], codes: { [CODE]: "r1" } });
  const { ports, clock } = memory;
  host = new TextConversationHost({ channel: "zalo", codes: ports.codes, campaigns: ports.campaigns, respondents: ports.respondents, sessions: ports.sessions, i18n, now: () => clock.now, defaultLanguage: "vi" });
});

const renderer = () => new TelegramRenderer({ questionnaire, language: "vi", t: i18n.getFixedT("vi"), tag: "abc123", unitName: (id) => id, timeZone: "Asia/Ho_Chi_Minh", unitCount: 1 });

/** Every button of a message as the host choice its callback data stands for. */
function choicesOfButtons(message: OutgoingMessage): { label: string; choiceId: string | undefined; questionId: string | undefined }[] {
  return (message.keyboard ?? []).flat().map((button) => {
    const data = parseCallback((button as { callback_data: string }).callback_data);
    const choice = data ? choiceOfCallback(data.action, questionnaire) : undefined;
    return { label: button.text, choiceId: choice?.choiceId, questionId: choice?.questionId };
  });
}

async function position() {
  return (await memory.sessions.findLatest("zalo:v1"))!.engine!.position;
}

describe("prompts as data", () => {
  test("each question's view: its choices, navigation and free text; Telegram's buttons lead back to the same choices", async () => {
    await say(CODE);
    await say("1");
    const single = await say("1");
    expect(single.question).toMatchObject({ questionId: "q1", index: 0, number: 1, freeText: false, actions: [], section: { id: "s1", title: "Phần một", opens: true } });
    expect(single.question!.choices).toEqual([
      { id: "option:yes", label: "Có" },
      { id: "option:no", label: "Không" },
    ]);
    // The text form numbers the same choices.
    expect(single.choices!.map((c) => c.id)).toEqual(["option:yes", "option:no"]);
    expect(choicesOfButtons(renderer().questionMessage(single.question!))).toEqual([
      { label: "1. Có", choiceId: "option:yes", questionId: "q1" },
      { label: "2. Không", choiceId: "option:no", questionId: "q1" },
    ]);

    const multi = await say("1");
    expect(multi.question!.choices.map((c) => c.id)).toEqual(["toggle:a", "toggle:b", "toggle:c"]);
    expect(multi.question!.actions.map((a) => a.id)).toEqual(["done", "back"]);
    expect(choicesOfButtons(renderer().questionMessage(multi.question!)).map((b) => [b.label, b.choiceId])).toEqual([
      ["☐ 1. Hộ tịch", "toggle:a"],
      ["☐ 2. Đất đai", "toggle:b"],
      ["☐ 3. Kinh doanh", "toggle:c"],
      ["Xong (0 đã chọn)", "done"],
      ["◀ Câu trước", "back"],
    ]);

    const scale = await say("1, 3");
    expect(scale.question!.choices.map((c) => c.id)).toEqual(["scale:1", "scale:2", "scale:3", "scale:4", "scale:5", "scale:na"]);
    expect(scale.question!.scaleLabels).toEqual({ "1": "Rất không hài lòng", "5": "Rất hài lòng" });
    const scaleButtons = choicesOfButtons(renderer().questionMessage(scale.question!));
    expect(scaleButtons.map((b) => b.choiceId)).toEqual(["scale:1", "scale:2", "scale:3", "scale:4", "scale:5", "scale:na", "back"]);
    expect(new Set(scaleButtons.map((b) => b.questionId))).toEqual(new Set(["q3"]));

    const number = await say("5");
    expect(number.question).toMatchObject({ questionId: "q4", freeText: true, choices: [] });
    const text = await say("2");
    expect(text.question).toMatchObject({ questionId: "q5", required: false, freeText: true });
    expect(text.question!.actions.map((a) => a.id)).toEqual(["back", "skip"]);
  });

  test("the review's view: a line per question with the answer and its edit target, Submit; picking a line edits that question", async () => {
    for (const text of [CODE, "1", "1", "1", "1 3", "4", "2", "bỏ qua"]) await say(text);
    const review = await say("xem lại");
    expect(review.prompt).toBe("review");
    expect(review.review!.lines.map((l) => [l.number, l.edit.id, l.answer])).toEqual([
      [1, "edit:q1", "Có"],
      [2, "edit:q2", "Hộ tịch; Kinh doanh"],
      [3, "edit:q3", "4"],
      [4, "edit:q4", "2"],
      [5, "edit:q5", expect.any(String)],
    ]);
    expect(review.review!.submit.id).toBe("submit");
    expect(review.review!.missing).toBe(0);
    const buttons = choicesOfButtons(renderer().reviewMessages(review.review!).at(-1)!);
    expect(buttons.map((b) => b.choiceId)).toEqual(["edit:q1", "edit:q2", "edit:q3", "edit:q4", "edit:q5", "submit"]);
    expect(buttons[2]!.label).toBe("✏ 3");

    // The third line's number typed: the question its edit choice names, with the current answer marked.
    const edit = await say("3");
    expect(edit.question).toMatchObject({ questionId: "q3", mode: "edit", current: 4, currentText: "4" });
    expect(edit.question!.choices.filter((c) => c.selected === true).map((c) => c.id)).toEqual(["scale:4"]);
  });

  test("what a picked choice means depends on where the respondent is: stale, foreign or unknown picks mean nothing", async () => {
    for (const text of [CODE, "1"]) await say(text);
    const atAttestation = await position();
    expect(inputOfChoice(questionnaire, atAttestation, "attestation:no")).toEqual({ type: "decline_attestation" });
    expect(inputOfChoice(questionnaire, atAttestation, "attestation:maybe")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atAttestation, "identity:yes")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atAttestation, "option:yes", "q1")).toBeUndefined();
    await say("1");
    const atQ1 = await position();
    expect(inputOfChoice(questionnaire, atQ1, "attestation:yes")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "option:no", "q1")).toEqual({ type: "choose", questionId: "q1", choice: { kind: "option", optionId: "no" } });
    expect(inputOfChoice(questionnaire, atQ1, "option:no")).toEqual({ type: "choose", questionId: "q1", choice: { kind: "option", optionId: "no" } });
    expect(inputOfChoice(questionnaire, atQ1, "option:no", "q3")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "option:maybe", "q1")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "toggle:yes", "q1")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "scale:3", "q1")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "done", "q1")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "submit")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "edit:q1")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atQ1, "skip", "q1")).toEqual({ type: "skip", questionId: "q1" });
    expect(inputOfChoice(questionnaire, atQ1, "review")).toEqual({ type: "review" });
    await say("xem lại");
    const atReview = await position();
    expect(inputOfChoice(questionnaire, atReview, "submit")).toEqual({ type: "submit" });
    expect(inputOfChoice(questionnaire, atReview, "edit:q4")).toEqual({ type: "edit", questionId: "q4" });
    expect(inputOfChoice(questionnaire, atReview, "edit:nope")).toBeUndefined();
    expect(inputOfChoice(questionnaire, atReview, "option:yes", "q1")).toBeUndefined();
  });
});
