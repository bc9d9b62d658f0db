import {
  API_CHAT_FIELDS,
  apiChatCall,
  apiChatInput,
  assertUserScope,
  errorFields,
  isDatabaseInputError,
  type Services,
  validationError,
} from "@llmg/api";
import type { Request, Response } from "express";
import { sendChatStream } from "./chat-stream";
import { errorEnvelope, sendError } from "./envelope";
import { requestMeta } from "./request-meta";
import { unroutedFields } from "./unrouted-fields";

const isApiChat = (req: Request) => req.method === "POST" && req.path === "/chat/completions";

/**
 * The request's meta for a chat call on /api (JSON or stream): with the body fields the schema does
 * not know, which are dropped and named in x-llmg-adjusted-params as on /v1.
 */
export function apiChatMeta(req: Request) {
  const meta = requestMeta(req);
  const ignoredFields = isApiChat(req) ? unroutedFields(req.body, API_CHAT_FIELDS) : undefined;
  return ignoredFields ? { ...meta, ignoredFields } : meta;
}

/**
 * Whether a request is POST /api/chat/completions with `stream: true` (the path as seen under
 * /api). trpc-to-openapi answers only in one piece, so these are served here, before it.
 */
export function isApiChatStream(req: Request): boolean {
  if (!isApiChat(req)) return false;
  const body: unknown = req.body;
  return typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true;
}

/**
 * POST /api/chat/completions with `stream: true`: the same call as the JSON route (same schema,
 * key check, limits, metadata, usage row, budget reservation, shutdown drain — all in the chat
 * service), answered as Server-Sent Events of OpenAI's chunks, with the usage chunk (and its
 * exact `cost_usd`) always sent. Errors before the first byte answer in our envelope and status;
 * later ones as a last `data:` event holding the envelope.
 */
export async function handleApiChatStream(services: Services, req: Request, res: Response): Promise<void> {
  const { requestId } = req;
  try {
    // authenticateFirst checked the key before the body was read; the admin key has no user.
    const principal =
      req.principal ?? (await services.auth.authenticate(req.get("authorization"), req.ip ?? null));
    // The scope the JSON route declares (chat), checked before the body is looked at, as there.
    assertUserScope(principal, "chat");
    const parsed = apiChatInput.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error);
    const call = await apiChatCall(services, principal, apiChatMeta(req), parsed.data);
    await sendChatStream(services, res, call, {
      id: `chatcmpl-${requestId.slice(4)}`,
      created: Math.floor(Date.now() / 1000),
      model: parsed.data.model,
      includeUsage: true,
      requestId,
      errorBody: errorEnvelope,
    });
  } catch (error) {
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    const fields = errorFields(error);
    if ((fields.status >= 500 && fields.error === "internal_error") || isDatabaseInputError(error)) {
      services.logger.error({ request_id: requestId, err: error }, "chat stream failed");
    }
    sendError(res, fields, requestId);
  }
}
