import { createLlmgClient } from "@llmg/client";
import {
  type ChatRequest,
  type ChatResult,
  type ChatStream,
  getAdapter,
  type StreamEvent,
  type Usage,
} from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import type { FakeProviderId } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Conformance, startConformance } from "./support";

const kind = testBackends()[0]!;

interface Case {
  provider: FakeProviderId;
  model: string;
  /** 100 prompt and 20 completion tokens at the catalog's prices, worked by hand. */
  cost: string;
}

const USAGE = { prompt: 100, completion: 20 };
const CASES: Case[] = [
  // 100 × 0.00000015 + 20 × 0.0000006
  { provider: "openai", model: "gpt-4o-mini", cost: "0.000027" },
  // 100 × 0.000003 + 20 × 0.000015
  { provider: "anthropic", model: "claude-sonnet-4-5", cost: "0.0006" },
  // 100 × 0.0000003 + 20 × 0.0000025
  { provider: "google", model: "gemini-2.5-flash", cost: "0.00008" },
  // 100 × 0.00000028 + 20 × 0.00000042
  { provider: "deepseek", model: "deepseek-chat", cost: "0.0000364" },
  // 100 × 0.0000005 + 20 × 0.0000015
  { provider: "mistral", model: "mistral-large-latest", cost: "0.00008" },
];

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
// The fakes' shared tool rule: this line in the last user text becomes a call of get_weather.
const ask = {
  role: "user" as const,
  content: 'What is the weather in Paris?\nTOOLCALL get_weather {"city":"Paris"}',
};

/** The chunks of a stream put back together: content, tool calls by index, and the rest. */
function assemble(events: unknown[]) {
  const chunks = events.filter((e) => e !== "[DONE]") as any[];
  const calls: { id?: string; name: string; arguments: string; extra_content?: unknown }[] = [];
  let content = "";
  let reasoning = "";
  const thinking: unknown[] = [];
  for (const chunk of chunks) {
    const delta = chunk.choices[0]?.delta ?? {};
    content += delta.content ?? "";
    reasoning += delta.reasoning_content ?? "";
    thinking.push(...(delta.thinking_blocks ?? []));
    for (const part of delta.tool_calls ?? []) {
      calls[part.index] ??= { name: "", arguments: "" };
      const call = calls[part.index]!;
      if (part.id) call.id = part.id;
      call.name += part.function?.name ?? "";
      call.arguments += part.function?.arguments ?? "";
      if (part.extra_content) call.extra_content = part.extra_content;
    }
  }
  const finish = chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason;
  const usage = chunks.at(-1)?.usage;
  return { content, reasoning, thinking, calls, finish, usage, done: events.at(-1) === "[DONE]" };
}

