import { AmbiguousModelError, type Catalog, isProviderId, type ModelInfo } from "@llmg/core";
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
