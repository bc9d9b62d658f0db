import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import type { ChatMessage } from "../schema";
import { chatRequest, collect, testContext } from "../test-support";

/** DeepSeek's thinking mode against the strict fake: reasoning out, reasoning back, parameters it ignores. */

const adapter = getAdapter("deepseek");
let fake: FakeProvider;
const model = (id: string) => ({ provider: "deepseek" as const, id, aliases: [] });

beforeAll(async () => {
  fake = await startFakeProvider("deepseek");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const TOOLS = [
  {
    type: "function" as const,
    function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } },
  },
];

describe("deepseek thinking mode", () => {
  it("returns reasoning_content as reasoningContent with reasoning tokens", async () => {
    const result = await adapter.chat(chatRequest({ model: "deepseek-reasoner" }), testContext(fake.url));
    expect(result.reasoningContent).toBe("The user asked; I will answer.");
    expect(result.content).toBe("Hello from the fake provider.");
    expect(result.usage).toMatchObject({ completionTokens: 34, reasoningTokens: 8, estimated: false });
  });

  it("streams reasoning_content as reasoningContent deltas", async () => {
    const { deltas, text, done } = await collect(
      adapter.chatStream(chatRequest({ model: "deepseek-v4-pro" }), testContext(fake.url)),
    );
    expect(deltas.map((delta) => delta.reasoningContent ?? "").join("")).toBe(
      "The user asked; I will answer.",
    );
    expect(text).toBe("Hello from the fake provider.");
    expect(done.usage).toMatchObject({ reasoningTokens: 8, estimated: false });
  });

  it.each([false, true])(
    "runs a tool loop, sending reasoning_content back (streamed: %s)",
    async (streamed) => {
      const first = chatRequest({
        model: "deepseek-v4-flash",
        messages: [{ role: "user", content: 'TOOLCALL lookup {"q":"x"}' }],
        tools: TOOLS,
      });
      let assistant: ChatMessage;
      if (streamed) {
        const { deltas } = await collect(adapter.chatStream(first, testContext(fake.url)));
        const calls = deltas.flatMap((delta) => delta.toolCalls ?? []);
        assistant = {
          role: "assistant",
          content: null,
          reasoning_content: deltas.map((delta) => delta.reasoningContent ?? "").join(""),
          tool_calls: [
            {
              id: calls[0]!.id!,
              type: "function",
              function: {
                name: calls[0]!.function!.name!,
                arguments: calls.map((call) => call.function?.arguments ?? "").join(""),
              },
            },
          ],
        };
      } else {
        const result = await adapter.chat(first, testContext(fake.url));
        assistant = {
          role: "assistant",
          content: result.content,
          reasoning_content: result.reasoningContent!,
          tool_calls: result.toolCalls!,
        };
      }
      expect(assistant.tool_calls?.[0]?.function).toEqual({ name: "lookup", arguments: '{"q":"x"}' });
      const second = chatRequest({
        model: "deepseek-v4-flash",
        messages: [
          ...first.messages,
          assistant,
          { role: "tool", tool_call_id: assistant.tool_calls![0]!.id, content: "found" },
        ],
        tools: TOOLS,
      });
      const result = await adapter.chat(second, testContext(fake.url));
      expect(result.content).toBe("Tool result: found");
      const sent = fake.requests.at(-1)?.body as { messages: Record<string, unknown>[] };
      expect(sent.messages[1]).toEqual({
        role: "assistant",
        content: null,
        tool_calls: assistant.tool_calls,
        reasoning_content: "The user asked; I will answer.",
      });
    },
  );

  it("sends an empty reasoning_content on a thinking-mode tool turn that has none", async () => {
    const req = chatRequest({
      model: "deepseek-reasoner",
      messages: [
        { role: "user", content: "TOOLCALL lookup" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "toolu_01", type: "function", function: { name: "lookup", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "toolu_01", content: "42" },
      ],
      tools: TOOLS,
    });
    const result = await adapter.chat(req, testContext(fake.url));
    expect(result.content).toBe("Tool result: 42");
    const sent = fake.requests[0]?.body as { messages: Record<string, unknown>[] };
    expect(sent.messages[1]?.reasoning_content).toBe("");
  });

  it("drops what the reasoner ignores, as catalog rules", () => {
    const req = chatRequest({
      model: "deepseek-reasoner",
      temperature: 0.3,
      top_p: 0.9,
      presence_penalty: 1,
      frequency_penalty: 1,
    });
    const { request, adjusted } = adapter.adjust(req, model("deepseek-reasoner"));
    expect(adjusted.map((item) => `${item.param}=${item.action}`)).toEqual([
      "temperature=dropped",
      "top_p=dropped",
      "presence_penalty=dropped",
      "frequency_penalty=dropped",
    ]);
    expect(request).toEqual(chatRequest({ model: "deepseek-reasoner" }));
  });

  it("drops what thinking mode ignores on V4 unless thinking is off", () => {
    const req = chatRequest({ model: "deepseek-v4-pro", temperature: 0.3, top_p: 0.9 });
    expect(adapter.adjust(req, model("deepseek-v4-pro")).adjusted.map((item) => item.param)).toEqual([
      "temperature",
    ]);
    const off = adapter.adjust({ ...req, reasoning_effort: "none" }, model("deepseek-v4-pro"));
    expect(off.adjusted.map((item) => `${item.param}=${item.action}`)).toEqual(["reasoning_effort=mapped"]);
    expect(off.request.temperature).toBe(0.3);
  });

  it.each([
    ["deepseek-v4-pro", "high", { reasoning_effort: "high" }, []],
    ["deepseek-v4-pro", "none", { thinking: { type: "disabled" } }, ["reasoning_effort=mapped"]],
    [
      "deepseek-chat",
      "low",
      { thinking: { type: "enabled" }, reasoning_effort: "low" },
      ["reasoning_effort=mapped"],
    ],
    ["deepseek-chat", "none", {}, ["reasoning_effort=dropped"]],
    ["deepseek-reasoner", "xhigh", { reasoning_effort: "xhigh" }, []],
    ["deepseek-reasoner", "none", {}, ["reasoning_effort=dropped"]],
    ["deepseek-v3", "high", {}, ["reasoning_effort=dropped"]],
  ] as const)("maps reasoning_effort on %s (%s) as DeepSeek documents", async (id, effort, sent, changes) => {
    const { request, adjusted } = adapter.adjust(
      chatRequest({ model: id, reasoning_effort: effort }),
      model(id),
    );
    expect(adjusted.map((item) => `${item.param}=${item.action}`)).toEqual(changes);
    await adapter.chat(request, testContext(fake.url));
    expect(fake.requests.at(-1)?.body).toEqual({
      model: id,
      messages: [{ role: "user", content: "Say hello." }],
      ...sent,
    });
  });
});
