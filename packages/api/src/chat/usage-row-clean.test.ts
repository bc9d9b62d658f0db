import type { UsageRowValues } from "@llmg/db";
import { describe, expect, it } from "vitest";
import { cleanUsageRow } from "./usage-row-clean";

const base: UsageRowValues = {
  id: "req_1",
  user_id: "usr_1",
  api_key_id: null,
  credential_id: null,
  provider: "openai",
  model: "gpt-4o-mini",
  endpoint: "v1",
  stream: false,
  status: "success",
  http_status: 200,
  error_code: null,
  error_message: null,
  prompt_tokens: 1,
  completion_tokens: 1,
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  usage_estimated: false,
  prompt_cost: "0",
  completion_cost: "0",
  total_cost: "0",
  latency_ms: 1,
  ttft_ms: null,
  ip: null,
  user_agent: null,
  metadata: null,
  request_body: null,
  response_body: null,
  tags: ["search", "ci"],
  run_id: "run-1",
  run_budget_usd: "1.5",
  team_id: null,
  attempt: 1,
  request_id: null,
  cache_hit: false,
  saved_usd: null,
};

describe("usage row cleaning of tags and run", () => {
  it("returns a clean row itself", () => {
    expect(cleanUsageRow(base)).toEqual({ row: base, cleaned: false, clamped: false });
    expect(cleanUsageRow(base).row).toBe(base);
  });

  it("drops NUL and replaces lone surrogates in tags and the run id, without touching the input", () => {
    const dirty = { ...base, tags: ["se\u0000arch", "ci\ud800"], run_id: "run\u0000-1" };
    const { row, cleaned } = cleanUsageRow(dirty);
    expect(cleaned).toBe(true);
    expect(row.tags).toEqual(["search", "ci\ufffd"]);
    expect(row.run_id).toBe("run-1");
    expect(dirty.tags[0]).toBe("se\u0000arch");
  });
});
