import type { UserPrincipal } from "../auth/authenticator";
import { cacheDirectiveFrom } from "../cache/policy";
import type { RequestMeta } from "../context";
import { resolveCallModels, routeCacheDirective } from "../model-routes/targets";
import type { Services } from "../services";
import type { ApiChatInput } from "./api-schemas";
import { attributionFrom } from "./attribution";
import type { ChatCall } from "./call";
import { metadataFrom } from "./metadata";

/**
 * A validated POST /api/chat/completions body as a chat call. Shared by the tRPC procedure (JSON
 * answers) and the server's SSE route (`stream: true`), so both build the same call.
 */
export async function apiChatCall(
  services: Pick<Services, "catalog" | "db" | "config">,
  principal: UserPrincipal,
  meta: Pick<
    RequestMeta,
    | "requestId"
    | "ip"
    | "userAgent"
    | "metadataHeader"
    | "attributionHeaders"
    | "ignoredFields"
    | "cacheHeader"
  >,
  input: ApiChatInput,
): Promise<ChatCall> {
  // max_tokens and max_completion_tokens stay as the caller named them: the adapter knows which
  // one its model wants and says so when it has to rename it.
  const { provider: _p, model: _m, metadata, stream, fallbacks, models, cache: cacheBody, ...rest } = input;
  const resolved = await resolveCallModels(
    services,
    principal,
    input.provider,
    input.model,
    { ...rest, model: input.model },
    { fallbacks, models },
  );
  // Refused here too, before anything is admitted: a bad cache header is a 400.
  const cache = cacheDirectiveFrom(meta.cacheHeader, cacheBody) ?? routeCacheDirective(resolved.routing);
  const callMetadata = metadata ?? metadataFrom(undefined, meta.metadataHeader);
  // Refused here, before the call is admitted: a bad tag list reserves nothing.
  const attribution = attributionFrom(
    meta.attributionHeaders,
    callMetadata,
    metadata ? "metadata" : "x-llmg-metadata",
  );
  return {
    principal,
    meta: { requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent },
    endpoint: "api",
    model: resolved.model,
    request: { ...rest, model: resolved.upstreamName },
    metadata: callMetadata,
    attribution,
    stream: stream === true,
    ...(meta.ignoredFields?.length ? { ignoredFields: meta.ignoredFields } : {}),
    ...(resolved.routing ? { routing: resolved.routing, fallbacks: resolved.fallbacks ?? [] } : {}),
    ...(resolved.label ? { label: resolved.label } : {}),
    ...(cache ? { cache } : {}),
  };
}
