import { AmbiguousModelError, type Catalog, isProviderId, type ModelInfo } from "@llmg/core";
import type { UserPrincipal } from "../auth/authenticator";
import { assertModelAllowed, assertScope } from "../auth/key-rules";
import { ApiError } from "../errors";

export interface ResolvedModel {
  model: ModelInfo;
  /** The name sent to the provider: what the caller asked for (an alias stays an alias). */
  upstreamName: string;
}

function unknownModel(name: string, field: string): ApiError {
  return new ApiError("validation_error", `Unknown model "${name}": see GET /api/models for the catalog`, {
    details: [{ field, message: "unknown model" }],
  });
}

/**
 * A model by provider + id (the /api surface) or by "provider/model" or a bare id (the /v1
 * surface). Unknown names are a 400, never a guess: a guessed model would be priced wrong.
 */
export function resolveModel(catalog: Catalog, provider: string | undefined, name: string): ResolvedModel {
  if (provider !== undefined) {
    if (!isProviderId(provider)) {
      throw new ApiError("validation_error", `Unknown provider "${provider}"`, {
        details: [{ field: "provider", message: "unknown provider" }],
      });
    }
    const model = catalog.model(provider, name);
    if (!model) throw unknownModel(`${provider}/${name}`, "model");
    return { model, upstreamName: name };
  }
  const slash = name.indexOf("/");
  if (slash > 0 && isProviderId(name.slice(0, slash))) {
    return resolveModel(catalog, name.slice(0, slash), name.slice(slash + 1));
  }
  try {
    const model = catalog.modelByBareId(name);
    if (!model) throw unknownModel(name, "model");
    return { model, upstreamName: name };
  } catch (error) {
    if (error instanceof AmbiguousModelError) {
      throw new ApiError(
        "validation_error",
        `Model "${name}" exists at several providers: say which, as "provider/${name}"`,
        {
          details: [{ field: "model", message: "ambiguous model" }],
        },
      );
    }
    throw error;
  }
}

/**
 * The model a key asks for, once the key may call it: the `chat` scope, then its allowlist (by
 * catalog id or by the name used). Both chat surfaces build their call through here, so both
 * refuse before any reservation or provider call.
 */
export function resolveModelFor(
  catalog: Catalog,
  principal: UserPrincipal,
  provider: string | undefined,
  name: string,
): ResolvedModel {
  assertScope(principal, "chat");
  const resolved = resolveModel(catalog, provider, name);
  const { model, upstreamName } = resolved;
  assertModelAllowed(principal, model.provider, [model.id, upstreamName]);
  return resolved;
}
