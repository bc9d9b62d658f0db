import { decimalToNumber, totalTokens } from "@llmg/core";
import { z } from "zod";
import { completeChatCached } from "../cache/cached-chat";
import { apiChatCall } from "../chat/api-call";
import { apiChatInput, apiChatOutput } from "../chat/api-schemas";
import { ApiError } from "../errors";
import { router, userProcedure } from "../trpc";

/** The headers of a chat answer, documented on the route (for JSON answers and streams alike). */
const chatResponseHeaders = z.object({
  "x-llmg-request-id": z.string().meta({ description: "The call's id, as in its usage row" }),
  "x-llmg-cost-usd": z.string().meta({
    description:
      "The exact cost in USD as a decimal string; on a stream, an HTTP trailer (and `cost_usd` in the usage chunk)",
  }),
  "x-llmg-adjusted-params": z.string().optional().meta({
    description:
      "Set only when the gateway changed the request: comma-separated `<field>=dropped|filtered|mapped|clamped:<value>`; names that are too many or not header-safe are counted as `<n>_other_fields`",
    example: "seed=dropped, temperature=clamped:1",
  }),
  "x-llmg-cache": z.enum(["hit", "miss"]).optional().meta({
    description:
      "Set only when the call asked for the response cache: hit (answered from it, cost 0) or miss",
  }),
});

export const chatRouter = router({
  completions: userProcedure
    .meta({
      scope: "chat",
      openapi: {
        method: "POST",
        path: "/chat/completions",
        tags: ["chat"],
        summary: "Call a model",
        description: [
          "Routes the call with your stored credential for `provider`, prices it exactly, checks it against your budget and rate limits, and records it. Answers carry `x-llmg-request-id` and `x-llmg-cost-usd`.",
          "`x-llmg-adjusted-params` (set only when something changed) lists what the gateway changed before calling the provider, comma-separated: `<field>=dropped` for a field the provider cannot take or this route does not know, `=clamped:<value>`, `=filtered`, `=mapped`; too many or header-unsafe names are counted (`<n>_other_fields`), not echoed.",
          "`stream: true` answers `text/event-stream` instead of JSON: `data:` events of OpenAI's `chat.completion.chunk` (deltas with `content`, `reasoning_content`, `thinking_blocks`, `tool_calls` with `extra_content`), then a chunk with `finish_reason`, then always a usage chunk (`choices: []`, `usage` with the exact `cost_usd` decimal string), then `data: [DONE]`. The rate-limit and `x-llmg-adjusted-params` headers come first; `x-llmg-cost-usd` follows as a trailer. Errors before the stream begins answer this route's JSON error envelope and status; an error after it began is a last `data:` event holding the envelope (`success: false`), with no [DONE].",
          "Attribution (recorded on the usage row, refused with a 400 naming the field before the call is admitted): `x-llmg-tags: a,b` and/or `metadata.tags` (array of strings), merged as their union, lowercase, duplicates removed, at most 10, each 1-64 characters of `A-Za-z0-9_.:/-`; `x-llmg-run-id` (1-128 characters of `A-Za-z0-9_.:-`) groups calls into an agent run (GET /usage/runs/{runId}); `x-llmg-run-budget-usd` (positive decimal string, at most 10 decimals and 1000000; needs a run id) is recorded, not yet enforced.",
          'Response cache (opt-in): `x-llmg-cache: ttl=<seconds>` (1 to 2592000) or `cache: {"ttl": <seconds>}` in the body caches a complete answer (finish_reason `stop`, no tool calls) under the exact request (model, messages, tools, sampling parameters...; not `stream`, `metadata`, `user`) for your user, or for your team when the key counts for one. A hit is answered at cost 0 (`x-llmg-cache: hit`, `x-llmg-cost-usd: 0`), recorded with `cache_hit` and `saved_usd`, counts against rate limits but not budgets; a cached answer replays as JSON or as a stream alike. `x-llmg-cache: no-store` neither reads nor writes the cache. A malformed value is a 400 naming `x-llmg-cache` or `cache.ttl`.',
          "Tools: names `^[a-zA-Z0-9_-]{1,64}$` and unique; `tool_choice` and `parallel_tool_calls` only with `tools`; a named `tool_choice` must name one of `tools`; a `tool` message must answer (`tool_call_id`) a call of the assistant message before it.",
          "Errors: 400 validation_error (with the field), 400 credential_missing or unknown model, 400 egress_denied (the credential's base_url reached an address the egress policy refuses), 401 key_expired, 403 insufficient_scope (the key lacks `chat`), 403 model_not_allowed (outside the key's allowed_models; refused before any reservation or provider call), 402 budget_exceeded, 429 rate_limit_exceeded (with retry_after), provider failures with the provider's status and provider_error.",
        ].join("\n\n"),
        protect: true,
        successDescription:
          "The answer as JSON; with `stream: true`, a `text/event-stream` of chat.completion.chunk events (see the description)",
        responseHeaders: chatResponseHeaders,
      },
    })
    .input(apiChatInput)
    .output(apiChatOutput)
    .mutation(async ({ ctx, input }) => {
      // The REST route serves `stream: true` itself, before this procedure (SSE); over tRPC a
      // call cannot stream, so it is refused rather than answered in one piece.
      if (input.stream === true) {
        throw new ApiError("validation_error", "stream: true is served by POST /api/chat/completions only", {
          details: [{ field: "stream", message: "streaming is not available over tRPC" }],
        });
      }
      const call = await apiChatCall(ctx.services, ctx.user, ctx, input);
      const done = await completeChatCached(ctx.services, call);
      // With fallbacks or a route, the model that answered.
      const model = done.answeredBy?.model ?? call.model;
      Object.assign(ctx.response.headers, done.headers, { "x-llmg-cost-usd": done.cost.totalCost });
      const { usage, result, cost } = done;
      return {
        success: true as const,
        request_id: ctx.requestId,
        provider: model.provider,
        model: model.id,
        content: result.content,
        role: "assistant" as const,
        ...(result.toolCalls?.length ? { tool_calls: result.toolCalls } : {}),
        ...(result.reasoningContent === undefined ? {} : { reasoning_content: result.reasoningContent }),
        ...(result.thinkingBlocks?.length ? { thinking_blocks: result.thinkingBlocks } : {}),
        finish_reason: result.finishReason,
        usage: {
          prompt_tokens: usage.promptTokens,
          completion_tokens: usage.completionTokens,
          total_tokens: totalTokens(usage),
          ...(usage.cachedReadTokens ? { cached_tokens: usage.cachedReadTokens } : {}),
          ...(usage.cacheWriteTokens ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
          ...(usage.reasoningTokens ? { reasoning_tokens: usage.reasoningTokens } : {}),
          ...(usage.estimated ? { estimated: true } : {}),
        },
        cost: {
          prompt_cost: decimalToNumber(cost.promptCost),
          completion_cost: decimalToNumber(cost.completionCost),
          total_cost: decimalToNumber(cost.totalCost),
          total_cost_exact: cost.totalCost,
        },
        response_time_ms: Math.round(done.latencyMs),
      };
    }),
});
