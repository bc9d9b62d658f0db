import { decimalToNumber, totalTokens } from "@llmg/core";
import { apiChatInput, apiChatOutput } from "../chat/api-schemas";
import { metadataFrom } from "../chat/metadata";
import { resolveModel } from "../chat/resolve-model";
import { completeChat } from "../chat/service";
import { router, userProcedure } from "../trpc";

export const chatRouter = router({
  completions: userProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/chat/completions",
        tags: ["chat"],
        summary: "Call a model",
        description:
          "Routes the call with your stored credential for `provider`, prices it exactly, checks it against your budget and rate limits, and records it. Answers carry `x-llmg-request-id` and `x-llmg-cost-usd`. Errors: 400 credential_missing or unknown model, 400 egress_denied (the credential's base_url reached an address the egress policy refuses), 402 budget_exceeded, 429 rate_limit_exceeded (with retry_after), provider failures with the provider's status and provider_error.",
        protect: true,
      },
    })
    .input(apiChatInput)
    .output(apiChatOutput)
    .mutation(async ({ ctx, input }) => {
      const { model, upstreamName } = resolveModel(ctx.services.catalog, input.provider, input.model);
      const { provider: _p, model: _m, metadata, ...rest } = input;
      const done = await completeChat(ctx.services, {
        principal: ctx.user,
        meta: ctx,
        endpoint: "api",
        model,
        request: { ...rest, model: upstreamName },
        metadata: metadata ?? metadataFrom(undefined, ctx.metadataHeader),
        stream: false,
      });
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
