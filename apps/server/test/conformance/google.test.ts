import { testBackends } from "@llmg/db/testing";
import { FAKE_THOUGHT_SUMMARY, geminiQuotaError } from "@llmg/fake-providers";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Conformance, startConformance } from "./support";

/**
 * Google Gemini through both surfaces against the strict Gemini fake: the exact body Gemini
 * received and the exact cost (catalog prices: gemini-3-pro-preview input 0.000002, output
 * 0.000012; gemini-2.5-flash input 0.0000003, output 0.0000025 per token).
 */

const MODEL = "gemini-3-pro-preview";
const V1_MODEL = `google/${MODEL}`;
const PATH = `/v1beta/models/${MODEL}:generateContent`;
const STREAM_PATH = `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`;

/** An OpenAI strict-mode tool: additionalProperties false, $defs and $ref, a nullable type array. */
const WEATHER_PARAMETERS = {
  type: "object",
  properties: {
    city: { $ref: "#/$defs/city" },
    unit: { type: ["string", "null"], enum: ["C", "F", null] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
  $defs: { city: { type: "string", description: "City name" } },
};
const TOOLS: OpenAI.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "weather",
      description: "Weather of a city",
      strict: true,
      parameters: WEATHER_PARAMETERS,
    },
  },
];
const GEMINI_TOOLS = [
  {
    functionDeclarations: [
      { name: "weather", description: "Weather of a city", parametersJsonSchema: WEATHER_PARAMETERS },
    ],
  },
];
const ASK = 'TOOLCALL weather {"city":"Oslo","unit":"C"}';

