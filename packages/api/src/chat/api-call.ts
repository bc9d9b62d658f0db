import type { UserPrincipal } from "../auth/authenticator";
import { cacheDirectiveFrom } from "../cache/policy";
import type { RequestMeta } from "../context";
import type { Services } from "../services";
import type { ApiChatInput } from "./api-schemas";
import { attributionFrom } from "./attribution";
import type { ChatCall } from "./call";
import { metadataFrom } from "./metadata";
import { resolveModelFor } from "./resolve-model";

/**
 * A validated POST /api/chat/completions body as a chat call. Shared by the tRPC procedure (JSON
 * answers) and the server's SSE route (`stream: true`), so both build the same call.
 */
export function apiChatCall(
  services: Pick<Services, "catalog">,
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
): ChatCall {
  const { model, upstreamName } = resolveModelFor(services.catalog, principal, input.provider, input.model);
  // max_tokens and max_completion_tokens stay as the caller named them: the adapter knows which
  // one its model wants and says so when it has to rename it.
  const { provider: _p, model: _m, metadata, stream, cache: cacheBody, ...rest } = input;
  // Refused here too, before anything is admitted: a bad cache header is a 400.
  const cache = cacheDirectiveFrom(meta.cacheHeader, cacheBody);
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
    model,
    request: { ...rest, model: upstreamName },
    metadata: callMetadata,
    attribution,
    stream: stream === true,
    ...(meta.ignoredFields?.length ? { ignoredFields: meta.ignoredFields } : {}),
    ...(cache ? { cache } : {}),
  };
}
