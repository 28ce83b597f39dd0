import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { KeepAliveHttp, MAX_ANSWER_BYTES } from "../../../src/channels/zalo/http.js";

let server: Server | undefined;
let client: KeepAliveHttp | undefined;

afterEach(async () => {
  client?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback server; counts the TCP connections it accepted. */
async function serve(handler: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => handler(request, response, Buffer.concat(chunks).toString("utf8")));
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bot1:x/sendMessage`, connections: () => connections };
}

test("calls one after another reuse one connection; the JSON body arrives whole, the answer comes back with its status", async () => {
  const { url, connections } = await serve((_, response, body) => response.writeHead(body.includes("bad") ? 400 : 200).end(JSON.stringify({ ok: true, result: JSON.parse(body) })));
  client = new KeepAliveHttp();
  for (let i = 0; i < 5; i++) {
    const answer = await client.post(url, JSON.stringify({ chat_id: "c1", text: `xin chào ${i}` }), 1_000);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, result: { chat_id: "c1", text: `xin chào ${i}` } });
  }
  expect((await client.post(url, JSON.stringify({ text: "bad" }), 1_000)).status).toBe(400);
  expect(connections()).toBe(1);
});

test("calls at once share a bounded number of connections, and a closed client opens new ones for later calls", async () => {
  const { url, connections } = await serve((_, response, body) => setTimeout(() => response.writeHead(200).end(body), 20));
  client = new KeepAliveHttp({ maxSockets: 4 });
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => client!.post(url, JSON.stringify({ i }), 2_000)));
  expect(answers.map((a) => JSON.parse(a.body).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect(connections()).toBe(4);
  client.close();
  expect((await client.post(url, '{"again":true}', 1_000)).body).toBe('{"again":true}');
  expect(connections()).toBe(5);
});

test("a kept-alive connection the server dropped is replaced and the call sent again, once", async () => {
  let requests = 0;
  const seen = new Set<unknown>();
  const { url, connections } = await serve((request, response) => {
    requests++;
    // The second request on a socket finds it closed (as a server's idle timeout does at the wrong moment).
    if (seen.has(request.socket)) return void request.socket.destroy();
    seen.add(request.socket);
    response.writeHead(200).end('{"ok":true,"result":true}');
  });
  client = new KeepAliveHttp();
  expect((await client.post(url, "{}", 1_000)).status).toBe(200);
  expect((await client.post(url, "{}", 1_000)).status).toBe(200);
  expect(requests).toBe(3);
  expect(connections()).toBe(2);
});

test("an answer larger than the limit, a server that never answers, and an abort all fail the call", async () => {
  const { url } = await serve((request, response, body) => {
    if (body === '"big"') return void response.writeHead(200).end("x".repeat(MAX_ANSWER_BYTES + 10));
    // "slow": never answered.
  });
  client = new KeepAliveHttp();
  await expect(client.post(url, '"big"', 2_000)).rejects.toThrow(/larger than/);
  const started = Date.now();
  await expect(client.post(url, '"slow"', 150)).rejects.toThrow(/no answer within 150 ms/);
  expect(Date.now() - started).toBeLessThan(1_500);
  const abort = new AbortController();
  const pending = client.post(url, '"slow"', 10_000, abort.signal);
  setTimeout(() => abort.abort(), 50);
  await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  await expect(client.post(url, '"slow"', 10_000, abort.signal)).rejects.toMatchObject({ name: "AbortError" });
});