describe("google conformance", () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(testBackends()[0]!);
  });
  afterAll(async () => {
    await c?.close();
  });
  beforeEach(() => c.fake("google").reset());

  const google = () => c.fake("google");
  const lastPath = () => google().requests.at(-1)?.path;
  const latestRow = () =>
    c.f.t.database.db
      .selectFrom("requests")
      .selectAll()
      .where("user_id", "=", c.f.user.user.id)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();

  describe("plain", () => {
    const expected = {
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 64 },
    };
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hello" },
    ];

    it("/v1 with the openai SDK", async () => {
      google().enqueue({ type: "success", content: "Hi there", usage: { prompt: 100, completion: 50 } });
      const { data, response } = await c.openai.chat.completions
        .create({ model: V1_MODEL, messages, max_tokens: 64 })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe("Hi there");
      expect(data.choices[0]?.finish_reason).toBe("stop");
      expect(c.lastBody("google")).toEqual(expected);
      expect(lastPath()).toBe(PATH);
      // 100 × 0.000002 + 50 × 0.000012
      expect(response.headers.get("x-llmg-cost-usd")).toBe("0.0008");
    });

    it("/v1 streamed with the openai SDK", async () => {
      google().enqueue({ type: "stream", chunks: ["Hi", " there"], usage: { prompt: 100, completion: 50 } });
      const stream = await c.openai.chat.completions.create({
        model: V1_MODEL,
        messages,
        max_tokens: 64,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let usage: (OpenAI.CompletionUsage & { cost_usd?: string }) | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe("Hi there");
      expect(usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 50, cost_usd: "0.0008" });
      expect(c.lastBody("google")).toEqual(expected);
      expect(lastPath()).toBe(STREAM_PATH);
    });

    it("POST /api/chat/completions", async () => {
      google().enqueue({ type: "success", content: "Hi there", usage: { prompt: 100, completion: 50 } });
      const res = await c.api({ provider: "google", model: MODEL, messages, max_tokens: 64 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ content: "Hi there", finish_reason: "stop" });
      expect(c.lastBody("google")).toEqual(expected);
      expect(res.headers.get("x-llmg-cost-usd")).toBe("0.0008");
    });
  });

  describe("Gemini 3 tool loop", () => {
    it("/v1: the SDK's own assistant message sent back carries the thought signature", async () => {
      const first = await c.openai.chat.completions.create({
        model: V1_MODEL,
        messages: [{ role: "user", content: ASK }],
        tools: TOOLS,
      });
      const message = first.choices[0]!.message;
      expect(first.choices[0]?.finish_reason).toBe("tool_calls");
      expect(c.lastBody("google")).toEqual({
        contents: [{ role: "user", parts: [{ text: ASK }] }],
        tools: GEMINI_TOOLS,
      });
      const call = message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall & {
        extra_content?: { google?: { thought_signature?: string } };
      };
      expect(call.function).toEqual({ name: "weather", arguments: '{"city":"Oslo","unit":"C"}' });
      const signature = call.extra_content?.google?.thought_signature;
      expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);

      const { data, response } = await c.openai.chat.completions
        .create({
          model: V1_MODEL,
          tools: TOOLS,
          messages: [
            { role: "user", content: ASK },
            message,
            { role: "tool", tool_call_id: call.id, content: '{"temp":9}' },
          ],
        })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('Tool result: {"temp":9}');
      expect(c.lastBody("google")).toEqual({
        contents: [
          { role: "user", parts: [{ text: ASK }] },
          {
            role: "model",
            parts: [
              {
                functionCall: { name: "weather", args: { city: "Oslo", unit: "C" } },
                thoughtSignature: signature,
              },
            ],
          },
          { role: "user", parts: [{ functionResponse: { name: "weather", response: { temp: 9 } } }] },
        ],
        tools: GEMINI_TOOLS,
      });
      // The fake's default usage (12 prompt, 34 completion): 12 × 0.000002 + 34 × 0.000012
      expect(response.headers.get("x-llmg-cost-usd")).toBe("0.000432");
    });

    it("/v1 streamed: the call and its signature arrive in the deltas and go back", async () => {
      const stream = await c.openai.chat.completions.create({
        model: V1_MODEL,
        messages: [{ role: "user", content: ASK }],
        tools: TOOLS,
        stream: true,
      });
      let id = "";
      let name = "";
      let args = "";
      let signature: string | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finish = choice.finish_reason;
        for (const delta of choice?.delta?.tool_calls ?? []) {
          id ||= delta.id ?? "";
          name += delta.function?.name ?? "";
          args += delta.function?.arguments ?? "";
          const extra = (delta as { extra_content?: { google?: { thought_signature?: string } } })
            .extra_content;
          signature ??= extra?.google?.thought_signature;
        }
      }
      expect(finish).toBe("tool_calls");
      expect({ name, args }).toEqual({ name: "weather", args: '{"city":"Oslo","unit":"C"}' });
      expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(lastPath()).toBe(STREAM_PATH);

      const second = await c.openai.chat.completions.create({
        model: V1_MODEL,
        tools: TOOLS,
        stream: true,
        messages: [
          { role: "user", content: ASK },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id,
                type: "function",
                function: { name, arguments: args },
                extra_content: { google: { thought_signature: signature } },
              } as OpenAI.ChatCompletionMessageToolCall,
            ],
          },
          { role: "tool", tool_call_id: id, content: "sunny" },
        ],
      });
      let text = "";
      for await (const chunk of second) text += chunk.choices[0]?.delta?.content ?? "";
      expect(text).toBe("Tool result: sunny");
      expect((c.lastBody("google").contents as any[])[1]).toEqual({
        role: "model",
        parts: [
          {
            functionCall: { name: "weather", args: { city: "Oslo", unit: "C" } },
            thoughtSignature: signature,
          },
        ],
      });
    });

    it("POST /api/chat/completions: the returned tool call sent back unchanged", async () => {
      const first = await c.api({
        provider: "google",
        model: MODEL,
        messages: [{ role: "user", content: ASK }],
        tools: TOOLS,
      });
      expect(first.status).toBe(200);
      expect(first.body.finish_reason).toBe("tool_calls");
      const calls = first.body.tool_calls as any[];
      expect(calls[0].extra_content.google.thought_signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const second = await c.api({
        provider: "google",
        model: MODEL,
        tools: TOOLS,
        messages: [
          { role: "user", content: ASK },
          { role: "assistant", content: null, tool_calls: calls },
          { role: "tool", tool_call_id: calls[0].id, content: "sunny" },
        ],
      });
      expect(second.status).toBe(200);
      expect(second.body.content).toBe("Tool result: sunny");
      expect((c.lastBody("google").contents as any[])[1].parts[0].thoughtSignature).toBe(
        calls[0].extra_content.google.thought_signature,
      );
      expect(second.headers.get("x-llmg-cost-usd")).toBe("0.000432");
    });

    it("a call made by another provider gets the documented dummy signature and is accepted", async () => {
      const res = await c.openai.chat.completions.create({
        model: V1_MODEL,
        tools: TOOLS,
        messages: [
          { role: "user", content: ASK },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "toolu_01",
                type: "function",
                function: { name: "weather", arguments: '{"city":"Oslo"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "toolu_01", content: "cold" },
        ],
      });
      expect(res.choices[0]?.message.content).toBe("Tool result: cold");
      expect((c.lastBody("google").contents as any[])[1].parts[0]).toEqual({
        functionCall: { name: "weather", args: { city: "Oslo" } },
        thoughtSignature: "skip_thought_signature_validator",
      });
    });
  });

  it("JSON schema output goes out as responseJsonSchema", async () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "string" } },
      required: ["answer"],
      additionalProperties: false,
    };
    google().enqueue({ type: "success", content: '{"answer":"42"}', usage: { prompt: 100, completion: 50 } });
    const { data, response } = await c.openai.chat.completions
      .create({
        model: V1_MODEL,
        messages: [{ role: "user", content: "Answer" }],
        response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
      })
      .withResponse();
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ answer: "42" });
    expect(c.lastBody("google")).toEqual({
      contents: [{ role: "user", parts: [{ text: "Answer" }] }],
      generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema },
    });
    expect(response.headers.get("x-llmg-cost-usd")).toBe("0.0008");
  });

  describe("reasoning", () => {
    it("/v1: reasoning_effort as thinkingLevel, the thought summary as reasoning_content, thoughts billed", async () => {
      google().enqueue({
        type: "success",
        content: "Done.",
        usage: { prompt: 100, completion: 50, reasoning: 30 },
      });
      const { data, response } = await c.openai.chat.completions
        .create({ model: V1_MODEL, messages: [{ role: "user", content: "Think" }], reasoning_effort: "low" })
        .withResponse();
      const message = data.choices[0]!.message as OpenAI.ChatCompletionMessage & {
        reasoning_content?: string;
      };
      expect(message.content).toBe("Done.");
      expect(message.reasoning_content).toBe(FAKE_THOUGHT_SUMMARY);
      expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(30);
      expect(c.lastBody("google")).toEqual({
        contents: [{ role: "user", parts: [{ text: "Think" }] }],
        generationConfig: { thinkingConfig: { thinkingLevel: "low", includeThoughts: true } },
      });
      // Thoughts are output: 100 × 0.000002 + 50 × 0.000012
      expect(response.headers.get("x-llmg-cost-usd")).toBe("0.0008");
    });

    it("/api: an effort the model lacks is moved to its nearest level and reported", async () => {
      const res = await c.api({
        provider: "google",
        model: MODEL,
        messages: [{ role: "user", content: "Think" }],
        reasoning_effort: "medium",
        // With tools: without them OpenAI (and so both surfaces) refuse parallel_tool_calls.
        tools: TOOLS,
        parallel_tool_calls: true,
      });
      expect(res.status).toBe(200);
      expect(res.body.reasoning_content).toBe(FAKE_THOUGHT_SUMMARY);
      expect(c.lastBody("google").generationConfig).toEqual({
        thinkingConfig: { thinkingLevel: "high", includeThoughts: true },
      });
      const adjusted = res.headers.get("x-llmg-adjusted-params") ?? "";
      expect(adjusted.split(", ").sort()).toEqual([
        "parallel_tool_calls=dropped",
        "reasoning_effort=clamped:high",
      ]);
    });

    it("/v1 on Gemini 2.5: a thinking budget", async () => {
      await c.openai.chat.completions.create({
        model: "google/gemini-2.5-flash",
        messages: [{ role: "user", content: "Think" }],
        reasoning_effort: "none",
      });
      expect(c.lastBody("google").generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    });
  });

  describe("finish reasons that leave no usable answer", () => {
    const usage = { prompt: 100, completion: 10 };
    // 100 × 0.000002 + 10 × 0.000012
    const cost = "0.00032";

    it.each(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"])(
      "%s: a 502 on /v1 and /api, billed all the same",
      async (reason) => {
        google().enqueue({ type: "success", content: "", finishReason: reason, usage });
        const error = await c.openai.chat.completions
          .create({ model: V1_MODEL, messages: [{ role: "user", content: ASK }], tools: TOOLS })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
        let row = await latestRow();
        expect(row).toMatchObject({
          provider: "google",
          model: MODEL,
          http_status: 502,
          prompt_tokens: 100,
          completion_tokens: 10,
        });
        expect(row.total_cost.replace(/0+$/, "")).toBe(cost);

        google().enqueue({ type: "success", content: "", finishReason: reason, usage });
        const res = await c.api({
          provider: "google",
          model: MODEL,
          messages: [{ role: "user", content: ASK }],
        });
        expect(res.status).toBe(502);
        expect(JSON.stringify(res.body)).toContain(reason);
        row = await latestRow();
        expect(row).toMatchObject({ http_status: 502, prompt_tokens: 100, completion_tokens: 10 });
        expect(row.total_cost.replace(/0+$/, "")).toBe(cost);
      },
    );

    it("MALFORMED_FUNCTION_CALL streamed: the stream fails and the usage is billed", async () => {
      google().enqueue({ type: "stream", chunks: [], finishReason: "MALFORMED_FUNCTION_CALL", usage });
      // Nothing was streamed before the reason came: the gateway still answers with the 502.
      const failure = await (async () => {
        const stream = await c.openai.chat.completions.create({
          model: V1_MODEL,
          messages: [{ role: "user", content: ASK }],
          tools: TOOLS,
          stream: true,
        });
        for await (const _ of stream) {
          // drain
        }
      })().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect(failure).toBeInstanceOf(Error);
      const row = await latestRow();
      expect(row).toMatchObject({ stream: true, prompt_tokens: 100, completion_tokens: 10 });
      expect(row.total_cost.replace(/0+$/, "")).toBe(cost);
    });

    it("SAFETY and LANGUAGE are content_filter", async () => {
      for (const reason of ["SAFETY", "LANGUAGE"]) {
        google().enqueue({ type: "success", finishReason: reason, usage });
        const res = await c.openai.chat.completions.create({
          model: V1_MODEL,
          messages: [{ role: "user", content: "x" }],
        });
        expect(res.choices[0]?.finish_reason).toBe("content_filter");
      }
    });
  });

  describe("errors", () => {
    it("a quota 429: RetryInfo's retryDelay becomes retry-after on /v1 and /api", async () => {
      google().enqueue({ type: "error", status: 429, body: geminiQuotaError("13s") });
      const error = await c.openai.chat.completions
        .create({ model: V1_MODEL, messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after")).toBe("13");
      google().enqueue({ type: "error", status: 429, body: geminiQuotaError("13s") });
      const res = await c.api({
        provider: "google",
        model: MODEL,
        messages: [{ role: "user", content: "x" }],
      });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("13");
    });
  });
});
