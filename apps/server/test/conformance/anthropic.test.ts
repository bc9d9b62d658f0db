import { testBackends } from "@llmg/db/testing";
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Conformance, startConformance } from "./support";

/**
 * Anthropic through both surfaces against the strict fake (which refuses what the Messages API
 * refuses): the exact body the fake received, the adjusted-params header and the exact cost.
 * claude-sonnet-4-5 costs 0.000003 per input token, 0.000015 per output token (0.0000003 cache
 * read, 0.00000375 cache write); claude-opus-4-7 0.000005 / 0.000025 (models.generated.json).
 */

let c: Conformance;
beforeAll(async () => {
  c = await startConformance(testBackends()[0]!);
});
afterAll(async () => {
  await c?.close();
});
beforeEach(() => c.fake("anthropic").reset());

const V1_MODEL = "anthropic/claude-sonnet-4-5";
const API = { provider: "anthropic", model: "claude-sonnet-4-5" };
/** Without a client max_tokens a non-streamed call gets what the official SDK sends unstreamed. */
const NON_STREAMING_MAX = 21_333;
/** claude-sonnet-4-5's maxOutputTokens, the default cap of a stream. */
const STREAM_MAX = 64_000;

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const weatherWire = {
  name: "get_weather",
  description: "Current weather",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const ASK = 'Weather in Oslo?\nTOOLCALL get_weather {"city":"Oslo"}';

type Params = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
async function v1(params: Omit<Params, "model"> & { model?: string } & Record<string, unknown>) {
  const { data, response } = await c.openai.chat.completions
    .create({ model: V1_MODEL, ...params } as Params)
    .withResponse();
  return { data, headers: response.headers };
}

async function v1Stream(params: Record<string, unknown>) {
  const stream = await c.openai.chat.completions.create({
    model: V1_MODEL,
    stream: true,
    stream_options: { include_usage: true },
    ...params,
  } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined;
  const calls: { id: string; name: string; arguments: string }[] = [];
  const deltas: Record<string, unknown>[] = [];
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    if (delta) deltas.push(delta as Record<string, unknown>);
    text += delta?.content ?? "";
    for (const call of delta?.tool_calls ?? []) {
      const slot = calls[call.index] ?? { id: "", name: "", arguments: "" };
      calls[call.index] = slot;
      slot.id += call.id ?? "";
      slot.name += call.function?.name ?? "";
      slot.arguments += call.function?.arguments ?? "";
    }
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, usage, calls, deltas };
}

describe("anthropic conformance: plain and streamed", () => {
  it("plain on /v1: exact body and cost", async () => {
    c.fake("anthropic").enqueue({
      type: "success",
      content: "Bonjour",
      usage: { prompt: 20, completion: 5 },
    });
    const { data, headers } = await v1({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
    });
    expect(data.choices[0]?.message.content).toBe("Bonjour");
    expect(c.lastBody("anthropic")).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: NON_STREAMING_MAX,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
    });
    // 20 × 0.000003 + 5 × 0.000015
    expect(headers.get("x-llmg-cost-usd")).toBe("0.000135");
    expect(headers.get("x-llmg-adjusted-params")).toBeNull();
  });

  it("plain on /api with cache reads and writes priced exactly", async () => {
    c.fake("anthropic").enqueue({
      type: "success",
      content: "Bonjour",
      usage: { prompt: 100, completion: 50, cachedRead: 40, cacheWrite: 10 },
    });
    const res = await c.api({ ...API, messages: [{ role: "user", content: "Hi" }], max_tokens: 200 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      content: "Bonjour",
      usage: { prompt_tokens: 100, cached_tokens: 40, cache_write_tokens: 10 },
    });
    expect(c.lastBody("anthropic")).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 200,
      messages: [{ role: "user", content: "Hi" }],
    });
    // 50 × 0.000003 + 40 × 0.0000003 + 10 × 0.00000375 + 50 × 0.000015
    expect(res.headers.get("x-llmg-cost-usd")).toBe("0.0009495");
  });

  it("streamed on /v1: the model's maximum as the cap, usage in the last chunk", async () => {
    c.fake("anthropic").enqueue({
      type: "stream",
      chunks: ["Hel", "lo"],
      usage: { prompt: 9, completion: 3 },
    });
    const { text, usage } = await v1Stream({ messages: [{ role: "user", content: "Hi" }] });
    expect(text).toBe("Hello");
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3 });
    expect(c.lastBody("anthropic")).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: STREAM_MAX,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
  });
});

