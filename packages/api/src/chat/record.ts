import type { UsageRowValues } from "@llmg/db";
import type { Services } from "../services";
import type { CallOutcome, ChatCall } from "./call";

/** Error messages are kept for the history page, bounded so a huge upstream body cannot bloat a row. */
const MAX_ERROR_MESSAGE = 1000;

/**
 * A stored body as JSON text, or null when it cannot be serialised (nesting too deep for
 * JSON.stringify): a body the gateway merely keeps must never cost the call its row.
 */
function bodyJson(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

export function usageRow(services: Services, call: ChatCall, outcome: CallOutcome): UsageRowValues {
  const usage = outcome.usage;
  const storeBodies = services.config.LLMG_STORE_BODIES;
  return {
    id: call.meta.requestId,
    user_id: call.principal.userId,
    api_key_id: call.principal.keyId,
    credential_id: outcome.credentialId ?? null,
    provider: call.model.provider,
    model: call.model.id,
    endpoint: call.endpoint,
    stream: call.stream,
    status: outcome.status,
    http_status: outcome.httpStatus,
    error_code: outcome.errorCode ?? null,
    error_message: outcome.errorMessage?.slice(0, MAX_ERROR_MESSAGE) ?? null,
    prompt_tokens: usage?.promptTokens ?? 0,
    completion_tokens: usage?.completionTokens ?? 0,
    cached_tokens: usage?.cachedReadTokens ?? 0,
    cache_write_tokens: usage?.cacheWriteTokens ?? 0,
    reasoning_tokens: usage?.reasoningTokens ?? 0,
    usage_estimated: usage?.estimated ?? false,
    prompt_cost: outcome.cost?.promptCost ?? "0",
    completion_cost: outcome.cost?.completionCost ?? "0",
    total_cost: outcome.cost?.totalCost ?? "0",
    latency_ms: Math.round(outcome.latencyMs),
    ttft_ms: outcome.ttftMs === undefined || outcome.ttftMs === null ? null : Math.round(outcome.ttftMs),
    ip: call.meta.ip,
    user_agent: call.meta.userAgent,
    metadata: call.metadata ? JSON.stringify(call.metadata) : null,
    request_body: storeBodies ? bodyJson(call.nativeBody ?? call.request) : null,
    response_body: storeBodies && outcome.responseBody !== undefined ? bodyJson(outcome.responseBody) : null,
    tags: call.attribution?.tags ?? [],
    run_id: call.attribution?.runId ?? null,
    run_budget_usd: call.attribution?.runBudgetUsd ?? null,
    team_id: call.principal.teamId,
    attempt: call.attempt?.n ?? 1,
    request_id: call.attempt?.requestId ?? null,
    cache_hit: outcome.cacheHit ?? false,
    saved_usd: outcome.savedUsd ?? null,
  };
}
