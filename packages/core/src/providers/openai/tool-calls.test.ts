import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, testContext } from "../test-support";
import type { ToolCallDelta } from "../types";

/** Tool calls as OpenAI sends them: its call ids, and "" for a strict tool called without arguments. */

const adapter = getAdapter("openai");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("openai");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const strictNoArgs = {
  type: "function" as const,
  function: {
    name: "get_time",
    strict: true,
    parameters: { type: "object", properties: {}, required: [], additionalProperties: false },
  },
};

/** What a client gets by concatenating the deltas, as the openai SDK's stream helper does. */
function assemble(deltas: ToolCallDelta[]): { id?: string; name: string; arguments: string }[] {
  const calls: { id?: string; name: string; arguments: string }[] = [];
  for (const delta of deltas) {
    calls[delta.index] ??= { name: "", arguments: "" };
    const call = calls[delta.index]!;
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name = delta.function.name;
    if (delta.function?.arguments) call.arguments += delta.function.arguments;
  }
  return calls;
}

describe("openai tool calls", () => {
  it("gives OpenAI's call id form", async () => {
    const req = chatRequest({
      model: "gpt-4o-mini",
      tools: [strictNoArgs],
      messages: [{ role: "user", content: "TOOLCALL get_time" }],
    });
    const result = await adapter.chat(req, testContext(fake.url));
    expect(result.toolCalls?.[0]?.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
  });

  it('assembles a streamed strict call that OpenAI sends with "" arguments to "{}"', async () => {
    const req = chatRequest({
      model: "gpt-4o-mini",
      tools: [strictNoArgs],
      messages: [{ role: "user", content: "TOOLCALL get_time" }],
    });
    const { deltas, done } = await collect(adapter.chatStream(req, testContext(fake.url)));
    const toolDeltas = deltas.flatMap((delta) => delta.toolCalls ?? []);
    // The fake streamed the call with "" and never any argument text, as OpenAI does.
    expect(toolDeltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_time" } });
    expect(toolDeltas.at(-1)).toEqual({ index: 0, function: { arguments: "{}" } });
    expect(assemble(toolDeltas)).toEqual([{ id: toolDeltas[0]?.id, name: "get_time", arguments: "{}" }]);
    expect(done.finishReason).toBe("tool_calls");
  });

  it("keeps a streamed call's own arguments and adds nothing", async () => {
    const req = chatRequest({
      model: "gpt-4o-mini",
      tools: [{ type: "function", function: { name: "get_weather" } }],
      messages: [{ role: "user", content: 'TOOLCALL get_weather {"city":"Oslo"}\nTOOLCALL get_weather' }],
    });
    const { deltas } = await collect(adapter.chatStream(req, testContext(fake.url)));
    const calls = assemble(deltas.flatMap((delta) => delta.toolCalls ?? []));
    expect(calls.map((call) => call.arguments)).toEqual(['{"city":"Oslo"}', "{}"]);
  });

  it('gives "{}" for a non-streamed call that came with "" arguments', async () => {
    // A body verbatim (the "malformed" behavior sends any text): the API's answer for a strict
    // tool called without arguments (github.com/openai/openai-python/pull/3502).
    fake.enqueue({
      type: "malformed",
      body: JSON.stringify({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o-mini",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "call_abc", type: "function", function: { name: "get_time", arguments: "" } },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      }),
    });
    const result = await adapter.chat(
      chatRequest({ model: "gpt-4o-mini", tools: [strictNoArgs] }),
      testContext(fake.url),
    );
    expect(result.toolCalls).toEqual([
      { id: "call_abc", type: "function", function: { name: "get_time", arguments: "{}" } },
    ]);
  });
});
