import { testBackends } from "@llmg/db/testing";
import type OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Conformance, startConformance } from "./support";

/**
 * DeepSeek through the gateway, against the strict fake: /v1 with the official openai package
 * and POST /api/chat/completions, asserting the exact body DeepSeek receives and the exact cost.
 * The fake answers 12 prompt and 34 completion tokens unless told otherwise; in thinking mode 8
 * of the 34 are reasoning (billed at the output rate, DeepSeek has no separate one).
 */

type Message = OpenAI.ChatCompletionMessageParam;
type Chunk = OpenAI.ChatCompletionChunk;
type ThinkingDelta = Chunk["choices"][number]["delta"] & { reasoning_content?: string };

const TOOLS: OpenAI.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
const ASK = 'TOOLCALL get_weather {"city":"Hangzhou"}';
const REASONING = "The user asked; I will answer.";

describe("deepseek conformance", () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(testBackends()[0]!);
  });
  afterAll(async () => {
    await c?.close();
  });
  afterEach(() => c.fake("deepseek").reset());

  async function stream(params: Omit<OpenAI.ChatCompletionCreateParamsStreaming, "stream">) {
    const { data, response } = await c.openai.chat.completions
      .create({ ...params, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks: Chunk[] = [];
    for await (const chunk of data) chunks.push(chunk);
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta as ThinkingDelta));
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for (const call of deltas.flatMap((delta) => delta.tool_calls ?? [])) {
      const seen = calls.get(call.index) ?? { id: "", name: "", arguments: "" };
      seen.id ||= call.id ?? "";
      seen.name ||= call.function?.name ?? "";
      seen.arguments += call.function?.arguments ?? "";
      calls.set(call.index, seen);
    }
    return {
      response,
      text: deltas.map((delta) => delta.content ?? "").join(""),
      reasoning: deltas.map((delta) => delta.reasoning_content ?? "").join(""),
      calls: [...calls.values()],
      usage: chunks.at(-1)?.usage as (OpenAI.CompletionUsage & { cost_usd?: string }) | undefined,
      finish: chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason,
    };
  }

  it("answers a plain call on /v1 with the exact body and cost", async () => {
    const { data, response } = await c.openai.chat.completions
      .create({
        model: "deepseek/deepseek-chat",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
        temperature: 0.5,
        max_tokens: 64,
        seed: 3,
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from the fake provider.");
    expect(c.lastBody("deepseek")).toEqual({
      model: "deepseek-chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      temperature: 0.5,
      max_tokens: 64,
    });
    // DeepSeek has no seed: dropped and named.
    expect(response.headers.get("x-llmg-adjusted-params")).toBe("seed=dropped");
    // 12 × 0.00000028 + 34 × 0.00000042
    expect(response.headers.get("x-llmg-cost-usd")).toBe("0.00001764");
  });

  it("streams the reasoner's reasoning_content on /v1, priced with its reasoning tokens", async () => {
    const result = await stream({
      model: "deepseek/deepseek-reasoner",
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0.2,
    });
    expect(result.reasoning).toBe(REASONING);
    expect(result.text).toBe("Hello from the fake provider.");
    expect(c.lastBody("deepseek")).toEqual({
      model: "deepseek-reasoner",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(result.response.headers.get("x-llmg-adjusted-params")).toBe("temperature=dropped");
    expect(result.usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 34,
      completion_tokens_details: { reasoning_tokens: 8 },
      // 12 × 0.00000028 + 34 × 0.00000042
      cost_usd: "0.00001764",
    });
  });

  it.each([false, true])(
    "runs a two-step tool loop in thinking mode on /v1, reasoning_content sent back (streamed: %s)",
    async (streamed) => {
      const model = "deepseek/deepseek-v4-flash";
      const first: Message[] = [{ role: "user", content: ASK }];
      let assistant: Message & { reasoning_content: string };
      if (streamed) {
        const result = await stream({ model, messages: first, tools: TOOLS });
        expect(result.finish).toBe("tool_calls");
        const [call] = result.calls;
        assistant = {
          role: "assistant",
          content: null,
          reasoning_content: result.reasoning,
          tool_calls: [
            { id: call!.id, type: "function", function: { name: call!.name, arguments: call!.arguments } },
          ],
        };
      } else {
        const data = await c.openai.chat.completions.create({ model, messages: first, tools: TOOLS });
        const message = data.choices[0]!.message as OpenAI.ChatCompletionMessage & {
          reasoning_content: string;
        };
        expect(data.choices[0]?.finish_reason).toBe("tool_calls");
        assistant = {
          role: "assistant",
          content: message.content,
          reasoning_content: message.reasoning_content,
          tool_calls: message.tool_calls!,
        };
      }
      expect(assistant.reasoning_content).toBe(REASONING);
      const call = assistant.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.function).toEqual({ name: "get_weather", arguments: '{"city":"Hangzhou"}' });
      const { data, response } = await c.openai.chat.completions
        .create({
          model,
          messages: [...first, assistant, { role: "tool", tool_call_id: call.id, content: "24℃, cloudy" }],
          tools: TOOLS,
        })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe("Tool result: 24℃, cloudy");
      expect(c.lastBody("deepseek")).toEqual({
        model: "deepseek-v4-flash",
        messages: [
          { role: "user", content: ASK },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: call.id,
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Hangzhou"}' },
              },
            ],
            reasoning_content: REASONING,
          },
          { role: "tool", content: "24℃, cloudy", tool_call_id: call.id },
        ],
        tools: TOOLS,
      });
      // 12 × 0.00000014 + 34 × 0.00000028
      expect(response.headers.get("x-llmg-cost-usd")).toBe("0.0000112");
    },
  );

  it("continues in thinking mode a tool turn that has no reasoning_content (begun elsewhere)", async () => {
    const data = await c.openai.chat.completions.create({
      model: "deepseek/deepseek-v4-pro",
      messages: [
        { role: "user", content: ASK },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "toolu_01A", type: "function", function: { name: "get_weather", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_01A", content: "sunny" },
      ],
      tools: TOOLS,
    });
    expect(data.choices[0]?.message.content).toBe("Tool result: sunny");
    const sent = c.lastBody("deepseek").messages as Record<string, unknown>[];
    expect(sent[1]).toMatchObject({ role: "assistant", reasoning_content: "" });
  });

  it("switches thinking off for reasoning_effort none, keeping the sampling parameters", async () => {
    const { response } = await c.openai.chat.completions
      .create({
        model: "deepseek/deepseek-v4-pro",
        messages: [{ role: "user", content: "Hi" }],
        reasoning_effort: "none",
        temperature: 0.4,
      })
      .withResponse();
    expect(c.lastBody("deepseek")).toEqual({
      model: "deepseek-v4-pro",
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0.4,
      thinking: { type: "disabled" },
    });
    expect(response.headers.get("x-llmg-adjusted-params")).toBe("reasoning_effort=mapped");
    // 12 × 0.000000435 + 34 × 0.00000087
    expect(response.headers.get("x-llmg-cost-usd")).toBe("0.0000348");
  });

  it("prices context-cache hits and reasoning tokens exactly", async () => {
    c.fake("deepseek").enqueue({
      type: "success",
      content: "Cached.",
      usage: { prompt: 1000, completion: 200, cachedRead: 800, reasoning: 50 },
    });
    const { data, response } = await c.openai.chat.completions
      .create({ model: "deepseek/deepseek-v4-pro", messages: [{ role: "user", content: "Again" }] })
      .withResponse();
    expect(data.usage).toMatchObject({
      prompt_tokens: 1000,
      completion_tokens: 200,
      prompt_tokens_details: { cached_tokens: 800 },
      completion_tokens_details: { reasoning_tokens: 50 },
    });
    // 200 miss × 0.000000435 + 800 hit × 0.000000003625 + 200 × 0.00000087
    expect(response.headers.get("x-llmg-cost-usd")).toBe("0.0002639");
  });

  it("asks for JSON output as DeepSeek's json_object", async () => {
    c.fake("deepseek").enqueue({ type: "success", content: '{"ok":true}' });
    const { data, response } = await c.openai.chat.completions
      .create({
        model: "deepseek/deepseek-chat",
        messages: [{ role: "user", content: "Answer in JSON" }],
        response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object" } } },
      })
      .withResponse();
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ ok: true });
    expect(response.headers.get("x-llmg-adjusted-params")).toBe("response_format=mapped:json_object");
    expect(c.lastBody("deepseek")).toEqual({
      model: "deepseek-chat",
      messages: [{ role: "user", content: "Answer in JSON" }],
      response_format: { type: "json_object" },
    });
  });

  it("runs the thinking tool loop on POST /api/chat/completions", async () => {
    const base = { provider: "deepseek", model: "deepseek-reasoner", tools: TOOLS };
    const first = await c.api({ ...base, messages: [{ role: "user", content: ASK }] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      success: true,
      finish_reason: "tool_calls",
      reasoning_content: REASONING,
      // 12 × 0.00000028 + 34 × 0.00000042
      cost: { total_cost_exact: "0.00001764" },
    });
    const [call] = first.body.tool_calls;
    const second = await c.api({
      ...base,
      messages: [
        { role: "user", content: ASK },
        {
          role: "assistant",
          content: null,
          reasoning_content: first.body.reasoning_content,
          tool_calls: [call],
        },
        { role: "tool", tool_call_id: call.id, content: "rain" },
      ],
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      content: "Tool result: rain",
      cost: { total_cost_exact: "0.00001764" },
    });
    expect(c.lastBody("deepseek")).toEqual({
      model: "deepseek-reasoner",
      messages: [
        { role: "user", content: ASK },
        { role: "assistant", content: null, tool_calls: [call], reasoning_content: REASONING },
        { role: "tool", content: "rain", tool_call_id: call.id },
      ],
      tools: TOOLS,
    });
  });
});
