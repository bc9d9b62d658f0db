import { testBackends } from "@llmg/db/testing";
import { DEFAULT_FAKE_CHUNKS } from "@llmg/fake-providers";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Conformance, startConformance } from "./support";

/**
 * OpenAI through the gateway, against the strict fake (fake-providers src/openai-rules.ts): the
 * official SDK on /v1 and POST /api/chat/completions, the exact body OpenAI received and the exact
 * cost. Catalog prices per token: gpt-4o-mini 0.00000015 in / 0.0000006 out; o4-mini 0.0000011 /
 * 0.0000044; gpt-5.6 0.000005 in, 0.0000005 cache read, 0.00000625 cache write, 0.00003 out.
 */

let c: Conformance;
const FAKE_TEXT = DEFAULT_FAKE_CHUNKS.join("");
/** Every answer's usage unless a test queues its own: 100 × 0.00000015 + 20 × 0.0000006 on gpt-4o-mini. */
const USAGE = { prompt: 100, completion: 20 };
const MINI_COST = "0.000027";

beforeAll(async () => {
  c = await startConformance(testBackends()[0]!);
});
afterAll(async () => {
  await c?.close();
});
beforeEach(() => {
  c.fake("openai").reset();
  c.fake("openai").setDefault({ type: "success", usage: USAGE });
});

const system = { role: "system" as const, content: "Be brief." };
const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    strict: true,
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    },
  },
};

/** The tool calls of a stream's chunks, put together as a client does. */
function assemble(chunks: OpenAI.ChatCompletionChunk[]) {
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  for (const delta of chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])) {
    calls[delta.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } };
    const call = calls[delta.index]!;
    if (delta.id) call.id = delta.id;
    call.function.name += delta.function?.name ?? "";
    call.function.arguments += delta.function?.arguments ?? "";
  }
  return calls;
}

