import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { call } from "./harness";

const kind = testBackends()[0]!;

const tool = (name: string) => ({
  type: "function",
  function: { name, parameters: { type: "object", properties: {} } },
});
const user = { role: "user", content: "What is the weather?" };
const asked = {
  role: "assistant",
  content: null,
  tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }],
};

interface Case {
  name: string;
  body: Record<string, unknown>;
  /** The field the 400 must name. */
  field: string;
}

/** Bodies every surface must refuse with a 400 naming the field, before any provider is called. */
const CASES: Case[] = [
  { name: "tool_choice without tools", body: { tool_choice: "auto" }, field: "tool_choice" },
  { name: "tool_choice none without tools", body: { tool_choice: "none" }, field: "tool_choice" },
  {
    name: "a named tool_choice that is not among tools",
    body: { tools: [tool("weather")], tool_choice: { type: "function", function: { name: "news" } } },
    field: "tool_choice.function.name",
  },
  {
    name: "two tools of the same name",
    body: { tools: [tool("weather"), tool("weather")] },
    field: "tools.1.function.name",
  },
  {
    name: "a tool name with a space",
    body: { tools: [tool("get weather")] },
    field: "tools.0.function.name",
  },
  { name: "a tool name with a dot", body: { tools: [tool("weather.get")] }, field: "tools.0.function.name" },
  {
    name: "a tool name of 65 characters",
    body: { tools: [tool("w".repeat(65))] },
    field: "tools.0.function.name",
  },
  {
    name: "a json_schema name with a space",
    body: { response_format: { type: "json_schema", json_schema: { name: "the answer", schema: {} } } },
    field: "response_format.json_schema.name",
  },
  {
    name: "a json_schema schema that is an array",
    body: { response_format: { type: "json_schema", json_schema: { name: "answer", schema: [] } } },
    field: "response_format.json_schema.schema",
  },
  {
    name: "a json_schema schema that is a string",
    body: { response_format: { type: "json_schema", json_schema: { name: "answer", schema: "{}" } } },
    field: "response_format.json_schema.schema",
  },
  {
    name: "a tool message answering no call",
    body: {
      tools: [tool("weather")],
      messages: [user, asked, { role: "tool", tool_call_id: "call_9", content: "sunny" }],
    },
    field: "messages.2.tool_call_id",
  },
  {
    name: "a tool message with no assistant call before it",
    body: {
      tools: [tool("weather")],
      messages: [user, { role: "tool", tool_call_id: "call_1", content: "sunny" }],
    },
    field: "messages.1.tool_call_id",
  },
  {
    name: "a tool message without tool_call_id",
    body: { tools: [tool("weather")], messages: [user, asked, { role: "tool", content: "sunny" }] },
    field: "messages.2.tool_call_id",
  },
  {
    name: "parallel_tool_calls without tools",
    body: { parallel_tool_calls: false },
    field: "parallel_tool_calls",
  },
];

describe(`tool and response_format rules on /v1, /api and tRPC (${kind})`, () => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  const base = { messages: [user] };
  const upstreamCalls = () => f.fakes.openai.requests.length;

  it.each(CASES)("/v1 refuses $name with OpenAI's 400 naming $field", async (c) => {
    const before = upstreamCalls();
    const res = await call(`${f.t.url}/v1/chat/completions`, {
      key: f.user.key,
      body: { model: "gpt-4o-mini", ...base, ...c.body },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      param: c.field,
      code: "validation_error",
    });
    expect(upstreamCalls()).toBe(before);
  });

  it.each(CASES)("/api refuses $name with a 400 envelope naming $field", async (c) => {
    const before = upstreamCalls();
    const res = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", ...base, ...c.body },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: "validation_error" });
    expect(res.body.details[0].field).toBe(c.field);
    expect(upstreamCalls()).toBe(before);
  });

  it.each(CASES)("/api with stream: true refuses $name before the stream, naming $field", async (c) => {
    const res = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", ...base, ...c.body, stream: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.details[0].field).toBe(c.field);
  });

  it("refuses the same over tRPC (one shared definition)", async () => {
    const res = await call(`${f.t.url}/trpc/chat.completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", ...base, tool_choice: "required" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.data).toMatchObject({
      error: "validation_error",
      details: [{ field: "tool_choice" }],
    });
  });

  it("lets a well-formed tool loop through on both surfaces", async () => {
    const body = {
      tools: [tool("weather"), tool("news-2_b")],
      tool_choice: { type: "function", function: { name: "weather" } },
      parallel_tool_calls: false,
      response_format: { type: "json_schema", json_schema: { name: "Answer_1", schema: { type: "object" } } },
      messages: [user, asked, { role: "tool", tool_call_id: "call_1", content: "sunny" }],
    };
    const before = upstreamCalls();
    const v1 = await call(`${f.t.url}/v1/chat/completions`, {
      key: f.user.key,
      body: { model: "gpt-4o-mini", ...body },
    });
    expect(v1.status, JSON.stringify(v1.body)).toBe(200);
    const api = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", ...body },
    });
    expect(api.status, JSON.stringify(api.body)).toBe(200);
    // Both reached the provider (what the adapter makes of each field is its conformance suite's matter).
    expect(upstreamCalls()).toBe(before + 2);
  });
});
