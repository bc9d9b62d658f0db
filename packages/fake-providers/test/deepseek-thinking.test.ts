import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../src";
import { DEEPSEEK_FAKE_REASONING, DEEPSEEK_FAKE_REASONING_TOKENS } from "../src/deepseek-rules";

/** The DeepSeek fake's thinking mode and the refusals the docs state, over raw HTTP. */

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider("deepseek");
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
const toolTurn = (extra: Record<string, unknown>) => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }],
  ...extra,
});

describe("deepseek fake: thinking mode", () => {
  it.each([
    ["deepseek-reasoner", {}],
    ["deepseek-v4-pro", {}],
    ["deepseek-v4-flash", {}],
    ["deepseek-chat", { thinking: { type: "enabled" } }],
  ])("%s %j answers reasoning_content and reasoning tokens", async (model, extra) => {
    const { status, text } = await post({ model, messages: [{ role: "user", content: "Hi" }], ...extra });
    expect(status).toBe(200);
    const json = JSON.parse(text);
    expect(json.choices[0].message).toEqual({
      role: "assistant",
      content: "Hello from the fake provider.",
      reasoning_content: DEEPSEEK_FAKE_REASONING,
    });
    expect(json.usage.completion_tokens_details).toEqual({
      reasoning_tokens: DEEPSEEK_FAKE_REASONING_TOKENS,
    });
  });

  it.each([
    ["deepseek-chat", {}],
    ["deepseek-v4-pro", { thinking: { type: "disabled" } }],
  ])("%s %j answers without reasoning", async (model, extra) => {
    const json = JSON.parse(
      (await post({ model, messages: [{ role: "user", content: "Hi" }], ...extra })).text,
    );
    expect(json.choices[0].message.reasoning_content).toBeUndefined();
    expect(json.usage.completion_tokens_details).toBeUndefined();
  });

  it("streams the reasoning as reasoning_content deltas before the content", async () => {
    const { text } = await post({
      model: "deepseek-reasoner",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = text
      .split("\n\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)));
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice: { delta: unknown }) => choice.delta));
    const reasoning = deltas.map((delta) => delta.reasoning_content ?? "").join("");
    expect(reasoning).toBe(DEEPSEEK_FAKE_REASONING);
    const firstContent = deltas.findIndex(
      (delta) => typeof delta.content === "string" && delta.content !== "",
    );
    const lastReasoning = deltas.findLastIndex((delta) => typeof delta.reasoning_content === "string");
    expect(lastReasoning).toBeLessThan(firstContent);
    expect(chunks.at(-1).usage.completion_tokens_details).toEqual({
      reasoning_tokens: DEEPSEEK_FAKE_REASONING_TOKENS,
    });
  });

  it("refuses a tool-call turn sent back without its reasoning_content, in thinking mode only", async () => {
    const messages = [
      { role: "user", content: "TOOLCALL lookup" },
      toolTurn({}),
      { role: "tool", tool_call_id: "call_1", content: "42" },
    ];
    const refused = await post({ model: "deepseek-v4-flash", messages, tools: TOOLS });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({
      error: {
        message: "The `reasoning_content` in the thinking mode must be passed back to the API.",
        type: "invalid_request_error",
        param: null,
        code: "invalid_request_error",
      },
    });
    const off = await post({
      model: "deepseek-v4-flash",
      messages,
      tools: TOOLS,
      thinking: { type: "disabled" },
    });
    expect(off.status).toBe(200);
    const withReasoning = [messages[0], toolTurn({ reasoning_content: "look it up" }), messages[2]];
    const accepted = await post({ model: "deepseek-v4-flash", messages: withReasoning, tools: TOOLS });
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.text).choices[0].message.content).toBe("Tool result: 42");
  });

  it("refuses logprobs in thinking mode", async () => {
    const messages = [{ role: "user", content: "Hi" }];
    expect((await post({ model: "deepseek-reasoner", messages, logprobs: true })).status).toBe(400);
    expect((await post({ model: "deepseek-chat", messages, logprobs: true })).status).toBe(200);
  });
});
