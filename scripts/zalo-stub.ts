// npm run zalo:stub — try the Zalo bot on this machine, without Zalo: a stand-in for the Zalo Bot
// API on 127.0.0.1 (the loopback stub the tests use, test/support/zalo-stub.ts), and this terminal
// as one Zalo user's chat. Start it, start the bot against it in another terminal with the two
// variables it prints, then type here what a respondent types in Zalo (the code from a slip, then
// the numbers of the answers); the bot's replies are printed as they reach the stub.
// Settings: ZALO_STUB_PORT (8089), ZALO_STUB_USER (the user id, "zalo-demo-user").
import { createInterface } from "node:readline";
import { ZaloBotApiStub } from "../test/support/zalo-stub.js";

const port = Number(process.env.ZALO_STUB_PORT ?? 8089);
const user = process.env.ZALO_STUB_USER ?? "zalo-demo-user";
const stub = new ZaloBotApiStub();
try {
  await stub.start(port);
} catch (error) {
  console.error(`cannot listen on 127.0.0.1:${port} (${(error as Error).message}): choose another port with ZALO_STUB_PORT=8090 npm run zalo:stub`);
  process.exit(1);
}
console.log(`A stand-in for the Zalo Bot API is listening at ${stub.url}.
In another terminal, in this folder, start the bot against it:

  ZALO_BOT_TOKEN=${stub.token} ZALO_API_ROOT=${stub.url} npm start

Then type here what a Zalo user types (the code on a slip, then the numbers of the answers; "help"
or "trợ giúp" at any time). The bot's replies appear below. Ctrl+D or Ctrl+C stops.
`);

let shown = 0;
const timer = setInterval(() => {
  for (; shown < stub.sent.length; shown++) {
    const message = stub.sent[shown]!;
    if (message.chatId !== user) continue;
    console.log(`\n── bot ──\n${message.text}\n`);
  }
}, 50);

const lines = createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  if (line.trim() !== "") stub.pushText(user, line);
});
const stop = async () => {
  clearInterval(timer);
  lines.close();
  await stub.stop();
  process.exit(0);
};
lines.on("close", () => void stop());
process.once("SIGINT", () => void stop());
