import { ApiError } from "../errors";
import type { BudgetLevel, LevelScope } from "./levels";
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

/** What every budget refusal says: the limit, the spend, what is in flight and this call's most. */
function refusal(limitNano: bigint, spentNano: bigint, reservedNano: bigint, amountNano: bigint) {
  const figures = {
    limit_usd: nanoToUsd(limitNano),
    spent_usd: nanoToUsd(spentNano),
    reserved_usd: nanoToUsd(reservedNano),
    request_max_cost_usd: nanoToUsd(amountNano),
  };
  const text = `$${figures.spent_usd} spent and $${figures.reserved_usd} in flight, plus up to $${figures.request_max_cost_usd} for this call, would pass the $${figures.limit_usd} limit`;
  return { figures, text };
}

export function budgetExceeded(
  limitNano: bigint,
  spentNano: bigint,
  reservedNano: bigint,
  amountNano: bigint,
  userId?: string,
) {
  const { figures, text } = refusal(limitNano, spentNano, reservedNano, amountNano);
  return new ApiError("budget_exceeded", `Monthly budget exceeded: ${text}`, {
    details: { scope: "user", ...(userId !== undefined ? { id: userId } : {}), ...figures },
  });
}

export const limitsUnavailable = (cause: unknown) =>
  new ApiError("limits_unavailable", "Budget and rate-limit checks are unavailable; try again shortly", {
    cause,
  });

const SCOPE_WORDS: Record<Exclude<LevelScope, "user">, string> = {
  key: "This key's budget",
  team: "The team's monthly budget",
  tag: "The tag's monthly budget",
  run: "The run's envelope",
};

/** A refusal by one of the call's levels: details.scope and details.id say which. */
export function levelBudgetExceeded(
  level: BudgetLevel,
  spentNano: bigint,
  reservedNano: bigint,
  amountNano: bigint,
) {
  const { figures, text } = refusal(level.limitNano, spentNano, reservedNano, amountNano);
  const period =
    level.period === "total" ? "" : ` (${level.period === "day" ? "this UTC day" : "this UTC month"})`;
  return new ApiError(
    "budget_exceeded",
    `${SCOPE_WORDS[level.scope]} is exceeded${period}: ${text} of ${level.scope} ${level.id}`,
    { details: { scope: level.scope, id: level.id, period: level.period, ...figures } },
  );
}

export function concurrencyLimitExceeded(keyId: string, maxParallel: bigint, inFlight: bigint) {
  return new ApiError(
    "concurrency_limit_exceeded",
    `This key already has ${inFlight} calls in flight, its max_parallel (${maxParallel}); retry when one ends`,
    {
      details: { scope: "key", id: keyId, max_parallel: Number(maxParallel), in_flight: Number(inFlight) },
      retryAfter: 1,
    },
  );
}

export function modelUnpriced(provider: string, model: string, scope: LevelScope) {
  return new ApiError(
    "model_unpriced",
    `${provider}/${model} has no price, and this call is under a ${scope} budget: it would be booked at $0. Add the model's rates to the price file, or call it with a key no budget applies to`,
    { details: { scope, provider, model } },
  );
}
