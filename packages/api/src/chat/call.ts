import type { ChatRequest, ModelInfo, Usage } from "@llmg/core";
import type { UserPrincipal } from "../auth/authenticator";
import type { CacheDirective } from "../cache/policy";
import type { RequestMeta } from "../context";
import type { Target } from "../model-routes/select";
import type { Routing } from "../model-routes/targets";
import type { Attribution } from "./attribution";

/** Everything known about one chat call once its body is validated. */
export interface ChatCall {
  principal: UserPrincipal;
  meta: Pick<RequestMeta, "requestId" | "ip" | "userAgent">;
  /** The surface: /api, /v1 (OpenAI's shape) or /anthropic (Anthropic's own, passed through). */
  endpoint: "api" | "v1" | "anthropic";
  model: ModelInfo;
  /** The request in our OpenAI shape, `model` already the provider's name. */
  request: ChatRequest;
  /**
   * A native surface's body, sent upstream as it is (see anthropic/service.ts): stored as the
   * row's request body in place of `request`, which then only names the model.
   */
  nativeBody?: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  /** Tags and agent run (x-llmg-tags, metadata.tags, x-llmg-run-id); none when absent. */
  attribution?: Attribution;
  stream: boolean;
  /**
   * Top-level body fields the surface does not route (e.g. `logprobs` on /v1): dropped, and named
   * in x-llmg-adjusted-params like the fields a provider cannot map.
   */
  ignoredFields?: readonly string[];
  /** Models tried in order after `model` fails in a way `routing.retryOn` names (see attempts.ts). */
  fallbacks?: readonly Target[];
  routing?: Routing;
  /** The name the caller used for `model`, shown back as the answer's model when it may vary. */
  label?: string;
  /** Set on each attempt of a call that may fall back: its number, and the id the caller got. */
  attempt?: { n: number; requestId: string };
  /** The response cache asked for (x-llmg-cache, body `cache`); absent = not used. */
  cache?: CacheDirective;
}

export interface ChatCost {
  promptCost: string;
  completionCost: string;
  totalCost: string;
}

/** How a call ended, for its usage row. */
export interface CallOutcome {
  status: "success" | "error";
  httpStatus: number;
  errorCode?: string;
  errorMessage?: string;
  credentialId?: string | null;
  usage?: Usage;
  cost?: ChatCost;
  latencyMs: number;
  ttftMs?: number | null;
  responseBody?: unknown;
  /** Answered from the response cache, saving `savedUsd` (exact USD). */
  cacheHit?: boolean;
  savedUsd?: string;
}
