import { estimateRequestPromptTokens, ProviderError } from "@llmg/core";
import type { RetryKind } from "@llmg/db";
import { ApiError } from "../errors";
import { fits, requiredCapabilities, type Target } from "../model-routes/select";
import type { ChatCall } from "./call";

export const ROUTE_HEADER = "x-llmg-route";
export const ATTEMPTS_HEADER = "x-llmg-attempts";
export const MODEL_HEADER = "x-llmg-model";

// Provider messages that mean "the prompt is longer than this model takes" (OpenAI's
// context_length_exceeded, Anthropic's "prompt is too long", Gemini's "exceeds the maximum
// number of tokens", Mistral's and DeepSeek's "maximum context length").
const CONTEXT_LENGTH =
  /context[ _]length|context window|prompt is too long|maximum (context|number of tokens)|too many tokens/i;

/**
 * Which kind of failure an attempt ended with, when it is one that another model may not share:
 * the provider rate-limited or ran out of quota (429), failed (5xx, 529, a broken answer), timed
 * out, or found the prompt too long (or every key of the user for it has its circuit open).
 * Anything else (a bad request, our own budget or rate limit)
 * would fail the same way elsewhere, or must not be worked around, so it ends the call.
 */
export function retryKind(error: unknown): RetryKind | undefined {
  // Every key of the user for that provider has its circuit open (see routing/breaker.ts): the
  // provider is unwell for this user, as a 5xx says.
  if (error instanceof ApiError && error.error === "provider_unavailable") return "5xx";
  const cause = error instanceof ApiError ? error.cause : error;
  if (!(cause instanceof ProviderError)) return undefined;
  if (cause.code === "provider_timeout") return "timeout";
  if (cause.code === "egress_denied") return undefined;
  const status = cause.upstreamStatus;
  if (status === 429) return "429";
  if (status === undefined || status >= 500) return "5xx";
  if (
    (status === 400 || status === 413) &&
    (CONTEXT_LENGTH.test(cause.message) || cause.providerCode === "context_length_exceeded")
  ) {
    return "context_length";
  }
  return undefined;
}

/** One attempt's call: the target's model, its own row id, numbered. */
export function attemptCall(base: ChatCall, target: Target | undefined, n: number): ChatCall {
  const requestId = base.meta.requestId;
  const retargeted = target
    ? {
        ...base,
        model: target.model,
        request: { ...base.request, model: target.upstreamName },
        label: target.label,
      }
    : base;
  return {
    ...retargeted,
    meta: { ...base.meta, requestId: n === 1 ? requestId : `${requestId}-${n}` },
    attempt: { n, requestId },
  };
}

/**
 * The attempts a call may make, in order: the call's own model, then its fallbacks. Models whose
 * context window the prompt does not fit, or which lack a capability the request needs (tools,
 * images), are skipped without a call, unless none fits (the provider then says why).
 */
export function plannedAttempts(call: ChatCall): ChatCall[] {
  const first: Target = {
    model: call.model,
    upstreamName: call.request.model,
    label: call.label ?? `${call.model.provider}/${call.model.id}`,
    weight: 1,
  };
  const targets = [first, ...(call.fallbacks ?? [])];
  const needs = requiredCapabilities(call.request);
  const fitting = targets.filter((t) =>
    fits(
      t.model,
      estimateRequestPromptTokens(call.request, { provider: t.model.provider, model: t.upstreamName }),
      needs,
    ),
  );
  const chosen = fitting.length > 0 ? fitting : targets;
  return chosen.map((t, i) => attemptCall(call, t, i + 1));
}

/** The headers that say how a call with fallbacks was answered. */
export function routingHeaders(call: ChatCall, attempts: number): Record<string, string> {
  return { [ROUTE_HEADER]: call.routing?.route ?? "fallbacks", [ATTEMPTS_HEADER]: String(attempts) };
}

/**
 * Runs the attempts one after the other until one answers or fails in a way that ends the call.
 * Each attempt is a whole call of its own: admitted by the limits at its model's price (a
 * fallback too dear for the budget left is refused with 402 and ends the call), charged against
 * the rate limits, sent, priced and recorded as its own row. `canRetry` says whether the caller
 * can still take another attempt's answer (a stream that began cannot).
 */
export async function runAttempts<T>(
  call: ChatCall,
  attempt: (call: ChatCall) => Promise<T>,
  canRetry: () => boolean = () => true,
): Promise<{ result: T; call: ChatCall; attempts: number }> {
  const planned = plannedAttempts(call);
  const retryOn = call.routing?.retryOn ?? [];
  let lastError: unknown;
  for (const [i, next] of planned.entries()) {
    try {
      return { result: await attempt(next), call: next, attempts: i + 1 };
    } catch (error) {
      lastError = error;
      const kind = retryKind(error);
      if (kind === undefined || !retryOn.includes(kind) || !canRetry())
        throw withAttempts(error, call, i + 1);
    }
  }
  throw withAttempts(lastError, call, planned.length);
}

/** The last attempt's error, saying how many attempts were made (headers on the error answer). */
function withAttempts(error: unknown, call: ChatCall, attempts: number): unknown {
  if (!(error instanceof ApiError)) return error;
  const headers = { ...error.headers, ...routingHeaders(call, attempts) };
  return Object.assign(error, { headers });
}
