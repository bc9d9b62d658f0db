import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultCatalog } from "../../catalog";
import { priceUsage } from "../../pricing";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, testContext } from "../test-support";

/**
 * The adapter against recorded OpenAI exchanges (fixtures/, each written from the official
 * references and labelled so): the body it sends is compared byte for byte, and the answers it
 * parses are served byte for byte as the fixture holds them.
 */

const adapter = getAdapter("openai");
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const json = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;

/** Serves one canned answer per request and records the raw request bodies. */
let server: Server;
let url: string;
let answer: { type: string; body: string } = { type: "application/json", body: "{}" };
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": answer.type, "x-request-id": "req_fixture" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeAllPools();
});
afterEach(() => {
  received.length = 0;
});

/** The `response` object of a fixture as its own bytes in the file, not a re-serialisation. */
function responseBytes(name: string): string {
  const text = fixture(name);
  const start = text.indexOf('"response": ') + '"response": '.length;
  return text.slice(start, start + sliceObject(text.slice(start)));
}

/** Serves the fixture's answer byte for byte; returns the whole fixture. */
function serveJson(name: string): Record<string, unknown> {
  const parsed = json(name);
  answer = { type: "application/json", body: responseBytes(name) };
  expect(JSON.parse(answer.body)).toEqual(parsed.response);
  return parsed;
}

/** Length of the JSON object at the start of `text` (braces counted outside strings). */
function sliceObject(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i + 1;
  }
  throw new Error("unterminated object");
}

describe("openai fixtures", () => {
  it("sends the recorded request body byte for byte", async () => {
    const { gateway_request, upstream_body } = json("request-tools.json");
    const req = chatRequest(gateway_request as Parameters<typeof chatRequest>[0]);
    const { request, adjusted } = adapter.adjust(req, defaultCatalog.model("openai", "gpt-5.6")!);
    expect(adjusted).toEqual([]);
    serveJson("response-tool-calls.json");
    await adapter.chat(request, testContext(url));
    expect(received).toEqual([JSON.stringify(upstream_body)]);
  });

  it("parses the recorded answer with parallel tool calls", async () => {
    const { result } = serveJson("response-tool-calls.json");
    const parsed = await adapter.chat(chatRequest({ model: "gpt-5.6" }), testContext(url));
    expect(parsed).toEqual({ ...(result as object), providerRequestId: "req_fixture" });
  });

  it("assembles the recorded stream of two parallel tool calls", async () => {
    answer = { type: "text/event-stream", body: fixture("stream-parallel-tool-calls.sse") };
    const { result } = json("response-tool-calls.json") as { result: Record<string, unknown> };
    const { deltas, done } = await collect(
      adapter.chatStream(chatRequest({ model: "gpt-5.6" }), testContext(url)),
    );
    const calls: { id?: string; name: string; arguments: string }[] = [];
    for (const delta of deltas.flatMap((d) => d.toolCalls ?? [])) {
      calls[delta.index] ??= { name: "", arguments: "" };
      const call = calls[delta.index]!;
      if (delta.id) call.id = delta.id;
      call.name += delta.function?.name ?? "";
      call.arguments += delta.function?.arguments ?? "";
    }
    expect(calls).toEqual([
      { id: "call_Jk6Mn8Pq0Rs2Tu4Vw6Xy8Za0", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "call_Lm7Op9Qr1St3Uv5Wx7Yz9Ab1", name: "get_weather", arguments: '{"city":"Oslo"}' },
    ]);
    expect(done).toMatchObject({
      finishReason: "tool_calls",
      id: "chatcmpl-Dr5Su9Vw3Xy7Za1Bc5De9Fg3Hi",
      model: "gpt-5.6-2026-07-01",
      usage: result.usage,
    });
  });

  it("normalises the recorded usage with cache reads and writes and prices it exactly", async () => {
    const { usage, cost } = serveJson("response-cache-usage.json") as {
      usage: unknown;
      cost: { breakdown: unknown; totalCost: string };
    };
    const parsed = await adapter.chat(chatRequest({ model: "gpt-5.6" }), testContext(url));
    expect(parsed.usage).toEqual(usage);
    const priced = priceUsage(defaultCatalog.model("openai", "gpt-5.6")!, parsed.usage);
    expect(priced.breakdown).toEqual(cost.breakdown);
    expect(priced.totalCost).toBe(cost.totalCost);
  });
});
