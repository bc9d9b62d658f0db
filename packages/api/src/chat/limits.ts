import type { UserPrincipal } from "../auth/authenticator";
import type { CallAttribution } from "../limits/call-levels";

/** What a chat call asks of the limits before the provider is called. */
export interface AdmissionRequest {
  principal: UserPrincipal;
  /** The model called, named in a model_unpriced refusal. */
  model?: { provider: string; id: string };
  /** Its tags and agent run: the tag budgets and run envelope it is held to. */
  attribution?: CallAttribution | undefined;
  /** Upper-bound cost of the call (estimated prompt + max output, priced), exact USD string. */
  maxCostUsd: string;
  /** Estimated prompt tokens + max output tokens, for tokens-per-minute limits. */
  maxTokens: number;
  /**
   * Rate limits only: no budget of any level is checked or reserved (a response cache hit costs
   * nothing, yet counts as a call against the requests and tokens per minute).
   */
  rateOnly?: boolean;
}

/** A granted call: its reservation must be settled to the real cost, or released on failure. */
export interface Admission {
  /** Headers to send with the answer (x-ratelimit-*). */
  headers: Record<string, string>;
  settle(actualCostUsd: string, actualTokens: number): Promise<void>;
  release(): Promise<void>;
}

/**
 * The one step on the hot path where budgets and rate limits are checked and reserved. It throws
 * ApiError budget_exceeded (402) or rate_limit_exceeded (429) to refuse a call.
 */
export interface Limiter {
  admit(request: AdmissionRequest): Promise<Admission>;
}

const granted: Admission = { headers: {}, settle: async () => {}, release: async () => {} };

/** No limits at all: for deployments and tests that do not want them. */
export const unlimited: Limiter = { admit: async () => granted };