describe("anthropic conformance: tool loop", () => {
  const secondBody = (id: string) => ({
    model: "claude-sonnet-4-5",
    max_tokens: 300,
    messages: [
      { role: "user", content: ASK },
      {
        role: "assistant",
        content: [{ type: "tool_use", id, name: "get_weather", input: { city: "Oslo" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "sunny" }] },
    ],
    tools: [weatherWire],
  });

  it("two steps on /v1, not streamed", async () => {
    const first = await v1({
      messages: [{ role: "user", content: ASK }],
      tools: [weatherTool],
      max_tokens: 300,
    });
    const call = first.data.choices[0]?.message
      .tool_calls?.[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(first.data.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call.id).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Oslo" });
    // DEFAULT usage 12 in, 34 out: 12 × 0.000003 + 34 × 0.000015
    expect(first.headers.get("x-llmg-cost-usd")).toBe("0.000546");
    const second = await v1({
      messages: [
        { role: "user", content: ASK },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
      tools: [weatherTool],
      max_tokens: 300,
    });
    expect(second.data.choices[0]?.message.content).toBe("Tool result: sunny");
    expect(c.lastBody("anthropic")).toEqual(secondBody(call.id));
  });

  it("two steps on /v1, streamed", async () => {
    const first = await v1Stream({
      messages: [{ role: "user", content: ASK }],
      tools: [weatherTool],
      max_tokens: 300,
    });
    const [call] = first.calls;
    expect(call?.id).toMatch(/^toolu_01/);
    expect(JSON.parse(call?.arguments ?? "")).toEqual({ city: "Oslo" });
    const second = await v1Stream({
      messages: [
        { role: "user", content: ASK },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: call?.id, type: "function", function: { name: call?.name, arguments: call?.arguments } },
          ],
        },
        { role: "tool", tool_call_id: call?.id, content: "sunny" },
      ],
      tools: [weatherTool],
      max_tokens: 300,
    });
    expect(second.text).toBe("Tool result: sunny");
    expect(c.lastBody("anthropic")).toEqual({ ...secondBody(call?.id ?? ""), stream: true });
  });

  it("two steps on /api, with a foreign tool-call id rewritten the same way in both blocks", async () => {
    const first = await c.api({
      ...API,
      messages: [{ role: "user", content: ASK }],
      tools: [weatherTool],
      max_tokens: 300,
    });
    expect(first.body.finish_reason).toBe("tool_calls");
    const foreign = "call.get_weather:0";
    const second = await c.api({
      ...API,
      messages: [
        { role: "user", content: ASK },
        { role: "assistant", content: null, tool_calls: [{ ...first.body.tool_calls[0], id: foreign }] },
        { role: "tool", tool_call_id: foreign, content: "sunny" },
      ],
      tools: [weatherTool],
      max_tokens: 300,
    });
    expect(second.status).toBe(200);
    expect(second.body.content).toBe("Tool result: sunny");
    const body = c.lastBody("anthropic") as ReturnType<typeof secondBody>;
    const mapped = (body.messages[1]?.content as { id: string }[] | undefined)?.[0]?.id ?? "";
    expect(mapped).toMatch(/^call_get_weather_0_[0-9a-f]{8}$/);
    expect(body).toEqual(secondBody(mapped));
  });

  it("parallel_tool_calls: false is disable_parallel_tool_use", async () => {
    await v1({
      messages: [{ role: "user", content: ASK }],
      tools: [weatherTool],
      parallel_tool_calls: false,
      max_tokens: 300,
    });
    expect(c.lastBody("anthropic").tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
  });
});

describe("anthropic conformance: structured output", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, temperature: { type: "number" } },
    required: ["city", "temperature"],
    additionalProperties: false,
  };
  it.each(["v1", "api"])("json_schema is output_config.format (%s)", async (surface) => {
    const request = {
      messages: [{ role: "user" as const, content: "Weather as JSON" }],
      response_format: {
        type: "json_schema" as const,
        json_schema: { name: "weather", schema, strict: true },
      },
      max_tokens: 300,
    };
    const content =
      surface === "v1"
        ? (await v1(request)).data.choices[0]?.message.content
        : (await c.api({ ...API, ...request })).body.content;
    expect(JSON.parse(content ?? "")).toEqual({ city: "fake", temperature: 1 });
    expect(c.lastBody("anthropic")).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 300,
      messages: [{ role: "user", content: "Weather as JSON" }],
      output_config: { format: { type: "json_schema", schema } },
    });
  });

  it("json_object is dropped and named (no schema to send)", async () => {
    const { headers } = await v1({
      messages: [{ role: "user", content: "JSON please" }],
      response_format: { type: "json_object" },
      max_tokens: 50,
    });
    expect(headers.get("x-llmg-adjusted-params")).toBe("response_format=dropped");
    expect(c.lastBody("anthropic").output_config).toBeUndefined();
  });
});

