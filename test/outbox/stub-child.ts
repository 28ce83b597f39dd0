// The Bot API stub in a process of its own, for tests that block the sender's event loop: the stub
// keeps reading and answering meanwhile, as a real server does. Usage:
// node bin/run-ts.js test/outbox/stub-child.ts '{"globalRate":50,"latencyMs":30}'
// Prints its API root on the first line of stdout; when its stdin closes, prints the sendMessage calls
// received (chat id, status, arrival in ms) as one JSON line and exits.
import { BotApiStub, type StubOptions } from "../support/bot-api-stub.js";

const stub = new BotApiStub(JSON.parse(process.argv[2] ?? "{}") as StubOptions);
process.stdout.write(`${await stub.start()}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  const calls = stub.callsOf("sendMessage").map((c) => ({ chatId: String(c.payload.chat_id), status: c.status, at: c.at }));
  process.stdout.write(`${JSON.stringify(calls)}\n`, () => void stub.stop().then(() => process.exit(0)));
});
