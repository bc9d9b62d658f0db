import { type Capability, type ChatRequest, compareDecimals, type ModelInfo, maxCostFor } from "@llmg/core";
import type { RouteStrategy } from "@llmg/db";

/** A model a call may be sent to, as the caller (or its route) named it. */
export interface Target {
  model: ModelInfo;
  /** The name sent to the provider. */
  upstreamName: string;
  /** The name the caller used ("provider/model"), shown back as the answer's model. */
  label: string;
  weight: number;
}

/** What a request needs from a model beyond its prompt fitting: tools, images, a JSON schema. */
export function requiredCapabilities(request: ChatRequest): Capability[] {
  const needs: Capability[] = [];
  if (request.tools?.length) needs.push("tools");
  const images = request.messages.some(
    (m) =>
      Array.isArray(m.content) && m.content.some((part) => (part as { type?: string }).type === "image_url"),
  );
  if (images) needs.push("vision");
  return needs;
}

/** Whether the model can take the request: its context window holds the prompt, it has the capabilities. */
export function fits(model: ModelInfo, promptTokens: number, needs: readonly Capability[]): boolean {
  if (model.contextWindow !== null && promptTokens > model.contextWindow) return false;
  return needs.every((c) => model.capabilities.includes(c));
}

/** One target drawn by weight, from a uniform draw in [0, 1). */
export function drawByWeight(targets: readonly Target[], draw: number): number {
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  let point = draw * total;
  for (let i = 0; i < targets.length; i++) {
    point -= targets[i]!.weight;
    if (point < 0) return i;
  }
  return targets.length - 1;
}

export interface Selection {
  strategy: RouteStrategy;
  promptTokens: number;
  maxOutputTokens: (model: ModelInfo) => number;
  needs: readonly Capability[];
  /** Median latency per label ("provider/model"); for `fastest`. */
  latencies?: ReadonlyMap<string, number>;
  draw?: number;
}

/**
 * The route's targets in the order they are tried. `weighted`: one drawn by weight first, the
 * others after it by weight; `ordered`: as written; `cheapest`: by the most the request may cost
 * on each (maxCostFor: the same estimate the budget reserves), among those that fit it first;
 * `fastest`: by recent median latency, models without one last.
 */
export function orderTargets(targets: readonly Target[], s: Selection): Target[] {
  const indexed = targets.map((t, i) => ({ t, i }));
  switch (s.strategy) {
    case "ordered":
      return [...targets];
    case "weighted": {
      const first = drawByWeight(targets, s.draw ?? Math.random());
      const rest = indexed.filter((x) => x.i !== first).sort((a, b) => b.t.weight - a.t.weight || a.i - b.i);
      return [targets[first]!, ...rest.map((x) => x.t)];
    }
    case "cheapest": {
      const cost = new Map(
        indexed.map((x) => [x.i, maxCostFor(x.t.model, s.promptTokens, s.maxOutputTokens(x.t.model))]),
      );
      const fitting = (x: { t: Target }) => (fits(x.t.model, s.promptTokens, s.needs) ? 0 : 1);
      return indexed
        .sort(
          (a, b) => fitting(a) - fitting(b) || compareDecimals(cost.get(a.i)!, cost.get(b.i)!) || a.i - b.i,
        )
        .map((x) => x.t);
    }
    case "fastest": {
      const latency = (x: { t: Target }) =>
        s.latencies?.get(`${x.t.model.provider}/${x.t.model.id}`) ?? Number.POSITIVE_INFINITY;
      return indexed.sort((a, b) => latency(a) - latency(b) || a.i - b.i).map((x) => x.t);
    }
  }
}