describe("anthropic conformance: reasoning", () => {
  it("thinking with a tool loop on /v1, the thinking blocks sent back first", async () => {
    const ask = { tools: [weatherTool], max_tokens: 4000, reasoning_effort: "low" as const };
    const first = await v1({ ...ask, messages: [{ role: "user", content: ASK }] });
    const message = first.data.choices[0]?.message as OpenAI.Chat.ChatCompletionMessage & {
      reasoning_content?: string;
      thinking_blocks?: { type: string; thinking: string; signature: string }[];
    };
    expect(message.reasoning_content).toBe("Let me think about this step by step before answering.");
    expect(message.thinking_blocks).toEqual([
      { type: "thinking", thinking: message.reasoning_content, signature: expect.any(String) },
    ]);
    expect(first.data.usage?.completion_tokens_details?.reasoning_tokens).toBe(10);
    expect(c.lastBody("anthropic")).toMatchObject({ thinking: { type: "enabled", budget_tokens: 2048 } });
    const call = message.tool_calls?.[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    const second = await v1({
      ...ask,
      messages: [
        { role: "user", content: ASK },
        {
          role: "assistant",
          content: null,
          tool_calls: [call],
          thinking_blocks: message.thinking_blocks,
        } as never,
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
    });
    expect(second.data.choices[0]?.message.content).toBe("Tool result: sunny");
    expect(c.lastBody("anthropic")).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4000,
      messages: [
        { role: "user", content: ASK },
        {
          role: "assistant",
          content: [
            message.thinking_blocks?.[0],
            { type: "tool_use", id: call.id, name: "get_weather", input: { city: "Oslo" } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "sunny" }] },
      ],
      tools: [weatherWire],
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
  });

  it("streamed thinking on /v1 arrives as reasoning_content and one whole thinking block", async () => {
    const { deltas, text } = await v1Stream({
      messages: [{ role: "user", content: "Hi" }],
      reasoning_effort: "high",
      max_tokens: 20_000,
    });
    expect(deltas.map((delta) => delta.reasoning_content ?? "").join("")).toBe(
      "Let me think about this step by step before answering.",
    );
    expect(deltas.flatMap((delta) => (delta.thinking_blocks as unknown[] | undefined) ?? [])).toHaveLength(1);
    expect(text).toBe("Hello from the fake provider.");
    expect(c.lastBody("anthropic").thinking).toEqual({ type: "enabled", budget_tokens: 8192 });
  });

  it("adaptive thinking with effort on Opus 4.7 (/api), reasoning priced as output", async () => {
    c.fake("anthropic").enqueue({
      type: "success",
      content: "Done",
      usage: { prompt: 10, completion: 40, reasoning: 30 },
    });
    const res = await c.api({
      provider: "anthropic",
      model: "claude-opus-4-7",
      messages: [{ role: "user", content: "Think hard" }],
      reasoning_effort: "xhigh",
      max_tokens: 2000,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      content: "Done",
      reasoning_content: "Let me think about this step by step before answering.",
    });
    expect(res.body.usage).toMatchObject({ completion_tokens: 40, reasoning_tokens: 30 });
    expect(c.lastBody("anthropic")).toEqual({
      model: "claude-opus-4-7",
      max_tokens: 2000,
      messages: [{ role: "user", content: "Think hard" }],
      thinking: { type: "adaptive" },
      output_config: { effort: "xhigh" },
    });
    // 10 × 0.000005 + 40 × 0.000025
    expect(res.headers.get("x-llmg-cost-usd")).toBe("0.00105");
  });
});

describe("anthropic conformance: parameter rules", () => {
  const cases: {
    name: string;
    model: string;
    params: Record<string, unknown>;
    header: string;
    sent: Record<string, unknown>;
  }[] = [
    {
      name: "temperature above 1 is clamped",
      model: "claude-sonnet-4-5",
      params: { temperature: 1.5 },
      header: "temperature=clamped:1",
      sent: { temperature: 1 },
    },
    {
      name: "Opus 4.7 takes temperature only as 1 and top_p from 0.99",
      model: "claude-opus-4-7",
      params: { temperature: 0.3, top_p: 0.5 },
      header: "temperature=dropped, top_p=dropped",
      sent: {},
    },
    {
      name: "Opus 4.7 keeps temperature 1 and top_p 0.99",
      model: "claude-opus-4-7",
      params: { temperature: 1, top_p: 0.99 },
      header: "",
      sent: { temperature: 1, top_p: 0.99 },
    },
    {
      name: "Sonnet 4.5 refuses temperature with top_p",
      model: "claude-sonnet-4-5",
      params: { temperature: 0.3, top_p: 0.5 },
      header: "top_p=dropped",
      sent: { temperature: 0.3 },
    },
    {
      name: "whitespace-only stop sequences are filtered",
      model: "claude-sonnet-4-5",
      params: { stop: ["\n", "END"] },
      header: "stop=filtered",
      sent: { stop_sequences: ["END"] },
    },
    {
      name: "thinking drops a temperature change",
      model: "claude-sonnet-4-5",
      params: { reasoning_effort: "medium", temperature: 0.2 },
      header: "temperature=dropped",
      sent: { thinking: { type: "enabled", budget_tokens: 4096 } },
    },
    {
      name: "a forced tool drops thinking",
      model: "claude-sonnet-4-5",
      params: { reasoning_effort: "medium", tools: [weatherTool], tool_choice: "required" },
      header: "reasoning_effort=dropped",
      sent: { tools: [weatherWire], tool_choice: { type: "any" } },
    },
    {
      name: "service_tier default is standard_only",
      model: "claude-sonnet-4-5",
      params: { service_tier: "default" },
      header: "",
      sent: { service_tier: "standard_only" },
    },
    {
      name: "service_tier flex has no equivalent",
      model: "claude-sonnet-4-5",
      params: { service_tier: "flex" },
      header: "service_tier=dropped",
      sent: {},
    },
    {
      name: "seed has no equivalent",
      model: "claude-sonnet-4-5",
      params: { seed: 7 },
      header: "seed=dropped",
      sent: {},
    },
  ];

  it.each(cases)("$name (/v1 and /api)", async ({ model, params, header, sent }) => {
    const messages = [{ role: "user", content: "Hi" }];
    const expected = { model, max_tokens: 5000, messages, ...sent };
    const { headers } = await v1({
      model: `anthropic/${model}`,
      messages: messages as never,
      max_tokens: 5000,
      ...params,
    });
    expect(headers.get("x-llmg-adjusted-params") ?? "").toBe(header);
    expect(c.lastBody("anthropic")).toEqual(expected);
    const res = await c.api({ provider: "anthropic", model, messages, max_tokens: 5000, ...params });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmg-adjusted-params") ?? "").toBe(header);
    expect(c.lastBody("anthropic")).toEqual(expected);
  });
});

describe("anthropic conformance: errors inside a stream", () => {
  it.each([
    ["billing_error", 402],
    ["timeout_error", 504],
  ])("a long non-streamed call made as a stream answers %s as %i (/api)", async (errorType, status) => {
    c.fake("anthropic").enqueue({ type: "streamError", errorType, message: "upstream refused" });
    const res = await c.api({
      ...API,
      messages: [{ role: "user", content: "Write a book" }],
      max_tokens: 50_000,
    });
    expect(c.lastBody("anthropic")).toMatchObject({ max_tokens: 50_000, stream: true });
    expect(res.status).toBe(status);
    expect(JSON.stringify(res.body)).toContain("upstream refused");
  });
});

describe("anthropic conformance: errors inside a stream on /v1", () => {
  it("an overloaded_error after some text ends the SDK's stream with that error", async () => {
    c.fake("anthropic").enqueue({
      type: "streamError",
      errorType: "overloaded_error",
      message: "Overloaded",
      chunks: ["Par", "tial"],
    });
    let text = "";
    const failure = await (async () => {
      try {
        const stream = await c.openai.chat.completions.create({
          model: V1_MODEL,
          messages: [{ role: "user", content: "Hi" }],
          stream: true,
        });
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(text).toBe("Partial");
    expect(failure?.message).toContain("Overloaded");
  });

  it("a billing_error before any text is the answer's status, 402", async () => {
    c.fake("anthropic").enqueue({
      type: "streamError",
      errorType: "billing_error",
      message: "Your credit balance is too low",
    });
    const failure = await c.openai.chat.completions
      .create({ model: V1_MODEL, messages: [{ role: "user", content: "Hi" }], stream: true })
      .then(async (stream) => {
        for await (const _chunk of stream) {
          // drained
        }
      })
      .catch((error: unknown) => error as { status?: number; message: string });
    expect(failure).toMatchObject({ status: 402 });
    expect(failure?.message).toContain("credit balance is too low");
  });
});
