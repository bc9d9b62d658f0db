import { DEEPSEEK_THINKING } from "../../catalog/param-rules/deepseek";
import type { AdjustedRequest, Adjustment } from "../adjust";
import type { ReasoningEffort } from "../schema";
import type { AdjustModel } from "../types";

/**
 * DeepSeek's thinking mode (https://api-docs.deepseek.com/guides/thinking_mode): switched with
 * `thinking: {type: "enabled"|"disabled"}`, its depth set with `reasoning_effort`. Which models
 * think by default is catalog data (param-rules/deepseek.ts).
 */
type ThinkingKind = "always" | "byDefault" | "onRequest" | undefined;

function kindOf(model: string): ThinkingKind {
  const has = (list: readonly string[]) => list.includes(model);
  if (has(DEEPSEEK_THINKING.always)) return "always";
  if (has(DEEPSEEK_THINKING.byDefault)) return "byDefault";
  if (has(DEEPSEEK_THINKING.onRequest)) return "onRequest";
  return undefined;
}

/** Whether a call of `model` with this reasoning_effort runs in thinking mode. */
export function deepseekThinks(model: string, effort: ReasoningEffort | undefined): boolean {
  switch (kindOf(model)) {
    case "always":
      return true;
    case "byDefault":
      return effort !== "none";
    case "onRequest":
      return effort !== undefined && effort !== "none";
    default:
      return false;
  }
}

/**
 * The `thinking` switch and `reasoning_effort` to send. The effort goes as given: DeepSeek itself
 * maps minimal/low/medium/high/xhigh onto its levels ("Requested effort → Actual mapped effort");
 * "none" is not an effort there but the switch turned off.
 */
export function deepseekThinkingFields(
  model: string,
  effort: ReasoningEffort | undefined,
): { thinking?: { type: "enabled" | "disabled" }; reasoning_effort?: string } {
  const kind = kindOf(model);
  if (kind === undefined || effort === undefined) return {};
  if (effort === "none") return kind === "byDefault" ? { thinking: { type: "disabled" } } : {};
  return kind === "onRequest"
    ? { thinking: { type: "enabled" }, reasoning_effort: effort }
    : { reasoning_effort: effort };
}

/** The DeepSeek part of `adapter.adjust`: reasoning_effort where it has no effect, and thinking mode's ignored parameters. */
export function adjustForThinking(adjusted: AdjustedRequest, model: AdjustModel): AdjustedRequest {
  const req = adjusted.request;
  const effort = req.reasoning_effort;
  const kind = kindOf(model.id);
  const changes: Adjustment[] = [];
  const out = { ...req };
  const drop = (field: keyof typeof out & string, reason: string) => {
    delete out[field];
    changes.push({ param: field, action: "dropped", reason });
  };
  if (effort !== undefined) {
    if (kind === undefined) drop("reasoning_effort", `${model.id} has no thinking mode`);
    else if (effort === "none" && kind === "always") drop("reasoning_effort", `${model.id} always thinks`);
    else if (effort === "none" && kind === "onRequest")
      drop("reasoning_effort", `${model.id} does not think unless asked`);
    else if (effort === "none" || kind === "onRequest") {
      changes.push({
        param: "reasoning_effort",
        action: "mapped",
        reason: "sent as DeepSeek's thinking switch",
      });
    }
  }
  if (deepseekThinks(model.id, out.reasoning_effort)) {
    for (const field of DEEPSEEK_THINKING.ignored) {
      if (out[field] !== undefined) drop(field, `DeepSeek ignores ${field} in thinking mode`);
    }
  }
  if (changes.length === 0) return adjusted;
  return { request: out, adjusted: [...adjusted.adjusted, ...changes] };
}
