import type { AdjustedRequest, Adjustment } from "../adjust";
import type { ChatRequest } from "../schema";
import type { AdjustModel } from "../types";
import { isAdaptiveModel, MIN_THINKING_BUDGET, wantsThinking } from "./thinking";

/**
 * Anthropic-specific adjustments after the catalog rules: what depends on the combination of
 * fields (thinking with sampling parameters or forced tools) and the values Anthropic has no
 * equivalent for. Each change is reported in x-llmg-adjusted-params.
 */
export function adjustAnthropic(input: AdjustedRequest, model: AdjustModel): AdjustedRequest {
  let request: ChatRequest = input.request;
  const adjusted: Adjustment[] = [...input.adjusted];
  const drop = (field: keyof ChatRequest, reason: string) => {
    request = { ...request };
    delete request[field];
    adjusted.push({ param: field, action: "dropped", reason });
  };

  // Anthropic's service_tier is `auto` (priority capacity when the organisation has it, else
  // standard) or `standard_only` (anthropic-sdk-typescript MessageCreateParamsBase.service_tier;
  // https://docs.claude.com/en/api/service-tiers). OpenAI's auto/default map one to one, its
  // priority/scale (pay for better capacity) to auto; flex (slower, cheaper) has no equivalent.
  const tier = request.service_tier;
  if (tier === "flex") drop("service_tier", "Anthropic has no flex tier");
  else if (tier === "priority" || tier === "scale") {
    adjusted.push({
      param: "service_tier",
      action: "mapped",
      reason: `${tier} sent as auto (priority when available)`,
    });
  }

  // json_object has no Anthropic form: structured outputs need a schema
  // (https://docs.claude.com/en/docs/build-with-claude/structured-outputs). OpenAI itself
  // requires the conversation to ask for JSON in json_object mode, so the instruction is already
  // in the prompt: the field is dropped and named rather than the call refused.
  if (request.response_format?.type === "json_object") {
    drop("response_format", "Anthropic structured outputs need a JSON schema; json_object has none");
  }

  if (wantsThinking(request)) {
    const adaptive = [model.id, ...model.aliases, request.model].some(isAdaptiveModel);
    const maxTokens = request.max_completion_tokens ?? request.max_tokens;
    const forced =
      (request.tools?.length ?? 0) > 0 &&
      (request.tool_choice === "required" || typeof request.tool_choice === "object");
    if (!adaptive && maxTokens !== undefined && maxTokens <= MIN_THINKING_BUDGET) {
      // budget_tokens "Must be ≥1024 and less than `max_tokens`" (anthropic-sdk-typescript ThinkingConfigEnabled).
      drop("reasoning_effort", "max_tokens leaves no room for the minimum thinking budget (1024)");
    } else if (forced) {
      // "Tool use with thinking only supports tool_choice: {"type": "auto"} ... or {"type": "none"}"
      // (https://docs.claude.com/en/docs/build-with-claude/extended-thinking, extended thinking with tool use). The forced tool is what the caller
      // relies on, so thinking gives way.
      drop("reasoning_effort", "thinking may not be enabled when tool_choice forces tool use");
    } else if (missingThinkingBlocks(request)) {
      // With thinking on, "a final assistant message must start with a thinking block (preceeding
      // the lastmost set of tool_use and tool_result blocks)" (400; the extended-thinking page above, preserving
      // thinking blocks). A client that did not keep them cannot think in this step.
      drop("reasoning_effort", "the assistant turn of this tool loop has no thinking_blocks to send back");
    }
  }
  if (wantsThinking(request)) {
    // "Thinking isn't compatible with temperature or top_k modifications ... you can set top_p to
    // values between 1 and 0.95" (https://docs.claude.com/en/docs/build-with-claude/extended-thinking, feature compatibility).
    if (request.temperature !== undefined && request.temperature !== 1) {
      drop("temperature", "thinking is not compatible with temperature changes");
    }
    if (request.top_p !== undefined && request.top_p < 0.95) {
      drop("top_p", "with thinking, top_p must be between 0.95 and 1");
    }
  }
  return request === input.request && adjusted.length === input.adjusted.length
    ? input
    : { request, adjusted };
}

/** The conversation ends in tool results whose assistant turn carries no thinking blocks. */
function missingThinkingBlocks(req: ChatRequest): boolean {
  let i = req.messages.length - 1;
  if (req.messages[i]?.role !== "tool") return false;
  while (i >= 0 && req.messages[i]?.role === "tool") i -= 1;
  const assistant = req.messages[i];
  return assistant?.role === "assistant" && (assistant.thinking_blocks?.length ?? 0) === 0;
}
