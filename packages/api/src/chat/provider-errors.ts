import { ProviderError } from "@llmg/core";
import { ApiError } from "../errors";

/** A provider's failure in our terms: its status and message kept, its key never echoed. */
export function fromProviderError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ProviderError) {
    return new ApiError(error.code, `${error.provider}: ${error.message}`, {
      status: error.status,
      ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
      details: {
        provider: error.provider,
        provider_status: error.status,
        ...(error.providerCode ? { provider_code: error.providerCode } : {}),
      },
      cause: error,
    });
  }
  return new ApiError("internal_error", "Internal server error", { cause: error });
}
