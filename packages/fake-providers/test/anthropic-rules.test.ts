import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../src";

/** The Anthropic fake refuses what the real Messages API refuses, in Anthropic's error shape. */

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider("anthropic");
});
afterAll(() => fake.close());

const HEADERS = {
  "x-api-key": "test-key",
  "anthropic-version": "2023-06-01",
  "content-type": "application/json",
};
const hi = [{ role: "user", content: "Hi" }];

async function send(body: Record<string, unknown>) {
  const response = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function refusal(body: Record<string, unknown>): Promise<string> {
  const { status, json } = await send(body);
  expect(status).toBe(400);
  expect(json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  expect(String(json.request_id)).toMatch(/^req_/);
  return (json.error as { message: string }).message;
}

const base = { model: "claude-sonnet-4-5", max_tokens: 64, messages: hi };
const weatherTool = { name: "get_weather", input_schema: { type: "object", properties: {} } };
const toolUse = (id: string) => ({ type: "tool_use", id, name: "get_weather", input: {} });
const toolResult = (id: string) => ({ type: "tool_result", tool_use_id: id, content: "sunny" });

describe("anthropic fake: request rules", () => {
  it("requires max_tokens and at least one message", async () => {
    expect(await refusal({ model: "claude-sonnet-4-5", messages: hi })).toBe("max_tokens: Field required");
    expect(await refusal({ ...base, messages: [] })).toBe("messages: at least one message is required");
    expect((await send(base)).status).toBe(200);
  });

  it("accepts temperature only up to 1", async () => {
    expect(await refusal({ ...base, temperature: 1.5 })).toContain("less than or equal to 1");
    expect((await send({ ...base, temperature: 1 })).status).toBe(200);
  });

  it.each(["claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-sonnet-5", "claude-fable-5"])(
    "%s accepts temperature only as 1 and top_p only from 0.99",
    async (model) => {
      expect(await refusal({ ...base, model, temperature: 0.5 })).toBe(
        "`temperature` is deprecated for this model.",
      );
      expect(await refusal({ ...base, model, top_p: 0.9 })).toBe("`top_p` is deprecated for this model.");
      expect(await refusal({ ...base, model, top_k: 5 })).toBe("`top_k` is deprecated for this model.");
      expect((await send({ ...base, model, temperature: 1, top_p: 0.99 })).status).toBe(200);
    },
  );

  it.each(["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-opus-4-6"])(
    "%s refuses temperature and top_p together",
    async (model) => {
      expect(await refusal({ ...base, model, temperature: 0.5, top_p: 0.9 })).toBe(
        "temperature and top_p cannot both be specified for this model. Please use only one.",
      );
      expect((await send({ ...base, model, temperature: 0.5 })).status).toBe(200);
      expect((await send({ ...base, model, top_p: 0.9 })).status).toBe(200);
    },
  );

  it("refuses whitespace-only stop sequences", async () => {
    expect(await refusal({ ...base, stop_sequences: ["END", "\n "] })).toBe(
      "stop_sequences: each stop sequence must contain non-whitespace",
    );
    expect((await send({ ...base, stop_sequences: ["END"] })).status).toBe(200);
  });

  it("refuses tool ids outside Anthropic's pattern", async () => {
    const messages = [
      ...hi,
      { role: "assistant", content: [toolUse("call.1")] },
      { role: "user", content: [toolResult("call.1")] },
    ];
    expect(await refusal({ ...base, tools: [weatherTool], messages })).toBe(
      "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    );
  });

  it("pairs each tool_use with a tool_result in the next user turn, results first", async () => {
    const ask = { ...base, tools: [weatherTool] };
    const unanswered = [...hi, { role: "assistant", content: [toolUse("toolu_a"), toolUse("toolu_b")] }];
    expect(
      await refusal({
        ...ask,
        messages: [...unanswered, { role: "user", content: [toolResult("toolu_a")] }],
      }),
    ).toContain(
      "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_b.",
    );
    expect(
      await refusal({ ...ask, messages: [...unanswered, { role: "user", content: "what now?" }] }),
    ).toContain("toolu_a, toolu_b");
    expect(
      await refusal({
        ...ask,
        messages: [
          ...hi,
          { role: "assistant", content: "ok" },
          { role: "user", content: [toolResult("toolu_x")] },
        ],
      }),
    ).toContain("unexpected `tool_use_id` found in `tool_result` blocks: toolu_x");
    const textFirst = [{ type: "text", text: "here:" }, toolResult("toolu_a"), toolResult("toolu_b")];
    expect(
      await refusal({ ...ask, messages: [...unanswered, { role: "user", content: textFirst }] }),
    ).toContain("`tool_result` blocks must come first");
    const resultsFirst = [toolResult("toolu_a"), toolResult("toolu_b"), { type: "text", text: "thanks" }];
    expect(
      (await send({ ...ask, messages: [...unanswered, { role: "user", content: resultsFirst }] })).status,
    ).toBe(200);
  });

  it("checks the thinking budget against 1024 and max_tokens", async () => {
    expect(
      await refusal({ ...base, max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 512 } }),
    ).toContain("budget_tokens: Input should be greater than or equal to 1024");
    expect(
      await refusal({ ...base, max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 2048 } }),
    ).toContain("`max_tokens` must be greater than `thinking.budget_tokens`");
    expect(
      (await send({ ...base, max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 1024 } })).status,
    ).toBe(200);
  });

  it("takes adaptive thinking only where the model has it, and only it where the model requires it", async () => {
    const budget = { type: "enabled", budget_tokens: 1024 };
    expect(
      await refusal({ ...base, model: "claude-opus-4-7", max_tokens: 4096, thinking: budget }),
    ).toContain("thinking.type.enabled is not supported for this model");
    expect(await refusal({ ...base, thinking: { type: "adaptive" } })).toContain(
      "thinking.type.adaptive is not supported",
    );
    expect(await refusal({ ...base, output_config: { effort: "high" } })).toContain(
      "does not support the effort",
    );
    const adaptive = {
      ...base,
      model: "claude-opus-4-7",
      thinking: { type: "adaptive" },
      output_config: { effort: "xhigh" },
    };
    expect((await send(adaptive)).status).toBe(200);
  });

  it("refuses sampling changes and forced tools with thinking", async () => {
    const thinking = { ...base, max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 1024 } };
    expect(await refusal({ ...thinking, temperature: 0.5 })).toContain("`temperature` may only be set to 1");
    expect(await refusal({ ...thinking, top_k: 5 })).toContain("`top_k` must be unset");
    expect(await refusal({ ...thinking, top_p: 0.9 })).toContain(
      "`top_p` must be greater than or equal to 0.95",
    );
    expect(await refusal({ ...thinking, tools: [weatherTool], tool_choice: { type: "any" } })).toBe(
      "Thinking may not be enabled when tool_choice forces tool use.",
    );
    expect(
      (await send({ ...thinking, temperature: 1, tools: [weatherTool], tool_choice: { type: "auto" } }))
        .status,
    ).toBe(200);
    expect((await send({ ...thinking, top_p: 0.95 })).status).toBe(200);
  });

  it("wants the thinking block first in the assistant turn of a tool loop, signature intact", async () => {
    const thinking = {
      ...base,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 1024 },
      tools: [weatherTool],
    };
    const first = await send({ ...thinking, messages: [{ role: "user", content: "TOOLCALL get_weather" }] });
    const content = first.json.content as Record<string, unknown>[];
    expect(content.map((block) => block.type)).toEqual(["thinking", "tool_use"]);
    const [block, use] = content as [Record<string, unknown>, Record<string, unknown>];
    const loop = (assistant: unknown[]) => [
      { role: "user", content: "TOOLCALL get_weather" },
      { role: "assistant", content: assistant },
      { role: "user", content: [toolResult(String(use.id))] },
    ];
    expect(await refusal({ ...thinking, messages: loop([use]) })).toContain(
      "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`.",
    );
    expect(await refusal({ ...thinking, messages: loop([{ ...block, thinking: "edited" }, use]) })).toBe(
      "messages.1.content.0: Invalid `signature` in `thinking` block",
    );
    const second = await send({ ...thinking, messages: loop([block, use]) });
    expect(second.status).toBe(200);
    // No new thinking block right after tool results.
    expect(second.json.content).toEqual([{ type: "text", text: "Tool result: sunny" }]);
  });

  it("refuses an assistant turn that ends in a thinking block", async () => {
    const thinking = { ...base, max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 1024 } };
    const first = await send({ ...thinking, messages: [{ role: "user", content: "Hi" }] });
    const [block] = first.json.content as Record<string, unknown>[];
    const messages = [...hi, { role: "assistant", content: [block] }, { role: "user", content: "More?" }];
    expect(await refusal({ ...thinking, messages })).toBe(
      "messages.1: The final block in an assistant message cannot be `thinking`.",
    );
  });

  it("checks output_config.format and service_tier", async () => {
    expect(await refusal({ ...base, output_config: { format: { type: "json_object" } } })).toContain(
      "'json_schema'",
    );
    expect(await refusal({ ...base, output_config: { format: { type: "json_schema" } } })).toContain(
      "schema: Field required",
    );
    expect(await refusal({ ...base, service_tier: "priority" })).toContain("'auto' or 'standard_only'");
    expect((await send({ ...base, service_tier: "standard_only" })).status).toBe(200);
  });
});

