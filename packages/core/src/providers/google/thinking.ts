import type { GeminiThinking, GeminiThinkingLevel } from "../../catalog/param-rules/google";
import type { ReasoningEffort } from "../schema";

/**
 * OpenAI's `reasoning_effort` as Gemini's thinkingConfig. Google's own OpenAI-compatible endpoint
 * maps low/medium/high to thinking budgets of 1024/8192/24576 on 2.5 and "none" to thinking off
 * (ai.google.dev/gemini-api/docs/openai); on Gemini 3 each effort is the thinkingLevel of that
 * name (docs/thinking), moved to the nearest level the model has.
 */

const LEVEL_ORDER: readonly GeminiThinkingLevel[] = ["minimal", "low", "medium", "high"];

/**
 * The effort the model can honour: on Gemini 3 a level it has ("none" → minimal, thinking cannot
 * be turned off there; a level it lacks → the next one up, or down from xhigh); on 2.5 "none"
 * only where thinking can be turned off (else the smallest budget). Equal to `effort` when it fits.
 */
export function fitEffort(effort: ReasoningEffort, thinking: GeminiThinking): ReasoningEffort {
  if (thinking.control === "budget") {
    return effort === "none" && !thinking.canDisable ? "minimal" : effort;
  }
  const wanted: GeminiThinkingLevel =
    effort === "none" ? "minimal" : effort === "xhigh" ? "high" : (effort as GeminiThinkingLevel);
  if (thinking.levels.includes(wanted)) return wanted;
  const above = LEVEL_ORDER.slice(LEVEL_ORDER.indexOf(wanted)).find((level) =>
    thinking.levels.includes(level),
  );
  return above ?? thinking.levels[thinking.levels.length - 1] ?? "high";
}

const BUDGETS: Record<"low" | "medium" | "high", number> = { low: 1024, medium: 8192, high: 24_576 };

/** thinkingConfig for an effort; thought summaries are asked for whenever the model thinks. */
export function thinkingConfig(effort: ReasoningEffort, thinking: GeminiThinking): Record<string, unknown> {
  const fitted = fitEffort(effort, thinking);
  if (thinking.control === "level") {
    return { thinkingLevel: fitted, includeThoughts: true };
  }
  if (fitted === "none") return { thinkingBudget: 0 };
  const budget =
    fitted === "minimal"
      ? Math.max(thinking.min, 128)
      : fitted === "xhigh"
        ? thinking.max
        : Math.min(BUDGETS[fitted], thinking.max);
  return { thinkingBudget: budget, includeThoughts: true };
}
