import type { KeyScope } from "@llmg/db";
import { ApiError } from "../errors";
import type { Principal, UserPrincipal } from "./authenticator";

/**
 * The one rule for which scope a tRPC procedure needs: what its meta declares, else `read` for
 * a query and `manage` for a mutation (keys, credentials, budget settings, team settings — every
 * change). Only calling a model declares otherwise (`chat`). The routes served outside tRPC
 * (/v1, the /api stream) check the same scopes through assertScope.
 */
export function requiredScope(declared: KeyScope | undefined, type: string): KeyScope {
  return declared ?? (type === "query" ? "read" : "manage");
}

/** A user's key (never the admin key) with `scope`: what every user endpoint asks first. */
export function assertUserScope(principal: Principal, scope: KeyScope): asserts principal is UserPrincipal {
  if (principal.kind !== "user") {
    throw new ApiError("forbidden", "This endpoint needs a user's API key, not the admin key");
  }
  assertScope(principal, scope);
}

export function assertScope(principal: UserPrincipal, scope: KeyScope): void {
  if (principal.scopes.includes(scope)) return;
  throw new ApiError("insufficient_scope", `This API key lacks the ${scope} scope this endpoint needs`, {
    details: { required_scope: scope, key_scopes: principal.scopes },
  });
}

/** Whether "provider/model" matches an allowlist entry: exact, or "provider/*". */
export function modelAllowed(
  allowed: readonly string[] | null,
  provider: string,
  names: readonly string[],
): boolean {
  if (allowed === null) return true;
  const wildcard = `${provider}/*`;
  return allowed.some((entry) => entry === wildcard || names.some((name) => entry === `${provider}/${name}`));
}

/**
 * Refuses a model outside the key's allowlist. `names` are the catalog id and the name the
 * caller used (an alias), so either may be listed. Runs while the call is built, before any
 * reservation or provider call.
 */
export function assertModelAllowed(
  principal: UserPrincipal,
  provider: string,
  names: readonly string[],
): void {
  if (modelAllowed(principal.allowedModels, provider, names)) return;
  throw new ApiError("model_not_allowed", `This API key may not call ${provider}/${names[0]}`, {
    details: [{ field: "model", message: "not in the key's allowed_models" }],
  });
}
