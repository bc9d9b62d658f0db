import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../src";

/** The OpenAI fake refuses what the real Chat Completions API refuses (sources in src/openai-rules.ts). */

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider("openai");
});
afterAll(async () => {
  await fake.close();
});

async function send(body: Record<string, unknown>) {
  const response = await fetch(`${fake.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test-key" },
    body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }], ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const user = { role: "user", content: "Hi" };
const tool = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "function",
  function: { name, parameters: { type: "object", properties: {} }, ...extra },
});

function refusal(message: string, param: string | null, code: string | null) {
  return { status: 400, json: { error: { message, type: "invalid_request_error", param, code } } };
}

describe("openai fake: reasoning models", () => {
  it("refuses max_tokens on o-series and gpt-5 models, snapshots included", async () => {
    for (const model of ["o3", "o4-mini-2025-04-16", "gpt-5", "gpt-5.6-luna"]) {
      expect(await send({ model, max_tokens: 10 })).toEqual(
        refusal(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          "max_tokens",
          "unsupported_parameter",
        ),
      );
    }
    expect((await send({ model: "gpt-5.6", max_completion_tokens: 10 })).status).toBe(200);
    expect((await send({ model: "gpt-4o", max_tokens: 10 })).status).toBe(200);
  });

  it("refuses temperature, top_p and penalties other than the defaults", async () => {
    expect(await send({ model: "gpt-5.6", temperature: 0.2 })).toEqual(
      refusal(
        "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
        "temperature",
        "unsupported_value",
      ),
    );
    expect(await send({ model: "o3", top_p: 0.5 })).toEqual(
      refusal(
        "Unsupported parameter: 'top_p' is not supported with this model.",
        "top_p",
        "unsupported_parameter",
      ),
    );
    expect(await send({ model: "gpt-5-mini", presence_penalty: 0.5 })).toEqual(
      refusal(
        "Unsupported parameter: 'presence_penalty' is not supported with this model.",
        "presence_penalty",
        "unsupported_parameter",
      ),
    );
    expect((await send({ model: "o3", temperature: 1, top_p: 1, frequency_penalty: 0 })).status).toBe(200);
    expect((await send({ model: "gpt-5-chat-latest", temperature: 0.2 })).status).toBe(200);
    // gpt-5.1 and later take sampling parameters with reasoning_effort none, not gpt-5.
    expect((await send({ model: "gpt-5.2", temperature: 0.2, reasoning_effort: "none" })).status).toBe(200);
    expect((await send({ model: "gpt-5", temperature: 0.2, reasoning_effort: "none" })).status).toBe(400);
  });

  it("refuses stop on o3 and o4-mini only", async () => {
    expect(await send({ model: "o3", stop: ["END"] })).toEqual(
      refusal(
        "Unsupported parameter: 'stop' is not supported with this model.",
        "stop",
        "unsupported_parameter",
      ),
    );
    expect((await send({ model: "o1", stop: ["END"] })).status).toBe(200);
  });

  it("refuses reasoning_effort with function tools on gpt-5.4/5.5, and anything but none on gpt-5.6", async () => {
    const tools = [tool("f")];
    expect(await send({ model: "gpt-5.4", tools, reasoning_effort: "low" })).toEqual(
      refusal(
        "Function tools with reasoning_effort are not supported for gpt-5.4 in /v1/chat/completions. Please use /v1/responses instead.",
        "reasoning_effort",
        null,
      ),
    );
    expect((await send({ model: "gpt-5.4", tools })).status).toBe(200);
    expect((await send({ model: "gpt-5.4-mini", tools, reasoning_effort: "low" })).status).toBe(200);
    const gpt56 = refusal(
      "Function tools with reasoning_effort are not supported for gpt-5.6-terra in /v1/chat/completions. To use function tools, use /v1/responses or set reasoning_effort to 'none'.",
      "reasoning_effort",
      null,
    );
    expect(await send({ model: "gpt-5.6-terra", tools })).toEqual(gpt56);
    expect(await send({ model: "gpt-5.6-terra", tools, reasoning_effort: "high" })).toEqual(gpt56);
    expect((await send({ model: "gpt-5.6-terra", tools, reasoning_effort: "none" })).status).toBe(200);
    expect((await send({ model: "gpt-5.6-terra", reasoning_effort: "high" })).status).toBe(200);
  });

  it("refuses a reasoning_effort value the model does not take", async () => {
    expect(await send({ model: "gpt-5.6", reasoning_effort: "minimal" })).toEqual(
      refusal(
        "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'none', 'low', 'medium', 'high', 'xhigh'.",
        "reasoning_effort",
        "unsupported_value",
      ),
    );
    expect((await send({ model: "o3", reasoning_effort: "none" })).status).toBe(400);
    expect((await send({ model: "gpt-5", reasoning_effort: "xhigh" })).status).toBe(400);
    expect((await send({ model: "gpt-5.1", reasoning_effort: "minimal" })).status).toBe(400);
    expect((await send({ model: "gpt-5", reasoning_effort: "minimal" })).status).toBe(200);
    expect((await send({ model: "gpt-5.6", reasoning_effort: "xhigh" })).status).toBe(200);
  });

  it("refuses reasoning_effort on a model that does not reason", async () => {
    expect(await send({ model: "gpt-4o-mini", reasoning_effort: "low" })).toEqual(
      refusal("Unrecognized request argument supplied: reasoning_effort", null, null),
    );
  });
});

describe("openai fake: tools and response formats", () => {
  it("refuses tool_choice and parallel_tool_calls without tools", async () => {
    expect(await send({ model: "gpt-4o", tool_choice: "auto" })).toEqual(
      refusal(
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        "tool_choice",
        null,
      ),
    );
    expect(await send({ model: "gpt-4o", tools: [], parallel_tool_calls: false })).toMatchObject({
      status: 400,
      json: { error: { param: "parallel_tool_calls" } },
    });
    expect(
      (await send({ model: "gpt-4o", tools: [tool("f")], tool_choice: "auto", parallel_tool_calls: false }))
        .status,
    ).toBe(200);
  });

  it("refuses tool and response format names outside ^[a-zA-Z0-9_-]{1,64}$", async () => {
    expect(await send({ model: "gpt-4o", tools: [tool("ok"), tool("get.weather")] })).toEqual(
      refusal(
        "Invalid 'tools[1].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
        "tools[1].function.name",
        "invalid_value",
      ),
    );
    expect(await send({ model: "gpt-4o", tools: [tool("a".repeat(65))] })).toEqual(
      refusal(
        "Invalid 'tools[0].function.name': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
        "tools[0].function.name",
        "string_above_max_length",
      ),
    );
    expect((await send({ model: "gpt-4o", tools: [tool("a".repeat(64))] })).status).toBe(200);
    const format = (name: string) => ({
      type: "json_schema",
      json_schema: { name, schema: { type: "object" } },
    });
    expect(await send({ model: "gpt-4o", response_format: format("my schema") })).toMatchObject({
      status: 400,
      json: { error: { param: "response_format.json_schema.name", code: "invalid_value" } },
    });
    expect((await send({ model: "gpt-4o", response_format: format("my_schema-1") })).status).toBe(200);
  });

  it("holds strict tools and strict json_schema formats to the strict-mode schema rules", async () => {
    const open = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    expect(await send({ model: "gpt-4o", tools: [tool("f", { strict: true, parameters: open })] })).toEqual(
      refusal(
        "Invalid schema for function 'f': In context=(), 'additionalProperties' is required to be supplied and to be false.",
        "tools[0].function.parameters",
        "invalid_function_parameters",
      ),
    );
    const nested = {
      type: "object",
      additionalProperties: false,
      required: ["where"],
      properties: {
        where: { type: "object", additionalProperties: false, properties: { city: { type: "string" } } },
      },
    };
    expect(await send({ model: "gpt-4o", tools: [tool("f", { strict: true, parameters: nested })] })).toEqual(
      refusal(
        "Invalid schema for function 'f': In context=('properties', 'where'), 'required' is required to be supplied and to be an array including every key in properties. Missing 'city'.",
        "tools[0].function.parameters",
        "invalid_function_parameters",
      ),
    );
    // The same schema without strict is accepted, and a strict one that follows the rules too.
    expect((await send({ model: "gpt-4o", tools: [tool("f", { parameters: open })] })).status).toBe(200);
    const closed = { ...open, additionalProperties: false };
    expect(
      (await send({ model: "gpt-4o", tools: [tool("f", { strict: true, parameters: closed })] })).status,
    ).toBe(200);
    const format = (schema: unknown) => ({
      type: "json_schema",
      json_schema: { name: "answer", strict: true, schema },
    });
    expect(await send({ model: "gpt-4o", response_format: format(open) })).toMatchObject({
      status: 400,
      json: { error: { param: "response_format" } },
    });
    expect((await send({ model: "gpt-4o", response_format: format(closed) })).status).toBe(200);
  });
});

describe("openai fake: tool messages", () => {
  const call = (id: string) => ({ id, type: "function", function: { name: "f", arguments: "{}" } });
  const asked = { role: "assistant", content: null, tool_calls: [call("call_1"), call("call_2")] };
  const answer = (id: string) => ({ role: "tool", tool_call_id: id, content: "ok" });

  it("refuses a tool message that answers no call of the assistant message before it", async () => {
    const refused = (index: number) =>
      refusal(
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        `messages.[${index}].role`,
        null,
      );
    expect(await send({ model: "gpt-4o", messages: [user, answer("call_1")] })).toEqual(refused(1));
    expect(await send({ model: "gpt-4o", messages: [user, asked, answer("call_9")] })).toEqual(refused(2));
    expect(
      await send({
        model: "gpt-4o",
        messages: [user, asked, answer("call_1"), answer("call_2"), user, answer("call_1")],
      }),
    ).toEqual(refused(5));
  });

  it("refuses a call left unanswered before the next message or at the end", async () => {
    const refused = refusal(
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_2",
      "messages.[1].role",
      null,
    );
    expect(await send({ model: "gpt-4o", messages: [user, asked, answer("call_1"), user] })).toEqual(refused);
    expect(await send({ model: "gpt-4o", messages: [user, asked, answer("call_1")] })).toEqual(refused);
    expect(
      (await send({ model: "gpt-4o", messages: [user, asked, answer("call_2"), answer("call_1")] })).status,
    ).toBe(200);
  });
});

describe("openai fake: usage", () => {
  const usage = { prompt: 1000, completion: 10, cachedRead: 200, cacheWrite: 300 };

  it("reports cache writes as prompt_tokens_details.cache_write_tokens on gpt-5.6 and later", async () => {
    fake.enqueue({ type: "success", content: "ok", usage });
    const { json } = await send({ model: "gpt-5.6-luna" });
    expect(json.usage).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 10,
      total_tokens: 1010,
      prompt_tokens_details: { cached_tokens: 200, audio_tokens: 0, cache_write_tokens: 300 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  it("reports no cache writes on the models before", async () => {
    fake.enqueue({ type: "success", content: "ok", usage });
    const { json } = await send({ model: "gpt-5.5" });
    expect(json.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 200, audio_tokens: 0 } });
    expect(json.usage).not.toHaveProperty("prompt_tokens_details.cache_write_tokens");
  });
});
