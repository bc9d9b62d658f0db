import { describe, expect, it } from "vitest";
import { chatRequestSchema } from "./schema";

describe("chatRequestSchema", () => {
  it("strips unknown keys and accepts the Python SDK's explicit nulls", () => {
    const parsed = chatRequestSchema.parse({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi", extra: true }],
      max_tokens: null,
      stop: null,
      logit_bias: { "1": 2 },
    });
    expect(parsed).not.toHaveProperty("logit_bias");
    expect(parsed.messages[0]).not.toHaveProperty("extra");
    expect(parsed.max_tokens).toBeUndefined();
  });

  it("maps the developer role to system and defaults missing content to null", () => {
    const parsed = chatRequestSchema.parse({
      model: "gpt-4o",
      messages: [
        { role: "developer", content: "rules" },
        {
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
        },
      ],
    });
    expect(parsed.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", "rules"],
      ["assistant", null],
    ]);
  });

  it("rejects what no provider could take", () => {
    const base = { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] };
    expect(chatRequestSchema.safeParse({ ...base, messages: [] }).success).toBe(false);
    expect(
      chatRequestSchema.safeParse({ ...base, messages: [{ role: "robot", content: "x" }] }).success,
    ).toBe(false);
    expect(chatRequestSchema.safeParse({ ...base, temperature: 3 }).success).toBe(false);
    expect(chatRequestSchema.safeParse({ ...base, max_tokens: 0 }).success).toBe(false);
    expect(chatRequestSchema.safeParse({ ...base, model: "" }).success).toBe(false);
  });
});