describe("anthropic fake: answers", () => {
  it("gives tool calls real toolu_ ids", async () => {
    const { json } = await send({
      ...base,
      tools: [weatherTool],
      messages: [{ role: "user", content: 'TOOLCALL get_weather {"city":"Oslo"}' }],
    });
    const [call] = json.content as Record<string, unknown>[];
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Oslo" } });
    expect(String(call?.id)).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
  });

  it("answers a structured-output request with JSON of the schema", async () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        temp: { type: "number" },
        tags: { type: "array", items: { type: "string" } },
      },
      required: ["city", "temp", "tags"],
      additionalProperties: false,
    };
    const { json } = await send({ ...base, output_config: { format: { type: "json_schema", schema } } });
    const [text] = json.content as { type: string; text: string }[];
    expect(JSON.parse(text?.text ?? "")).toEqual({ city: "fake", temp: 1, tags: ["fake"] });
  });

  it("streams a thinking block as thinking_delta then signature_delta, with thinking tokens in the usage", async () => {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify({
        ...base,
        max_tokens: 4096,
        stream: true,
        thinking: { type: "enabled", budget_tokens: 1024 },
      }),
    });
    const events = (await response.text())
      .split("\n\n")
      .filter((frame) => frame.includes("data:"))
      .map((frame) => JSON.parse(frame.slice(frame.indexOf("data:") + 5)) as Record<string, any>);
    const thinking = events.filter((event) => event.index === 0);
    expect(thinking[0]).toMatchObject({ type: "content_block_start", content_block: { type: "thinking" } });
    const deltas = thinking
      .filter((event) => event.type === "content_block_delta")
      .map((event) => event.delta.type);
    expect(deltas).toEqual(["thinking_delta", "thinking_delta", "signature_delta"]);
    expect(thinking.at(-1)).toEqual({ type: "content_block_stop", index: 0 });
    const end = events.find((event) => event.type === "message_delta");
    expect(end?.usage).toEqual({ output_tokens: 34, output_tokens_details: { thinking_tokens: 10 } });
  });

  it.each([
    ["overloaded_error", 529],
    ["billing_error", 402],
    ["timeout_error", 504],
  ])("sends a queued %s as an error event inside the stream", async (errorType, status) => {
    fake.enqueue({ type: "streamError", errorType, message: "went wrong", chunks: ["Hel"] });
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify({ ...base, stream: true }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"text":"Hel"');
    expect(
      text
        .trimEnd()
        .endsWith(
          `event: error\ndata: {"type":"error","error":{"type":"${errorType}","message":"went wrong"}}`,
        ),
    ).toBe(true);
    expect(text).not.toContain("message_stop");
    // Not streamed: an error response of the status asked for.
    fake.enqueue({ type: "streamError", errorType, message: "went wrong", status });
    const plain = await send(base);
    expect(plain.status).toBe(status);
    expect(plain.json.error).toEqual({ type: errorType, message: "went wrong" });
  });
});

