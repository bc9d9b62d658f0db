import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ApiError,
  assertScope,
  attributionFrom,
  type ChatCall,
  cacheDirectiveFrom,
  completeChatCached,
  describeIssues,
  errorFields,
  isDatabaseInputError,
  metadataFrom,
  type Principal,
  resolveCallModels,
  routeCacheDirective,
  type Services,
  type UserPrincipal,
} from "@llmg/api";
import { openAiUsage, sendChatStream } from "../chat-stream";
import { clientAddress } from "../client-address";
import { sendJson } from "../send-json";
import { openAiErrorBody, sendOpenAiError } from "./openai-errors";
import { ignoredFields, type OpenAiChatRequest, openAiChatRequest } from "./request-schema";

/**
 * The caller's user key, once it holds `scope` (chat for calls, read for the model list).
 * `authorization` is the Authorization header unless a surface takes the key elsewhere
 * (/anthropic also takes it as x-api-key).
 */
export async function authenticateUser(
  services: Services,
  req: IncomingMessage,
  scope: "chat" | "read",
  authorization: string | undefined = req.headers.authorization,
): Promise<UserPrincipal> {
  // Disabled users and the bad-key throttle apply here as on /api: both are checked in the
  // authenticator, from its cache (a map lookup per call).
  const principal = await services.auth.authenticate(
    authorization,
    clientAddress(req, services.config.LLMG_TRUST_PROXY),
  );
  if (principal.kind !== "user")
    throw new ApiError("forbidden", "Chat calls need a user's API key, not the admin key");
  assertScope(principal, scope);
  return principal;
}

function parseBody(body: unknown): OpenAiChatRequest {
  const parsed = openAiChatRequest.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = describeIssues(parsed.error);
  throw new ApiError(
    "validation_error",
    `Invalid ${details[0]?.field ?? "body"}: ${details[0]?.message ?? "invalid"}`,
    {
      details,
    },
  );
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};

async function toCall(
  services: Services,
  req: IncomingMessage,
  requestId: string,
  principal: UserPrincipal,
  body: OpenAiChatRequest,
): Promise<ChatCall> {
  const {
    model: _m,
    metadata,
    stream,
    stream_options: _s,
    n: _n,
    fallbacks,
    models,
    cache: cacheBody,
    // max_tokens and max_completion_tokens stay as the client named them: the adapter knows which
    // one its model wants and says so when it renames it.
    ...rest
  } = body;
  const resolved = await resolveCallModels(
    services,
    principal,
    undefined,
    body.model,
    { ...rest, model: body.model } as ChatCall["request"],
    { fallbacks, models },
  );
  const callMetadata = metadata ?? metadataFrom(undefined, header(req, "x-llmg-metadata"));
  // Refused here, before the call is admitted: a bad tag list reserves nothing.
  const attribution = attributionFrom(
    {
      tags: header(req, "x-llmg-tags"),
      runId: header(req, "x-llmg-run-id"),
      runBudgetUsd: header(req, "x-llmg-run-budget-usd"),
    },
    callMetadata,
    metadata ? "metadata" : "x-llmg-metadata",
  );
  const cache =
    cacheDirectiveFrom(header(req, "x-llmg-cache"), cacheBody) ?? routeCacheDirective(resolved.routing);
  return {
    principal,
    meta: {
      requestId,
      ip: clientAddress(req, services.config.LLMG_TRUST_PROXY),
      userAgent: header(req, "user-agent") ?? null,
    },
    endpoint: "v1",
    model: resolved.model,
    request: { ...rest, model: resolved.upstreamName } as ChatCall["request"],
    metadata: callMetadata,
    attribution,
    stream: stream === true,
    ...(resolved.routing ? { routing: resolved.routing, fallbacks: resolved.fallbacks ?? [] } : {}),
    ...(resolved.label ? { label: resolved.label } : {}),
    ...(cache ? { cache } : {}),
  };
}

/**
 * POST /v1/chat/completions: OpenAI's contract, so the official SDKs work unchanged. It runs on
 * bare node request/response objects: the gateway's server routes this path here before express
 * (see http/server.ts), and express's own route hands over its parsed body.
 */
export async function handleChatCompletion(
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  readBody: () => Promise<unknown>,
  /** Already authenticated (the express route checks the key before reading the body). */
  authenticated?: Principal,
): Promise<void> {
  let body: OpenAiChatRequest | undefined;
  try {
    const principal =
      authenticated?.kind === "user" ? authenticated : await authenticateUser(services, req, "chat");
    const raw = await readBody();
    body = parseBody(raw);
    const call = await toCall(services, req, requestId, principal, body);
    const ignored = ignoredFields(raw);
    if (ignored) call.ignoredFields = ignored;
    const created = Math.floor(Date.now() / 1000);
    const id = `chatcmpl-${requestId.slice(4)}`;
    if (call.stream) {
      await sendChatStream(services, res, call, {
        id,
        created,
        model: body.model,
        includeUsage: body.stream_options?.include_usage === true,
        requestId,
        errorBody: openAiErrorBody,
      });
      return;
    }
    const done = await completeChatCached(services, call);
    for (const [name, value] of Object.entries(done.headers)) res.setHeader(name, value);
    res.setHeader("x-llmg-cost-usd", done.cost.totalCost);
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      // With fallbacks or a route, the model that answered.
      model: done.answeredBy?.label ?? body.model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: done.result.content,
            ...(done.result.reasoningContent === undefined
              ? {}
              : { reasoning_content: done.result.reasoningContent }),
            ...(done.result.thinkingBlocks?.length ? { thinking_blocks: done.result.thinkingBlocks } : {}),
            ...(done.result.toolCalls?.length ? { tool_calls: done.result.toolCalls } : {}),
          },
          finish_reason: done.result.finishReason,
          logprobs: null,
        },
      ],
      usage: openAiUsage(done.usage),
    });
  } catch (error) {
    // Mid-stream errors are answered by sendChatStream; this is only reached if that failed too.
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    const fields = errorFields(error);
    if ((fields.status >= 500 && fields.error === "internal_error") || isDatabaseInputError(error)) {
      services.logger.error({ request_id: requestId, err: error }, "chat failed");
    }
    sendOpenAiError(res, fields, requestId);
  }
}
