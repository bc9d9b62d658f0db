import type { Principal } from "./auth/authenticator";
import type { AttributionHeaders } from "./chat/attribution";
import type { Services } from "./services";
import type { SessionAuth } from "./session/authenticate";

export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  authorization: string | undefined;
  /** The raw `x-llmg-metadata` header, for chat calls that tag their usage row. */
  metadataHeader?: string | undefined;
  /** The raw x-llmg-tags, x-llmg-run-id and x-llmg-run-budget-usd headers of a chat call. */
  attributionHeaders?: AttributionHeaders | undefined;
  /** The raw `x-llmg-cache` header of a chat call (response cache). */
  cacheHeader?: string | undefined;
  /** Body fields a chat call's schema does not know (REST only), named in x-llmg-adjusted-params. */
  ignoredFields?: readonly string[] | undefined;
  /** The raw Cookie header: read for a session only when no Authorization header is sent. */
  cookieHeader?: string | undefined;
  /** The raw x-llmg-csrf header a session-authenticated state-changing call must send. */
  csrfHeader?: string | undefined;
  /** Whether the request came over HTTPS (express's req.secure, behind LLMG_TRUST_PROXY proxies). */
  secure?: boolean | undefined;
}

export interface Context extends RequestMeta {
  services: Services;
  /** Lets a procedure choose its REST status (e.g. 201) and headers. */
  response: { status?: number; headers: Record<string, string> };
  principal?: Principal;
  /** The session cookie's check, shared by the calls of one tRPC batch (see session/authenticate.ts). */
  session?: Promise<SessionAuth> | undefined;
}

/**
 * The context without any HTTP object, so tests and scripts can call routers through
 * `createCaller` exactly as the HTTP adapters do.
 */
export function createContextInner(services: Services, meta: RequestMeta): Context {
  return { ...meta, services, response: { headers: {} } };
}
