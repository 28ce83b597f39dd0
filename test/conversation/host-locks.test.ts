// The host over the database store with per-account locks (several instances on PostgreSQL): a
// message that fails after `begin` took the account's lock releases it when the message ends,
// not when the lock's hold time runs out, so the respondent's next message is not held up.
import { describe, expect, test } from "vitest";
import type { BotCampaign } from "../../src/channels/telegram/ports.js";
import { TextConversationHost } from "../../src/conversation/index.js";
import type { ChatLocks } from "../../src/db/chat-locks.js";
import { botSessionStore } from "../../src/db/sessions.js";
import type { Respondent } from "../../src/demo/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { useTestDatabase } from "../support/db.js";
import { createMemoryPorts, loadExample } from "../channels/telegram/harness.js";

const AN: Respondent = { id: "r1", name: "Nguyễn Văn An", unit: { id: "stp", name: "Sở Tư pháp" }, subjectUnits: [], language: "vi" };
const CODE = "ABCDE23456";

/** Locks that record which keys are held (the real ones are PostgreSQL advisory locks). */
function recordingLocks(): ChatLocks & { readonly held: Map<string, number>; acquired: number } {
  const held = new Map<string, number>();
  const locks = {
    held,
    acquired: 0,
    async acquire(key: string) {
      locks.acquired++;
      held.set(key, (held.get(key) ?? 0) + 1);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const count = held.get(key)! - 1;
        if (count === 0) held.delete(key);
        else held.set(key, count);
      };
    },
    async close() {},
  };
  return locks;
}

describe("conversation host and the account locks", () => {
  const ctx = useTestDatabase("sqlite");

  test("a message failing after begin releases the account's lock when it ends; a message with its key is handled after", async () => {
    const memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [AN], codes: { [CODE]: "r1" } });
    const locks = recordingLocks();
    const sessions = botSessionStore(ctx.prisma(), { channel: "zalo", locks });
    let failing = true;
    const campaigns = {
      find: async (id: string): Promise<BotCampaign | undefined> => {
        if (failing) throw new Error("campaigns unreadable");
        return memory.ports.campaigns.find(id);
      },
    };
    const host = new TextConversationHost({
      channel: "zalo",
      codes: memory.ports.codes,
      campaigns,
      respondents: memory.ports.respondents,
      sessions,
      i18n: createI18n(),
      now: () => memory.clock.now,
      defaultLanguage: "vi",
      campaignCacheMs: 0,
    });
    await expect(host.respond({ key: "message.text.received:1", account: "zalo:u1", chatId: "u1", text: CODE })).rejects.toThrow("campaigns unreadable");
    expect(locks.acquired).toBe(1);
    expect([...locks.held.keys()]).toEqual([]);
    // Not marked processed: a message with the same key is handled (this one stores no session), and its lock released too.
    failing = false;
    const replies = await host.handle({ key: "message.text.received:1", account: "zalo:u1", chatId: "u1", text: "xin chào" });
    expect(replies[0]).toContain("Xin Ông/Bà gửi mã khảo sát");
    expect(await sessions.isProcessed("message.text.received:1")).toBe(true);
    expect(locks.acquired).toBe(2);
    expect([...locks.held.keys()]).toEqual([]);
  });
});