async function streamed(
  params: Omit<OpenAI.ChatCompletionCreateParamsStreaming, "stream" | "stream_options">,
) {
  const stream = await c.openai.chat.completions.create({
    ...params,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  const usage = chunks.at(-1)?.usage as (OpenAI.CompletionUsage & { cost_usd?: string }) | undefined;
  return { chunks, text, usage, toolCalls: assemble(chunks) };
}

describe("openai conformance: plain and streamed", () => {
  const messages = [system, { role: "user" as const, content: "Hello" }];
  const expectedBody = {
    model: "gpt-4o-mini",
    messages,
    temperature: 0.3,
    max_tokens: 50,
    seed: 7,
    user: "u-1",
    service_tier: "default",
  };

  it("/v1 sends the call as it came and prices it", async () => {
    const { data, response } = await c.openai.chat.completions
      .create({
        model: "gpt-4o-mini",
        messages,
        temperature: 0.3,
        max_tokens: 50,
        seed: 7,
        user: "u-1",
        service_tier: "default",
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(FAKE_TEXT);
    expect(c.lastBody("openai")).toEqual(expectedBody);
    expect(response.headers.get("x-llmg-cost-usd")).toBe(MINI_COST);
    expect(response.headers.get("x-llmg-adjusted-params")).toBeNull();
  });

  it("/api sends the same body and prices it the same", async () => {
    const res = await c.api({
      provider: "openai",
      model: "gpt-4o-mini",
      messages,
      temperature: 0.3,
      max_tokens: 50,
      seed: 7,
      user: "u-1",
      service_tier: "default",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ content: FAKE_TEXT, finish_reason: "stop" });
    expect(c.lastBody("openai")).toEqual(expectedBody);
    expect(res.headers.get("x-llmg-cost-usd")).toBe(MINI_COST);
    expect(res.body.cost.total_cost_exact).toBe(MINI_COST);
  });

  it("/v1 streams, asks OpenAI for the usage chunk and prices it", async () => {
    const { text, usage } = await streamed({ model: "gpt-4o-mini", messages, max_tokens: 50 });
    expect(text).toBe(FAKE_TEXT);
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-4o-mini",
      messages,
      max_tokens: 50,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 20, cost_usd: MINI_COST });
  });
});

describe("openai conformance: tools", () => {
  const ask = { role: "user" as const, content: 'TOOLCALL get_weather {"city":"Paris"}' };

  it("/v1 runs a two-step tool loop with OpenAI's call ids and its body rules", async () => {
    const first = await c.openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [ask],
      tools: [weather],
      tool_choice: "auto",
      parallel_tool_calls: false,
    });
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Paris"}' },
      },
    ]);
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-4o-mini",
      messages: [ask],
      tools: [weather],
      tool_choice: "auto",
      parallel_tool_calls: false,
    });
    const callId = message.tool_calls![0]!.id;
    const { data, response } = await c.openai.chat.completions
      .create({
        model: "gpt-4o-mini",
        messages: [ask, message, { role: "tool", tool_call_id: callId, content: "18C" }],
        tools: [weather],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Tool result: 18C");
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-4o-mini",
      messages: [
        ask,
        { role: "assistant", content: null, tool_calls: message.tool_calls },
        { role: "tool", tool_call_id: callId, content: "18C" },
      ],
      tools: [weather],
    });
    expect(response.headers.get("x-llmg-cost-usd")).toBe(MINI_COST);
  });

  it("/v1 runs the loop streamed, with parallel calls", async () => {
    const twoCities = {
      role: "user" as const,
      content: 'TOOLCALL get_weather {"city":"Paris"}\nTOOLCALL get_weather {"city":"Oslo"}',
    };
    const first = await streamed({ model: "gpt-4o-mini", messages: [twoCities], tools: [weather] });
    expect(first.toolCalls.map((call) => call.function)).toEqual([
      { name: "get_weather", arguments: '{"city":"Paris"}' },
      { name: "get_weather", arguments: '{"city":"Oslo"}' },
    ]);
    expect(first.chunks.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls");
    const [paris, oslo] = first.toolCalls;
    const second = await streamed({
      model: "gpt-4o-mini",
      messages: [
        twoCities,
        { role: "assistant", content: null, tool_calls: first.toolCalls },
        { role: "tool", tool_call_id: oslo!.id, content: "4C" },
        { role: "tool", tool_call_id: paris!.id, content: "18C" },
      ],
      tools: [weather],
    });
    expect(second.text).toBe("Tool result: 4C; 18C");
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-4o-mini",
      messages: [
        twoCities,
        { role: "assistant", content: null, tool_calls: first.toolCalls },
        { role: "tool", tool_call_id: oslo!.id, content: "4C" },
        { role: "tool", tool_call_id: paris!.id, content: "18C" },
      ],
      tools: [weather],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(second.usage?.cost_usd).toBe(MINI_COST);
  });

  it('/v1 gives "{}" for a strict tool OpenAI calls with "" arguments, streamed', async () => {
    const clock = {
      type: "function" as const,
      function: {
        name: "get_time",
        strict: true,
        parameters: { type: "object", properties: {}, required: [], additionalProperties: false },
      },
    };
    const { toolCalls } = await streamed({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "TOOLCALL get_time" }],
      tools: [clock],
    });
    expect(toolCalls.map((call) => call.function)).toEqual([{ name: "get_time", arguments: "{}" }]);
  });

  it("/api runs the two-step tool loop with parallel calls", async () => {
    const twoCities = {
      role: "user",
      content: 'TOOLCALL get_weather {"city":"Paris"}\nTOOLCALL get_weather {"city":"Oslo"}',
    };
    const first = await c.api({
      provider: "openai",
      model: "gpt-4o-mini",
      messages: [twoCities],
      tools: [weather],
    });
    expect(first.status).toBe(200);
    expect(first.body.finish_reason).toBe("tool_calls");
    const calls = first.body.tool_calls as { id: string }[];
    expect(calls).toHaveLength(2);
    const second = await c.api({
      provider: "openai",
      model: "gpt-4o-mini",
      messages: [
        twoCities,
        { role: "assistant", content: null, tool_calls: calls },
        { role: "tool", tool_call_id: calls[0]!.id, content: "18C" },
        { role: "tool", tool_call_id: calls[1]!.id, content: "4C" },
      ],
      tools: [weather],
    });
    expect(second.status).toBe(200);
    expect(second.body.content).toBe("Tool result: 18C; 4C");
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-4o-mini",
      messages: [
        twoCities,
        { role: "assistant", content: null, tool_calls: calls },
        { role: "tool", tool_call_id: calls[0]!.id, content: "18C" },
        { role: "tool", tool_call_id: calls[1]!.id, content: "4C" },
      ],
      tools: [weather],
    });
    expect(second.body.cost.total_cost_exact).toBe(MINI_COST);
  });

  it("passes OpenAI's 400 for an unanswered call through with its message", async () => {
    const res = await c.api({
      provider: "openai",
      model: "gpt-4o-mini",
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } },
          ],
        },
        { role: "user", content: "Well?" },
      ],
      tools: [weather],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(
      "The following tool_call_ids did not have response messages: call_1",
    );
  });
});

