import { ANTHROPIC_ADAPTIVE_THINKING } from "../../catalog/param-rules/anthropic";
import type { ChatRequest, ReasoningEffort } from "../schema";

/** The smallest thinking budget: "Must be ≥1024 and less than `max_tokens`" (anthropic-sdk-typescript ThinkingConfigEnabled). */
export const MIN_THINKING_BUDGET = 1024;

/**
 * Our choice of budget per OpenAI effort for models with budget thinking (Anthropic documents
 * none): the minimum for minimal/low, then doubling, capped below max_tokens by `thinkingFor`.
 */
const BUDGET_BY_EFFORT: Record<Exclude<ReasoningEffort, "none">, number> = {
  minimal: 1024,
  low: 2048,
  medium: 4096,
  high: 8192,
  xhigh: 16384,
};

export interface ThinkingFields {
  thinking?: Record<string, unknown>;
  effort?: string;
}

/** Whether the request asks for thinking at all (`none` is OpenAI's "no reasoning"). */
export function wantsThinking(req: Pick<ChatRequest, "reasoning_effort">): boolean {
  return req.reasoning_effort !== undefined && req.reasoning_effort !== "none";
}

export function isAdaptiveModel(model: string): boolean {
  return ANTHROPIC_ADAPTIVE_THINKING[model] !== undefined;
}

/**
 * reasoning_effort → Anthropic's thinking fields: adaptive thinking with `output_config.effort` on
 * models that have it (OpenAI's minimal → low, the lowest Anthropic level; xhigh → high where the
 * model has no xhigh), `thinking: {type: "enabled", budget_tokens}` on older ones; nothing for
 * `none` or no effort.
 */
export function thinkingFor(req: ChatRequest, maxTokens: number): ThinkingFields {
  const effort = req.reasoning_effort;
  if (effort === undefined || effort === "none") return {};
  const adaptive = ANTHROPIC_ADAPTIVE_THINKING[req.model];
  if (adaptive) {
    const level = effort === "minimal" ? "low" : effort === "xhigh" && !adaptive.xhigh ? "high" : effort;
    return { thinking: { type: "adaptive" }, effort: level };
  }
  const budget = Math.max(MIN_THINKING_BUDGET, Math.min(BUDGET_BY_EFFORT[effort], maxTokens - 1));
  return { thinking: { type: "enabled", budget_tokens: budget } };
}
