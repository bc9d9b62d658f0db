import type { ModelRoute } from "@llmg/db";
import { z } from "zod";

export const RETRY_KINDS = ["429", "5xx", "timeout", "context_length"] as const;
export const STRATEGIES = ["weighted", "ordered", "cheapest", "fastest"] as const;
/** Routes per user: a route is a few lines of configuration, not data. */
export const MAX_ROUTES = 100;
export const ROUTE_PREFIX = "route/";

export const routeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only")
  .meta({ example: "chat-default" });

const modelName = z.string().min(1).max(200).meta({ example: "openai/gpt-4o-mini" });

/** Model names to try after a request's model fails retryably (OpenRouter spells it `models`). */
export const fallbackList = z.array(modelName).max(8);

/** The chat surfaces' fallback fields: `fallbacks`, or OpenRouter's spelling `models`. */
export const fallbackFields = {
  fallbacks: fallbackList.optional().meta({
    description:
      "Models tried in order when the model fails with 429, 5xx/529, a timeout or a prompt too long for it (each attempt priced, admitted and recorded as its own row)",
    example: ["anthropic/claude-sonnet-4-5", "google/gemini-2.5-pro"],
  }),
  models: fallbackList
    .optional()
    .meta({ description: "OpenRouter's name for `fallbacks` (give one of the two)" }),
};

export const routeBody = z.object({
  strategy: z.enum(STRATEGIES).meta({
    description:
      "weighted: one target drawn by weight; ordered: the targets in order; cheapest: the lowest estimated cost for the request among targets that fit it; fastest: the lowest median latency of your calls in the last 24 h",
  }),
  targets: z
    .array(z.object({ model: modelName, weight: z.number().int().min(1).max(1000).optional() }))
    .min(1)
    .max(16),
  fallbacks: fallbackList.optional().meta({ description: "Tried, in order, after the targets" }),
  retry_on: z
    .array(z.enum(RETRY_KINDS))
    .max(4)
    .optional()
    .meta({ description: "Which failures move on to the next model (default: all four)" }),
  cache: z
    .object({
      ttl: z.number().int().min(1).max(2_592_000),
      all: z.boolean().optional().meta({
        description: "Also cache answers with tool calls or cut short (default: complete text answers only)",
      }),
    })
    .nullable()
    .optional()
    .meta({ description: "Cache this route's answers for ttl seconds (see the response cache)" }),
});

export const routeCreateInput = routeBody.extend({ name: routeName });
export const routePutInput = routeBody.extend({ name: routeName });
export type RouteBody = z.output<typeof routeBody>;

export const routeSchema = z.object({
  name: z.string(),
  model: z
    .string()
    .meta({ description: "What to send as `model` to call it", example: "route/chat-default" }),
  strategy: z.enum(STRATEGIES),
  targets: z.array(z.object({ model: z.string(), weight: z.number().int() })),
  fallbacks: z.array(z.string()),
  retry_on: z.array(z.enum(RETRY_KINDS)),
  cache: z.object({ ttl: z.number().int(), all: z.boolean() }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export function toRouteDto(route: ModelRoute): z.output<typeof routeSchema> {
  return {
    name: route.name,
    model: `${ROUTE_PREFIX}${route.name}`,
    strategy: route.strategy,
    targets: route.targets.map((t) => ({ model: t.model, weight: t.weight ?? 1 })),
    fallbacks: route.fallbacks,
    retry_on: route.retry_on,
    cache: route.cache_ttl_s === null ? null : { ttl: route.cache_ttl_s, all: route.cache_all },
    created_at: new Date(route.created_at).toISOString(),
    updated_at: new Date(route.updated_at).toISOString(),
  };
}