describe("openai conformance: structured output", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, temp: { type: "number" } },
    required: ["city", "temp"],
    additionalProperties: false,
  };
  const format = { type: "json_schema" as const, json_schema: { name: "weather", strict: true, schema } };

  it("/v1 and /api send a strict json_schema response format as it came", async () => {
    const answer = '{"city":"Paris","temp":18}';
    c.fake("openai").enqueue({ type: "success", content: answer, usage: USAGE });
    const viaV1 = await c.openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: format,
    });
    expect(JSON.parse(viaV1.choices[0]!.message.content!)).toEqual({ city: "Paris", temp: 18 });
    const expected = {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: format,
    };
    expect(c.lastBody("openai")).toEqual(expected);

    c.fake("openai").enqueue({ type: "success", content: answer, usage: USAGE });
    const viaApi = await c.api({
      provider: "openai",
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: format,
    });
    expect(viaApi.body.content).toBe(answer);
    expect(c.lastBody("openai")).toEqual(expected);
    expect(viaApi.body.cost.total_cost_exact).toBe(MINI_COST);
  });

  it("raises OpenAI's 400 for a strict schema that breaks the strict-mode rules", async () => {
    const loose = {
      ...format,
      json_schema: { ...format.json_schema, schema: { ...schema, additionalProperties: true } },
    };
    const error = await c.openai.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }], response_format: loose })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain(
      "'additionalProperties' is required to be supplied and to be false",
    );
  });
});

