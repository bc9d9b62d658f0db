import { describe, expect, it } from "vitest";
import type { ChatCall } from "../chat/call";
import { cacheKey, cacheScope, canonicalJson } from "./key";

const principal = (userId: string, teamId: string | null) =>
  ({ userId, teamId }) as unknown as ChatCall["principal"];
const model = { provider: "openai", id: "gpt-4o-mini" } as unknown as ChatCall["model"];
const call = (request: Record<string, unknown>, who = principal("usr_a", null)) => ({
  principal: who,
  model,
  request: {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hi" }],
    ...request,
  } as ChatCall["request"],
});

describe("response cache key", () => {
  it("writes canonical JSON: keys sorted at every depth, undefined members left out, arrays in order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: undefined, w: null }], c: "s" } })).toBe(
      '{"a":{"c":"s","d":[2,{"w":null,"y":1}]},"b":1}',
    );
  });

  it("is the same whatever the field order, and differs with any field that shapes the answer", () => {
    const base = cacheKey(call({ temperature: 0.2, max_tokens: 10 }));
    expect(cacheKey(call({ max_tokens: 10, temperature: 0.2 }))).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    for (const change of [
      { temperature: 0.3, max_tokens: 10 },
      { temperature: 0.2, max_tokens: 11 },
      { temperature: 0.2, max_tokens: 10, seed: 1 },
      { temperature: 0.2, max_tokens: 10, stop: ["x"] },
      { temperature: 0.2, max_tokens: 10, response_format: { type: "json_object" } },
      { temperature: 0.2, max_tokens: 10, messages: [{ role: "user", content: "hi!" }] },
    ]) {
      expect(cacheKey(call(change)), JSON.stringify(change)).not.toBe(base);
    }
  });

  it("leaves out who the end user is and the provider's prompt cache hint", () => {
    const base = cacheKey(call({}));
    expect(cacheKey(call({ user: "end-user-42", prompt_cache_key: "k" }))).toBe(base);
  });

  it("is scoped to the user, or to the key's team", () => {
    const mine = cacheKey(call({}, principal("usr_a", null)));
    expect(cacheKey(call({}, principal("usr_b", null)))).not.toBe(mine);
    const teamA = cacheKey(call({}, principal("usr_a", "team_1")));
    expect(teamA).not.toBe(mine);
    expect(cacheKey(call({}, principal("usr_b", "team_1")))).toBe(teamA);
    expect(cacheKey(call({}, principal("usr_b", "team_2")))).not.toBe(teamA);
    expect(cacheScope({ principal: principal("usr_a", "team_1") })).toBe("team:team_1");
    expect(cacheScope({ principal: principal("usr_a", null) })).toBe("user:usr_a");
  });

  it("keeps a route's cache-everything entries apart from those plain calls read", () => {
    const plain = cacheKey({ ...call({}), cache: { kind: "store", ttlSeconds: 60 } });
    expect(cacheKey(call({}))).toBe(plain);
    expect(cacheKey({ ...call({}), cache: { kind: "store", ttlSeconds: 60, cacheAll: true } })).not.toBe(
      plain,
    );
  });
});
