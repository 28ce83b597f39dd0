// A sender process for kill-and-restart tests and the benchmark: drains the outbox of DATABASE_URL
// through the Bot API at TELEGRAM_API_ROOT, then prints its counters as JSON.
// Usage: node bin/run-ts.js test/outbox/sender-child.ts RATE
import { openOutboxStore } from "../../src/db/index.js";
import { fetchTransport, OutboxSender } from "../../src/outbox/index.js";

const rate = Number(process.argv[2] ?? 25);
const store = await openOutboxStore(process.env.DATABASE_URL, { migrate: false });
const sender = new OutboxSender(store.outbox, fetchTransport({ token: process.env.TELEGRAM_BOT_TOKEN!, apiRoot: process.env.TELEGRAM_API_ROOT!, timeoutMs: Number(process.env.SENDER_TIMEOUT_MS ?? 2000) }), {
  ratePerSecond: rate,
  claimLeaseMs: 3000,
  inDoubtAfterMs: 3000,
  onEvent: (e) => {
    if (e.type === "recovered") process.stderr.write(`recovered ${JSON.stringify(e)}\n`);
  },
});
process.once("SIGTERM", () => sender.stop());
const stats = await sender.run({ drain: true });
await store.close();
process.stdout.write(`${JSON.stringify(stats)}\n`);