describe("openai conformance: reasoning models", () => {
  const messages = [{ role: "user" as const, content: "Think, then answer." }];
  // o4-mini: 100 × 0.0000011 + 50 × 0.0000044 (reasoning is billed as output)
  const usage = { prompt: 100, completion: 50, reasoning: 30 };
  const O4_MINI_COST = "0.00033";

  it("/v1 drops temperature, moves max_tokens and forwards reasoning_effort, naming each change", async () => {
    c.fake("openai").enqueue({ type: "success", content: "42", usage });
    const { data, response } = await c.openai.chat.completions
      .create({ model: "o4-mini", messages, reasoning_effort: "high", temperature: 0.2, max_tokens: 100 })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("42");
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(30);
    expect(response.headers.get("x-llmg-adjusted-params")).toBe("temperature=dropped, max_tokens=mapped");
    expect(c.lastBody("openai")).toEqual({
      model: "o4-mini",
      messages,
      max_completion_tokens: 100,
      reasoning_effort: "high",
    });
    expect(response.headers.get("x-llmg-cost-usd")).toBe(O4_MINI_COST);
  });

  it("/v1 keeps the client's max_completion_tokens as it came, reporting nothing", async () => {
    c.fake("openai").enqueue({ type: "success", content: "42", usage });
    const { response } = await c.openai.chat.completions
      .create({ model: "o4-mini", messages, max_completion_tokens: 88 })
      .withResponse();
    expect(response.headers.get("x-llmg-adjusted-params")).toBeNull();
    expect(c.lastBody("openai")).toEqual({ model: "o4-mini", messages, max_completion_tokens: 88 });
  });

  it("/api takes max_completion_tokens too, the name reasoning models want", async () => {
    c.fake("openai").enqueue({ type: "success", content: "42", usage });
    const res = await c.api({ provider: "openai", model: "o4-mini", messages, max_completion_tokens: 77 });
    expect(res.status).toBe(200);
    // Named as the model wants it: nothing was changed, nothing is reported.
    expect(res.headers.get("x-llmg-adjusted-params")).toBeNull();
    expect(c.lastBody("openai")).toEqual({ model: "o4-mini", messages, max_completion_tokens: 77 });
    expect(res.body.cost.total_cost_exact).toBe(O4_MINI_COST);
  });

  it("/api does the same", async () => {
    c.fake("openai").enqueue({ type: "success", content: "42", usage });
    const res = await c.api({
      provider: "openai",
      model: "o4-mini",
      messages,
      reasoning_effort: "high",
      temperature: 0.2,
      top_p: 0.5,
      max_tokens: 100,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmg-adjusted-params")).toBe(
      "temperature=dropped, top_p=dropped, max_tokens=mapped",
    );
    expect(c.lastBody("openai")).toEqual({
      model: "o4-mini",
      messages,
      max_completion_tokens: 100,
      reasoning_effort: "high",
    });
    expect(res.body.usage).toMatchObject({ completion_tokens: 50, reasoning_tokens: 30 });
    expect(res.body.cost.total_cost_exact).toBe(O4_MINI_COST);
  });

  it("/v1 sets reasoning_effort none for gpt-5.6 with function tools, as the API demands", async () => {
    const { response } = await c.openai.chat.completions
      .create({ model: "gpt-5.6", messages, tools: [weather], reasoning_effort: "high" })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmg-adjusted-params")).toBe("reasoning_effort=clamped:none");
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-5.6",
      messages,
      tools: [weather],
      reasoning_effort: "none",
    });
  });
});

describe("openai conformance: prompt cache writes", () => {
  // gpt-5.6: 470 uncached × 0.000005 + 1024 reads × 0.0000005 + 512 writes × 0.00000625
  // + 300 output × 0.00003 = 0.00235 + 0.000512 + 0.0032 + 0.009 = 0.015062
  const usage = { prompt: 2006, completion: 300, cachedRead: 1024, cacheWrite: 512, reasoning: 192 };
  const COST = "0.015062";
  const messages = [{ role: "user" as const, content: "Long shared prefix..." }];

  it("/api bills cache writes at gpt-5.6's cache-write rate and reports them", async () => {
    c.fake("openai").enqueue({ type: "success", content: "ok", usage });
    const res = await c.api({
      provider: "openai",
      model: "gpt-5.6",
      messages,
      prompt_cache_key: "tenant-7",
      // /api takes the output cap as max_tokens; gpt-5.6 wants it as max_completion_tokens.
      max_tokens: 500,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmg-adjusted-params")).toBe("max_tokens=mapped");
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-5.6",
      messages,
      max_completion_tokens: 500,
      prompt_cache_key: "tenant-7",
    });
    expect(res.body.usage).toEqual({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      cached_tokens: 1024,
      cache_write_tokens: 512,
      reasoning_tokens: 192,
    });
    expect(res.body.cost.total_cost_exact).toBe(COST);
    expect(res.headers.get("x-llmg-cost-usd")).toBe(COST);
  });

  it("/v1 bills the same, streamed or not", async () => {
    c.fake("openai").enqueue({ type: "success", content: "ok", usage }, { type: "stream", usage });
    const { response } = await c.openai.chat.completions
      .create({ model: "gpt-5.6", messages, prompt_cache_key: "tenant-7" })
      .withResponse();
    expect(response.headers.get("x-llmg-cost-usd")).toBe(COST);
    const { usage: streamedUsage } = await streamed({
      model: "gpt-5.6",
      messages,
      prompt_cache_key: "tenant-7",
    });
    expect(streamedUsage?.cost_usd).toBe(COST);
    expect(c.lastBody("openai")).toEqual({
      model: "gpt-5.6",
      messages,
      prompt_cache_key: "tenant-7",
      stream: true,
      stream_options: { include_usage: true },
    });
  });
});
