import { ApiError } from "../errors";
import { nanoToUsd } from "./money";

/**
 * A 429 that carries the x-ratelimit-* headers of the refused call; the HTTP layers send an
 * ApiError's headers with the error as with a success.
 */
export class RateLimitError extends ApiError {
  constructor(
    message: string,
    retryAfterSeconds: number | undefined,
    headers: Record<string, string>,
    details: Record<string, unknown>,
  ) {
    super("rate_limit_exceeded", message, {
      details,
      headers,
      ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}),
    });
  }
}

export function budgetExceeded(
  limitNano: bigint,
  spentNano: bigint,
  reservedNano: bigint,
  amountNano: bigint,
) {
  const limit = nanoToUsd(limitNano);
  return new ApiError(
    "budget_exceeded",
    `Monthly budget exceeded: $${nanoToUsd(spentNano)} spent and $${nanoToUsd(reservedNano)} in flight, plus up to $${nanoToUsd(amountNano)} for this call, would pass the $${limit} limit`,
    {
      details: {
        limit_usd: limit,
        spent_usd: nanoToUsd(spentNano),
        reserved_usd: nanoToUsd(reservedNano),
        request_max_cost_usd: nanoToUsd(amountNano),
      },
    },
  );
}

export const limitsUnavailable = (cause: unknown) =>
  new ApiError("limits_unavailable", "Budget and rate-limit checks are unavailable; try again shortly", {
    cause,
  });
