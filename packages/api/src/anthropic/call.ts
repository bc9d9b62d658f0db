import { z } from "zod";
import type { UserPrincipal } from "../auth/authenticator";
import { assertModelAllowed, assertScope } from "../auth/key-rules";
import { type Attribution, attributionFrom } from "../chat/attribution";
import type { ChatCall } from "../chat/call";
import { metadataFrom } from "../chat/metadata";
import { resolveModel } from "../chat/resolve-model";
import { describeIssues } from "../error-fields";
import { ApiError } from "../errors";
import type { Services } from "../services";
import { estimateNativePromptTokens } from "./estimate";

/**
 * The fields of a Messages body this surface reads; everything else (system, tools, thinking,
 * cache_control, metadata, betas' fields...) goes upstream untouched. `max_tokens` and
 * `messages` are required (anthropic-sdk-typescript MessageCreateParamsBase, no `?`); their
 * finer rules are Anthropic's to enforce, and its 400 is passed back as it came.
 */
const nativeBody = z.looseObject({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().positive().max(10_000_000),
  messages: z.array(z.unknown()).max(100_000),
  stream: z.boolean().optional(),
});

/** count_tokens takes the same body without max_tokens (MessageCountTokensParams). */
const countBody = nativeBody.omit({ max_tokens: true, stream: true });

/** `anthropic-beta`: comma-separated beta names; bounded, and only their characters. */
const BETA_HEADER = /^[A-Za-z0-9_.,: -]{1,1024}$/;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = describeIssues(parsed.error);
  throw new ApiError(
    "validation_error",
    `Invalid ${details[0]?.field ?? "body"}: ${details[0]?.message ?? "invalid"}`,
    { details },
  );
}

/**
 * The catalog's Anthropic model the body names (bare, dated alias, or "anthropic/..."), once the
 * key may call it. Another provider's model is refused: this surface does not translate yet.
 */
function anthropicModel(services: Services, principal: UserPrincipal, name: string) {
  assertScope(principal, "chat");
  const bare = name.startsWith("anthropic/") ? name.slice("anthropic/".length) : name;
  const own = services.catalog.model("anthropic", bare);
  const resolved = own ? { model: own, upstreamName: bare } : resolveModel(services.catalog, undefined, name);
  if (resolved.model.provider !== "anthropic") {
    throw new ApiError(
      "validation_error",
      `${name} is a ${resolved.model.provider} model: /anthropic serves Anthropic models only for now (call it through /v1)`,
      { details: [{ field: "model", message: "not an Anthropic model" }] },
    );
  }
  assertModelAllowed(principal, "anthropic", [resolved.model.id, resolved.upstreamName]);
  return resolved;
}

export interface RequestHeaders {
  get(name: string): string | undefined;
}

export interface AnthropicCall {
  /** The call as the chat service's admission, pricing and rows know it. */
  call: ChatCall;
  /** The body sent upstream: the client's, with the provider's model name. */
  body: Record<string, unknown>;
  beta?: string;
  bounds: { promptTokens: number; maxOutputTokens: number };
}

function betaHeader(headers: RequestHeaders): string | undefined {
  const beta = headers.get("anthropic-beta");
  if (beta === undefined) return undefined;
  if (!BETA_HEADER.test(beta)) {
    throw new ApiError("validation_error", "Invalid anthropic-beta header: beta names, comma-separated", {
      details: [{ field: "anthropic-beta", message: "invalid header" }],
    });
  }
  return beta;
}

function attributionOf(headers: RequestHeaders, metadata: Record<string, unknown> | null): Attribution {
  return attributionFrom(
    {
      tags: headers.get("x-llmg-tags"),
      runId: headers.get("x-llmg-run-id"),
      runBudgetUsd: headers.get("x-llmg-run-budget-usd"),
    },
    metadata,
    "x-llmg-metadata",
  );
}

/** A POST /anthropic/v1/messages body as a call: validated, its model resolved, its bounds estimated. */
export function anthropicCall(
  services: Services,
  principal: UserPrincipal,
  meta: ChatCall["meta"],
  headers: RequestHeaders,
  raw: unknown,
): AnthropicCall {
  const parsed = parse(nativeBody, raw);
  const { model, upstreamName } = anthropicModel(services, principal, parsed.model);
  const body: Record<string, unknown> = { ...parsed, model: upstreamName };
  // Our own metadata travels in x-llmg-metadata: the body's `metadata` is Anthropic's (user_id).
  const metadata = metadataFrom(undefined, headers.get("x-llmg-metadata"));
  const beta = betaHeader(headers);
  return {
    call: {
      principal,
      meta,
      endpoint: "anthropic",
      model,
      request: { model: upstreamName, messages: [] },
      nativeBody: body,
      metadata,
      attribution: attributionOf(headers, metadata),
      stream: parsed.stream === true,
    },
    body,
    ...(beta ? { beta } : {}),
    bounds: { promptTokens: estimateNativePromptTokens(body), maxOutputTokens: parsed.max_tokens },
  };
}

/** A count_tokens body: validated and its model resolved (the key must be allowed to call it). */
export function anthropicCountCall(
  services: Services,
  principal: UserPrincipal,
  headers: RequestHeaders,
  raw: unknown,
): { body: Record<string, unknown>; beta?: string } {
  const parsed = parse(countBody, raw);
  const { upstreamName } = anthropicModel(services, principal, parsed.model);
  const beta = betaHeader(headers);
  return { body: { ...parsed, model: upstreamName }, ...(beta ? { beta } : {}) };
}