describe(`the surfaces: tool loops, reasoning and provider state, the typed client (${kind})`, () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(kind);
    for (const { provider } of CASES) c.fake(provider).setDefault({ type: "success", usage: USAGE });
  });
  afterAll(async () => {
    await c?.close();
  });

  it.each(CASES)(
    "runs a tool loop through /api without streaming ($provider)",
    async ({ provider, model, cost }) => {
      const first = await c.api({ provider, model, messages: [ask], tools: [weather] });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.finish_reason).toBe("tool_calls");
      expect(first.body.tool_calls).toHaveLength(1);
      const [call] = first.body.tool_calls;
      expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
      expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
      expect(first.headers.get("x-llmg-cost-usd")).toBe(cost);

      const second = await c.api({
        provider,
        model,
        tools: [weather],
        messages: [
          ask,
          { role: "assistant", content: first.body.content, tool_calls: first.body.tool_calls },
          { role: "tool", tool_call_id: call.id, content: "sunny, 21°C" },
        ],
      });
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      expect(second.body).toMatchObject({ content: "Tool result: sunny, 21°C", finish_reason: "stop" });
      expect(second.body.cost.total_cost_exact).toBe(cost);
    },
  );

  it.each(CASES)("runs a tool loop through /api streaming ($provider)", async ({ provider, model, cost }) => {
    const first = await c.apiStream({ provider, model, messages: [ask], tools: [weather] });
    expect(first.status).toBe(200);
    const answer = assemble(first.events);
    expect(answer.done).toBe(true);
    expect(answer.finish).toBe("tool_calls");
    expect(answer.calls).toHaveLength(1);
    const [call] = answer.calls;
    expect(call!.name).toBe("get_weather");
    expect(call!.id).toEqual(expect.any(String));
    expect(JSON.parse(call!.arguments)).toEqual({ city: "Paris" });
    expect(answer.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 20, cost_usd: cost });

    const second = await c.apiStream({
      provider,
      model,
      tools: [weather],
      messages: [
        ask,
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: call!.id, type: "function", function: { name: call!.name, arguments: call!.arguments } },
          ],
        },
        { role: "tool", tool_call_id: call!.id, content: "sunny, 21°C" },
      ],
    });
    expect(second.status).toBe(200);
    const final = assemble(second.events);
    expect(final).toMatchObject({ content: "Tool result: sunny, 21°C", finish: "stop", done: true });
    expect(final.usage.cost_usd).toBe(cost);
  });

  it("calls chat with tools through the typed tRPC client", async () => {
    const client = createLlmgClient({ baseUrl: c.f.t.url, apiKey: c.f.user.key });
    const first = await client.chat.completions.mutate({
      provider: "openai",
      model: "gpt-4o-mini",
      messages: [ask],
      tools: [weather] as never,
      tool_choice: "auto",
    });
    expect(first.finish_reason).toBe("tool_calls");
    const call = first.tool_calls?.[0];
    expect(call?.function.name).toBe("get_weather");
    const second = await client.chat.completions.mutate({
      provider: "openai",
      model: "gpt-4o-mini",
      tools: [weather] as never,
      messages: [
        ask,
        { role: "assistant", content: null, tool_calls: first.tool_calls },
        { role: "tool", tool_call_id: call!.id, content: "sunny" },
      ],
    });
    expect(second.content).toBe("Tool result: sunny");
    expect(second.cost.total_cost_exact).toBe("0.000027");
    // What the fake received: the tool declared, and the loop's messages in OpenAI's shape.
    expect(c.lastBody("openai")).toMatchObject({
      tools: [weather],
      messages: [
        { role: "user" },
        { role: "assistant", tool_calls: [{ id: call!.id, function: { name: "get_weather" } }] },
        { role: "tool", tool_call_id: call!.id, content: "sunny" },
      ],
    });
  });

  describe("reasoning and provider state pass through both surfaces", () => {
    // The adapters' own mapping of these (DeepSeek reasoning_content, Anthropic thinking, Gemini
    // thought signatures) is each provider's conformance suite's matter; here the adapter's
    // result is given, so what is checked is the surfaces' serialisation of it, both ways.
    const usage: Usage = {
      promptTokens: 100,
      completionTokens: 20,
      cachedReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    };
    const thinking = [
      { type: "thinking" as const, thinking: "Paris first.", signature: "sig-1" },
      { type: "redacted_thinking" as const, data: "opaque" },
    ];
    const extra = { google: { thought_signature: "c2lnbmF0dXJl" } };
    const toolCall = {
      id: "call_g1",
      type: "function" as const,
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
      extra_content: extra,
    };
    const adapter = getAdapter("google");
    const requests: ChatRequest[] = [];
    afterEach(() => {
      vi.restoreAllMocks();
      requests.length = 0;
    });

    function answerWithReasoning() {
      vi.spyOn(adapter, "chat").mockImplementation(async (req): Promise<ChatResult> => {
        requests.push(req);
        return {
          id: "r1",
          model: "gemini-2.5-flash",
          role: "assistant",
          content: null,
          finishReason: "tool_calls",
          reasoningContent: "Looking it up.",
          thinkingBlocks: thinking,
          toolCalls: [toolCall],
          usage,
        };
      });
      vi.spyOn(adapter, "chatStream").mockImplementation((req): ChatStream => {
        requests.push(req);
        const events: StreamEvent[] = [
          { type: "delta", reasoningContent: "Looking " },
          { type: "delta", reasoningContent: "it up." },
          { type: "delta", thinkingBlocks: thinking },
          { type: "delta", toolCalls: [{ index: 0, ...toolCall }] },
          { type: "done", finishReason: "tool_calls", usage },
        ];
        return {
          async *[Symbol.asyncIterator]() {
            yield* events;
          },
          usageSoFar: () => usage,
        };
      });
    }

    // Sent back on the next turn exactly as received.
    const replay = [
      ask,
      {
        role: "assistant",
        content: null,
        reasoning_content: "Looking it up.",
        thinking_blocks: thinking,
        tool_calls: [toolCall],
      },
      { role: "tool", tool_call_id: "call_g1", content: "sunny" },
    ];

    function expectReplayed(req: ChatRequest | undefined) {
      expect(req?.messages[1]).toMatchObject({
        reasoning_content: "Looking it up.",
        thinking_blocks: thinking,
        tool_calls: [{ id: "call_g1", extra_content: extra }],
      });
    }

    it("on /api, JSON and stream", async () => {
      answerWithReasoning();
      const json = await c.api({
        provider: "google",
        model: "gemini-2.5-flash",
        messages: replay,
        tools: [weather],
      });
      expect(json.status, JSON.stringify(json.body)).toBe(200);
      expect(json.body).toMatchObject({
        reasoning_content: "Looking it up.",
        thinking_blocks: thinking,
        tool_calls: [toolCall],
      });
      expectReplayed(requests.at(-1));
      // 100 × 0.0000003 + 20 × 0.0000025
      expect(json.body.cost.total_cost_exact).toBe("0.00008");

      const stream = await c.apiStream({
        provider: "google",
        model: "gemini-2.5-flash",
        messages: replay,
        tools: [weather],
      });
      const answer = assemble(stream.events);
      expect(answer).toMatchObject({
        reasoning: "Looking it up.",
        thinking,
        finish: "tool_calls",
        done: true,
      });
      expect(answer.calls).toEqual([
        { id: "call_g1", name: "get_weather", arguments: '{"city":"Paris"}', extra_content: extra },
      ]);
      expect(answer.usage.cost_usd).toBe("0.00008");
      expectReplayed(requests.at(-1));
    });

    it("on /v1 through the official SDK, JSON and stream", async () => {
      answerWithReasoning();
      const completion = await c.openai.chat.completions.create({
        model: "google/gemini-2.5-flash",
        messages: replay as never,
        tools: [weather] as never,
      });
      const message = completion.choices[0]!.message as any;
      expect(message.reasoning_content).toBe("Looking it up.");
      expect(message.thinking_blocks).toEqual(thinking);
      expect(message.tool_calls).toEqual([toolCall]);
      expectReplayed(requests.at(-1));

      const stream = await c.openai.chat.completions.create({
        model: "google/gemini-2.5-flash",
        messages: replay as never,
        tools: [weather] as never,
        stream: true,
      });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const answer = assemble([...chunks, "[DONE]"]);
      expect(answer).toMatchObject({ reasoning: "Looking it up.", thinking, finish: "tool_calls" });
      expect(answer.calls[0]).toMatchObject({ id: "call_g1", extra_content: extra });
    });
  });
});
