import { ZERO_USAGE } from "@llmg/core";
import { describe, expect, it } from "vitest";
import { AnswerAssembler, cacheable, decodeAnswer, replayEvents } from "./answer";

const usage = { ...ZERO_USAGE, promptTokens: 9, completionTokens: 4 };

describe("cached answers", () => {
  it("assembles a stream's deltas into the answer the client saw, and replays it as deltas", () => {
    const assembler = new AnswerAssembler();
    assembler.add({ type: "delta", reasoningContent: "Think" });
    assembler.add({ type: "delta", reasoningContent: "ing." });
    assembler.add({ type: "delta", content: "Hel" });
    assembler.add({ type: "delta", content: "lo" });
    assembler.add({
      type: "delta",
      toolCalls: [{ index: 0, id: "call_1", function: { name: "f", arguments: '{"a"' } }],
    });
    assembler.add({ type: "delta", toolCalls: [{ index: 0, function: { arguments: ":1}" } }] });
    const answer = assembler.answer("tool_calls", usage);
    expect(answer).toEqual({
      v: 1,
      content: "Hello",
      reasoningContent: "Thinking.",
      toolCalls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      finishReason: "tool_calls",
      usage,
    });
    expect(replayEvents(answer)).toEqual([
      { type: "delta", reasoningContent: "Thinking." },
      { type: "delta", content: "Hello" },
      {
        type: "delta",
        toolCalls: [
          { index: 0, id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
        ],
      },
    ]);
    expect(new AnswerAssembler().answer("stop", usage).content).toBeNull();
  });

  it("caches complete text answers only, unless told to cache all", () => {
    const text = new AnswerAssembler();
    text.add({ type: "delta", content: "Hi" });
    expect(cacheable(text.answer("stop", usage), false)).toBe(true);
    expect(cacheable(text.answer("length", usage), false)).toBe(false);
    expect(cacheable(text.answer("content_filter", usage), false)).toBe(false);
    const tool = new AnswerAssembler();
    tool.add({ type: "delta", toolCalls: [{ index: 0, id: "c", function: { name: "f", arguments: "{}" } }] });
    expect(cacheable(tool.answer("stop", usage), false)).toBe(false);
    expect(cacheable(tool.answer("tool_calls", usage), true)).toBe(true);
  });

  it("reads back only entries this version wrote", () => {
    const good = { v: 1, content: "Hi", finishReason: "stop", usage };
    expect(decodeAnswer(JSON.stringify(good))).toEqual(good);
    for (const bad of [
      "not json",
      "null",
      JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, finishReason: "done" }),
      JSON.stringify({ ...good, usage: { ...usage, promptTokens: -1 } }),
      JSON.stringify({ ...good, content: 5 }),
    ]) {
      expect(decodeAnswer(bad), bad).toBeUndefined();
    }
  });
});
