import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../src";

/** The Mistral fake's request validation and its own tool-call ids, over raw HTTP. */

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider("mistral");
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

async function post(body: Record<string, unknown>) {
  const res = await fetch(`${fake.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test-key" },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const TOOLS = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];
const conversation = (id: string) => [
  { role: "user", content: "TOOLCALL lookup" },
  {
    role: "assistant",
    content: "",
    tool_calls: [{ id, type: "function", function: { name: "lookup", arguments: "{}" } }],
  },
  { role: "tool", tool_call_id: id, name: "lookup", content: "42" },
];

describe("mistral fake", () => {
  it("answers tool calls with 9-alphanumeric ids, streamed whole in one delta", async () => {
    const body = {
      model: "mistral-small-latest",
      messages: conversation("abcDEF123").slice(0, 1),
      tools: TOOLS,
    };
    const json = JSON.parse((await post(body)).text);
    expect(json.choices[0].message.tool_calls[0].id).toMatch(/^[a-zA-Z0-9]{9}$/);
    const { text } = await post({ ...body, stream: true });
    const calls = text
      .split("\n\n")
      .filter((line) => line.startsWith("data: {"))
      .flatMap((line) => JSON.parse(line.slice(6)).choices[0].delta.tool_calls ?? []);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/),
      function: { name: "lookup", arguments: "{}" },
      index: 0,
    });
  });

  it("continues a loop whose ids are its own form", async () => {
    const res = await post({
      model: "mistral-small-latest",
      messages: conversation("abcDEF123"),
      tools: TOOLS,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).choices[0].message.content).toBe("Tool result: 42");
  });

  it("refuses another id form as the API does", async () => {
    const res = await post({
      model: "mistral-small-latest",
      messages: conversation("call_abc123"),
      tools: TOOLS,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      object: "error",
      message: "Tool call id was call_abc123 but must be a-z, A-Z, 0-9, with a length of 9.",
      type: "invalid_function_call",
      param: null,
      code: "3280",
      raw_status_code: 400,
    });
  });

  it("refuses fields its schema does not know with a 422 whose message is an object", async () => {
    const res = await post({
      model: "mistral-small-latest",
      messages: [
        { role: "user", content: "Hi", name: "ann" },
        { role: "assistant", content: "Hello", reasoning_content: "hm" },
      ],
      max_completion_tokens: 5,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text)).toEqual({
      object: "error",
      message: {
        detail: [
          {
            type: "extra_forbidden",
            loc: ["body", "max_completion_tokens"],
            msg: "Extra inputs are not permitted",
            input: 5,
          },
          {
            type: "extra_forbidden",
            loc: ["body", "stream_options"],
            msg: "Extra inputs are not permitted",
            input: { include_usage: true },
          },
          {
            type: "extra_forbidden",
            loc: ["body", "messages", 0, "user", "name"],
            msg: "Extra inputs are not permitted",
            input: "ann",
          },
          {
            type: "extra_forbidden",
            loc: ["body", "messages", 1, "assistant", "reasoning_content"],
            msg: "Extra inputs are not permitted",
            input: "hm",
          },
        ],
      },
      type: "invalid_request_error",
      param: null,
      code: null,
    });
  });

  it("refuses a tool without parameters, as its schema requires them", async () => {
    const res = await post({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
      tools: [{ type: "function", function: { name: "now" } }],
    });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).message.detail).toEqual([
      {
        type: "missing",
        loc: ["body", "tools", 0, "function", "parameters"],
        msg: "Field required",
        input: { name: "now" },
      },
    ]);
  });

  it("answers finish_reason error from a queued behavior, streamed with usage on the last chunk", async () => {
    const body = { model: "mistral-small-latest", messages: [{ role: "user", content: "Hi" }] };
    fake.enqueue({ type: "success", finishReason: "error" }, { type: "stream", finishReason: "error" });
    expect(JSON.parse((await post(body)).text).choices[0].finish_reason).toBe("error");
    const last = (await post({ ...body, stream: true })).text
      .split("\n\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)))
      .at(-1);
    expect(last.choices[0].finish_reason).toBe("error");
    expect(last.usage).toEqual({ prompt_tokens: 12, completion_tokens: 34, total_tokens: 46 });
  });
});
