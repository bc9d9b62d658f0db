import { describe, expect, it } from "vitest";
import { formatAdjustments } from "../adjust";
import { getAdapter } from "../registry";
import type { ChatRequestInput } from "../schema";
import { chatRequest } from "../test-support";

/** adapter.adjust on Anthropic: the catalog rules and the thinking combinations, each reported. */

const adapter = getAdapter("anthropic");

function adjust(model: string, input: Partial<ChatRequestInput>, aliases: string[] = []) {
  const result = adapter.adjust(chatRequest({ model, ...input }), {
    provider: "anthropic",
    id: model,
    aliases,
  });
  return { request: result.request, header: formatAdjustments(result.adjusted) };
}

const toolLoop: Partial<ChatRequestInput> = {
  tools: [{ type: "function", function: { name: "get_weather" } }],
  messages: [
    { role: "user", content: "Weather?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
    },
    { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
  ],
};

describe("anthropic adjust: catalog rules", () => {
  it.each(["claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-sonnet-5", "claude-fable-5"])(
    "%s keeps temperature only as 1 and top_p only from 0.99",
    (model) => {
      const changed = adjust(model, { temperature: 0.3, top_p: 0.5 });
      expect(changed.header).toBe("temperature=dropped, top_p=dropped");
      expect(changed.request.temperature).toBeUndefined();
      expect(changed.request.top_p).toBeUndefined();
      const kept = adjust(model, { temperature: 1, top_p: 0.99 });
      expect(kept.header).toBe("");
      expect([kept.request.temperature, kept.request.top_p]).toEqual([1, 0.99]);
    },
  );

  it("finds a model's rules through its alias too", () => {
    expect(adjust("claude-opus-4-7-20260416", { temperature: 0.3 }).header).toBe("temperature=dropped");
  });

  it.each(["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-opus-4-5", "claude-opus-4-6"])(
    "%s sends temperature without top_p",
    (model) => {
      const { request, header } = adjust(model, { temperature: 0.3, top_p: 0.5 });
      expect(header).toBe("top_p=dropped");
      expect([request.temperature, request.top_p]).toEqual([0.3, undefined]);
    },
  );

  it("clamps temperature to 1 and filters whitespace-only stop sequences on every model", () => {
    const { request, header } = adjust("claude-3-haiku-20240307", { temperature: 1.5, stop: ["\n", "END"] });
    expect(header).toBe("temperature=clamped:1, stop=filtered");
    expect([request.temperature, request.stop]).toEqual([1, ["END"]]);
  });

  it("drops what the provider has no equivalent of, and reasoning on models without thinking", () => {
    expect(
      adjust("claude-sonnet-4-5", { seed: 1, presence_penalty: 0.5, prompt_cache_key: "k" }).header,
    ).toBe("presence_penalty=dropped, seed=dropped, prompt_cache_key=dropped");
    expect(adjust("claude-3-haiku-20240307", { reasoning_effort: "high" }).header).toBe(
      "reasoning_effort=dropped",
    );
  });
});

describe("anthropic adjust: fields and thinking", () => {
  it("maps service tiers: flex dropped, priority and scale sent as auto", () => {
    expect(adjust("claude-sonnet-4-5", { service_tier: "flex" }).header).toBe("service_tier=dropped");
    expect(adjust("claude-sonnet-4-5", { service_tier: "priority" }).header).toBe("service_tier=mapped");
    expect(adjust("claude-sonnet-4-5", { service_tier: "default" }).header).toBe("");
  });

  it("drops json_object (no schema to send) and keeps json_schema", () => {
    expect(adjust("claude-sonnet-4-5", { response_format: { type: "json_object" } }).header).toBe(
      "response_format=dropped",
    );
    const schema = { type: "json_schema" as const, json_schema: { name: "x", schema: { type: "object" } } };
    expect(adjust("claude-sonnet-4-5", { response_format: schema }).header).toBe("");
  });

  it("drops temperature other than 1 and top_p under 0.95 when thinking", () => {
    const { request, header } = adjust("claude-sonnet-4-5", { reasoning_effort: "low", temperature: 0.2 });
    expect(header).toBe("temperature=dropped");
    expect(request.reasoning_effort).toBe("low");
    expect(adjust("claude-sonnet-4-6", { reasoning_effort: "low", top_p: 0.9 }).header).toBe("top_p=dropped");
    expect(adjust("claude-sonnet-4-6", { reasoning_effort: "low", top_p: 0.96 }).header).toBe("");
    expect(adjust("claude-sonnet-4-5", { reasoning_effort: "none", temperature: 0.2 }).header).toBe("");
  });

  it("gives thinking up for a forced tool, a tool loop without thinking blocks, or no room for the budget", () => {
    const tools = toolLoop.tools;
    expect(
      adjust("claude-sonnet-4-5", { reasoning_effort: "high", tools, tool_choice: "required" }).header,
    ).toBe("reasoning_effort=dropped");
    const loop = adjust("claude-sonnet-4-5", { ...toolLoop, reasoning_effort: "high", temperature: 0.5 });
    // Without thinking the temperature stays.
    expect(loop.header).toBe("reasoning_effort=dropped");
    expect(loop.request.temperature).toBe(0.5);
    expect(adjust("claude-sonnet-4-5", { reasoning_effort: "high", max_tokens: 1024 }).header).toBe(
      "reasoning_effort=dropped",
    );
    // Adaptive thinking has no budget to fit.
    expect(adjust("claude-opus-4-7", { reasoning_effort: "high", max_tokens: 512 }).header).toBe("");
    const messages = toolLoop.messages?.map((message) =>
      message.role === "assistant"
        ? { ...message, thinking_blocks: [{ type: "thinking" as const, thinking: "t", signature: "s" }] }
        : message,
    );
    expect(adjust("claude-sonnet-4-5", { ...toolLoop, messages, reasoning_effort: "high" }).header).toBe("");
  });
});
