import { type Catalog, type ChatRequest, estimateRequestPromptTokens, requestedMaxTokens } from "@llmg/core";
import type { RetryKind } from "@llmg/db";
import type { UserPrincipal } from "../auth/authenticator";
import { modelAllowed } from "../auth/key-rules";
import type { CacheDirective } from "../cache/policy";
import { resolveModel, resolveModelFor } from "../chat/resolve-model";
import { ApiError } from "../errors";
import type { Services } from "../services";
import { cachedRoute, recentLatencies } from "./lookup";
import { RETRY_KINDS, ROUTE_PREFIX } from "./schemas";
import { orderTargets, requiredCapabilities, type Target } from "./select";

/** Where a call's models come from when it has more than one, and which failures move on. */
export interface Routing {
  /** The route's name, or null for a request's own `fallbacks`. */
  route: string | null;
  retryOn: readonly RetryKind[];
  /** The route's cache TTL in seconds (null: the route does not cache), and whether it caches every answer. */
  cacheTtlS: number | null;
  cacheAll?: boolean;
}

export const isRouteName = (model: string) => model.startsWith(ROUTE_PREFIX);

function toTarget(catalog: Catalog, name: string, weight = 1): Target | undefined {
  try {
    const { model, upstreamName } = resolveModel(catalog, undefined, name);
    return { model, upstreamName, label: name, weight };
  } catch {
    return undefined;
  }
}

/**
 * A request's `fallbacks` (or `models`): each must be a catalog model the key may call, checked
 * before anything is reserved, so a typo is a 400 naming it rather than a failure found late.
 */
export function fallbackTargets(
  catalog: Catalog,
  principal: UserPrincipal,
  names: readonly string[],
): Target[] {
  return names.map((name, i) => {
    try {
      const { model, upstreamName } = resolveModelFor(catalog, principal, undefined, name);
      return { model, upstreamName, label: name, weight: 1 };
    } catch (error) {
      if (error instanceof ApiError && Array.isArray(error.details)) {
        throw new ApiError(error.error, error.message, {
          details: [
            {
              field: `fallbacks[${i}]`,
              message: (error.details[0] as { message?: string })?.message ?? "invalid",
            },
          ],
        });
      }
      throw error;
    }
  });
}

const maxOut = (request: ChatRequest) => (model: Target["model"]) =>
  requestedMaxTokens(request) ?? model.maxOutputTokens ?? 4096;

/**
 * The models a `route/NAME` call tries, in order: the route's targets ordered by its strategy
 * for this request, then its fallbacks. Targets the key may not call are left out (a route may
 * serve keys with different allowlists); none left is a 403. A target the catalog no longer
 * knows is left out too.
 */
export async function routeTargets(
  services: Pick<Services, "catalog" | "db" | "config">,
  principal: UserPrincipal,
  model: string,
  request: ChatRequest,
): Promise<{ targets: Target[]; routing: Routing }> {
  const name = model.slice(ROUTE_PREFIX.length);
  const ttl = services.config.LLMG_KEY_CACHE_TTL_MS;
  const route = await cachedRoute(services.db, ttl, principal.userId, name);
  if (!route) {
    throw new ApiError("validation_error", `Unknown route "${name}": see GET /api/routes`, {
      details: [{ field: "model", message: "unknown route" }],
    });
  }
  const allowed = (t: Target | undefined): t is Target =>
    t !== undefined && modelAllowed(principal.allowedModels, t.model.provider, [t.model.id, t.upstreamName]);
  const candidates = route.targets.map((t) => toTarget(services.catalog, t.model, t.weight));
  const targets = candidates.filter(allowed);
  const fallbacks = route.fallbacks.map((f) => toTarget(services.catalog, f)).filter(allowed);
  if (targets.length + fallbacks.length === 0) {
    throw new ApiError("model_not_allowed", `This API key may call none of the models of route "${name}"`, {
      details: [{ field: "model", message: "no target in the key's allowed_models" }],
    });
  }
  const promptTokens = estimateRequestPromptTokens(request, {
    provider: targets[0]?.model.provider ?? "openai",
    model: request.model,
  });
  const ordered =
    targets.length > 1
      ? orderTargets(targets, {
          strategy: route.strategy,
          promptTokens,
          maxOutputTokens: maxOut(request),
          needs: requiredCapabilities(request),
          ...(route.strategy === "fastest"
            ? {
                latencies: await recentLatencies(services.db, ttl, principal.userId),
              }
            : {}),
        })
      : targets;
  const seen = new Set(ordered.map((t) => `${t.model.provider}/${t.model.id}`));
  const rest = fallbacks.filter((f) => !seen.has(`${f.model.provider}/${f.model.id}`));
  return {
    targets: [...ordered, ...rest],
    routing: {
      route: name,
      retryOn: route.retry_on.length > 0 ? route.retry_on : RETRY_KINDS,
      cacheTtlS: route.cache_ttl_s,
      cacheAll: route.cache_all,
    },
  };
}

/** The model a call goes to first, and what it may fall back to. */
export interface CallModels {
  model: Target["model"];
  upstreamName: string;
  /** Set when the call may go to another model: the name it was asked by. */
  label?: string;
  fallbacks?: Target[];
  routing?: Routing;
}

/**
 * Resolves a chat call's `model` (a catalog model or `route/NAME`) and its request fallbacks
 * (`fallbacks`, or OpenRouter's spelling `models`). A plain call (no route, no fallbacks) costs
 * no more than it did: one catalog lookup, no I/O.
 */
export async function resolveCallModels(
  services: Pick<Services, "catalog" | "db" | "config">,
  principal: UserPrincipal,
  provider: string | undefined,
  name: string,
  request: ChatRequest,
  requested: { fallbacks?: readonly string[] | undefined; models?: readonly string[] | undefined },
): Promise<CallModels> {
  if (requested.fallbacks?.length && requested.models?.length) {
    throw new ApiError("validation_error", "Give `fallbacks` or `models`, not both (they are one list)", {
      details: [{ field: "models", message: "use fallbacks or models, not both" }],
    });
  }
  const names = requested.fallbacks?.length ? requested.fallbacks : (requested.models ?? []);
  if (provider === undefined && isRouteName(name)) {
    const { targets, routing } = await routeTargets(services, principal, name, request);
    const extra = fallbackTargets(services.catalog, principal, names);
    const [first, ...rest] = [...targets, ...extra];
    return {
      model: first!.model,
      upstreamName: first!.upstreamName,
      label: first!.label,
      fallbacks: rest,
      routing,
    };
  }
  const { model, upstreamName } = resolveModelFor(services.catalog, principal, provider, name);
  if (names.length === 0) return { model, upstreamName };
  return {
    model,
    upstreamName,
    label: provider === undefined ? name : `${provider}/${name}`,
    fallbacks: fallbackTargets(services.catalog, principal, names),
    routing: { route: null, retryOn: RETRY_KINDS, cacheTtlS: null },
  };
}

/**
 * The cache a call uses: its own header or body first (`no-store` included), else its route's.
 */
export function routeCacheDirective(routing: Routing | undefined): CacheDirective | undefined {
  if (!routing?.cacheTtlS) return undefined;
  return { kind: "store", ttlSeconds: routing.cacheTtlS, ...(routing.cacheAll ? { cacheAll: true } : {}) };
}
