import type { UserPrincipal } from "../auth/authenticator";
import type { RequestMeta } from "../context";
import type { Services } from "../services";
import type { ApiChatInput } from "./api-schemas";
import type { ChatCall } from "./call";
import { metadataFrom } from "./metadata";
import { resolveModel } from "./resolve-model";

/**
 * A validated POST /api/chat/completions body as a chat call. Shared by the tRPC procedure (JSON
 * answers) and the server's SSE route (`stream: true`), so both build the same call.
 */
export function apiChatCall(
  services: Pick<Services, "catalog">,
  principal: UserPrincipal,
  meta: Pick<RequestMeta, "requestId" | "ip" | "userAgent" | "metadataHeader" | "ignoredFields">,
  input: ApiChatInput,
): ChatCall {
  const { model, upstreamName } = resolveModel(services.catalog, input.provider, input.model);
  const { provider: _p, model: _m, metadata, stream, max_completion_tokens, ...rest } = input;
  const maxTokens = rest.max_tokens ?? max_completion_tokens;
  return {
    principal,
    meta: { requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent },
    endpoint: "api",
    model,
    request: { ...rest, model: upstreamName, ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) },
    metadata: metadata ?? metadataFrom(undefined, meta.metadataHeader),
    stream: stream === true,
    ...(meta.ignoredFields?.length ? { ignoredFields: meta.ignoredFields } : {}),
  };
}
