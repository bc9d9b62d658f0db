import { InvalidUsageError, priceUsage, priceUsageConservatively, totalTokens, type Usage } from "@llmg/core";
import type { CallOutcome, ChatCall, ChatCost } from "../chat/call";
import type { Admission } from "../chat/limits";
import { fromProviderError } from "../chat/provider-errors";
import { usageRow } from "../chat/record";
import type { Services } from "../services";

export const ZERO_COST: ChatCost = Object.freeze({ promptCost: "0", completionCost: "0", totalCost: "0" });

/**
 * What the call would have cost: the cached usage priced with today's catalog, exactly as the
 * provider's answer is priced (the dearest rates for a usage the cost engine refuses).
 */
export function savedCost(call: ChatCall, usage: Usage): string {
  try {
    return priceUsage(call.model, usage).totalCost;
  } catch (error) {
    if (!(error instanceof InvalidUsageError)) throw error;
    return priceUsageConservatively(call.model, usage).totalCost;
  }
}

/**
 * Admits a hit: its rate limits only (requests, and the cached answer's tokens, per minute). No
 * budget is checked or reserved: a hit costs nothing, so an exhausted budget does not refuse
 * it. A refusal is recorded like any refused call.
 */
export async function admitHit(services: Services, call: ChatCall, usage: Usage, startedAt: number) {
  await services.usage.admit();
  try {
    return await services.limiter.admit({
      principal: call.principal,
      model: { provider: call.model.provider, id: call.model.id },
      attribution: call.attribution,
      maxCostUsd: "0",
      maxTokens: totalTokens(usage),
      rateOnly: true,
    });
  } catch (error) {
    const apiError = fromProviderError(error);
    await services.usage
      .record(
        usageRow(services, call, {
          status: "error",
          httpStatus: apiError.status,
          errorCode: apiError.error,
          errorMessage: apiError.message,
          latencyMs: performance.now() - startedAt,
        }),
      )
      .catch((err: unknown) => {
        services.logger.error(
          { request_id: call.meta.requestId, err: (err as Error).message },
          "usage row of a refused cache hit lost",
        );
      });
    throw apiError;
  }
}

/**
 * Books a served hit: the rate limits' token count settled (at $0), and its usage row durably
 * written before the answer is complete, with cost 0, `cache_hit` and what it saved.
 */
export async function recordHit(
  services: Services,
  call: ChatCall,
  admission: Admission,
  outcome: Pick<CallOutcome, "latencyMs" | "ttftMs" | "responseBody"> & { usage: Usage; savedUsd: string },
): Promise<void> {
  await Promise.all([
    admission.settle("0", totalTokens(outcome.usage)),
    services.usage.record(
      usageRow(services, call, {
        status: "success",
        httpStatus: 200,
        credentialId: null,
        cost: ZERO_COST,
        cacheHit: true,
        ...outcome,
      }),
    ),
  ]);
}
