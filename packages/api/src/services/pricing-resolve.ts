import { AmbiguousModelError, type Catalog, type ModelInfo } from "@llmg/core";
import { ApiError } from "../errors";

function invalid(field: string, message: string, code: string): ApiError {
  return new ApiError("validation_error", `Invalid ${field}: ${message}`, {
    details: [{ field, message, code }],
  });
}

/**
 * A model named in a query parameter: "provider/model", a bare id or alias, or a bare name
 * with a separate provider. An unknown or ambiguous name is the caller's input error (400 on
 * that field), not a missing resource: the URL itself exists.
 */
export function resolveModelParam(
  catalog: Catalog,
  name: string,
  options: { provider?: string; field: string },
): ModelInfo {
  let model: ModelInfo | undefined;
  try {
    if (options.provider !== undefined) {
      const prefix = `${options.provider}/`;
      model = catalog.model(options.provider, name.startsWith(prefix) ? name.slice(prefix.length) : name);
    } else {
      model = catalog.resolve(name);
    }
  } catch (error) {
    if (error instanceof AmbiguousModelError) throw invalid(options.field, error.message, "ambiguous_model");
    throw error;
  }
  if (model === undefined) {
    const where = options.provider === undefined ? "" : ` at provider "${options.provider}"`;
    throw invalid(options.field, `unknown model "${name}"${where}`, "unknown_model");
  }
  return model;
}