describe("anthropic fake: prompt caching rules", () => {
  const cached = (ttl?: string) => ({
    type: "text",
    text: "Long context",
    cache_control: ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl },
  });
  const withSystem = (...blocks: unknown[]) => ({ ...base, system: blocks });

  it("accepts ephemeral breakpoints, 1h before 5m, up to four", async () => {
    expect((await send(withSystem(cached("1h"), cached(), cached("5m"), cached()))).status).toBe(200);
  });

  it("refuses a fifth breakpoint", async () => {
    expect(await refusal(withSystem(cached(), cached(), cached(), cached(), cached()))).toBe(
      "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    );
  });

  it("refuses an unknown type or ttl", async () => {
    expect(
      await refusal(withSystem({ type: "text", text: "x", cache_control: { type: "persistent" } })),
    ).toBe("system.0.cache_control.type: Input should be 'ephemeral'");
    expect(await refusal(withSystem(cached("2h")))).toBe(
      "system.0.cache_control.ephemeral.ttl: Input should be '5m' or '1h'",
    );
  });

  it("refuses a 1h breakpoint after a 5m one, reading tools before system and messages", async () => {
    const tools = [{ ...weatherTool, cache_control: { type: "ephemeral" } }];
    expect(await refusal({ ...withSystem(cached("1h")), tools })).toBe(
      "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block",
    );
    const messages = [{ role: "user", content: [cached("1h")] }];
    expect(await refusal({ ...withSystem(cached("5m")), messages })).toContain("must not come after");
  });
});

describe("anthropic fake: count_tokens", () => {
  const count = (body: Record<string, unknown>) =>
    fetch(`${fake.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify(body),
    });

  it("counts a body without max_tokens, by the same request rules", async () => {
    const { max_tokens: _m, ...body } = base;
    const ok = await count(body);
    expect(ok.status).toBe(200);
    const counted = JSON.stringify([null, hi, null]);
    expect(await ok.json()).toEqual({ input_tokens: Math.ceil(counted.length / 4) });
    expect((await count(base)).status).toBe(400);
    expect((await count({ ...body, messages: [] })).status).toBe(400);
  });
});
