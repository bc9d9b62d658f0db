import { createHash } from "node:crypto";
import type { ChatCall } from "../chat/call";

/**
 * Request fields that do not change the answer: who the end user is (`user`), and the
 * provider-side prompt cache routing hint. Stream flag, metadata, tags and run are not in the
 * request at all (the call holds them apart), so streamed and plain calls share entries.
 */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(["user", "prompt_cache_key"]);

/** JSON with object keys sorted at every depth (undefined members left out, as JSON does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

/**
 * Whose answers a call may share: its team's when its key counts for a team (every member's team
 * keys share), otherwise its user's alone. Tenants never read each other's entries.
 */
export function cacheScope(call: Pick<ChatCall, "principal">): string {
  const { teamId, userId } = call.principal;
  return teamId ? `team:${teamId}` : `user:${userId}`;
}

/**
 * The entry's key: SHA-256 (hex) of the scope and the normalised request (the catalog's provider
 * and model, then every field that shapes the answer: messages, tools, tool_choice,
 * response_format, sampling parameters, max tokens, stop, seed...), as canonical JSON.
 */
export function cacheKey(
  call: Pick<ChatCall, "principal" | "model" | "request" | "cache" | "routing">,
): string {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(call.request)) {
    if (name !== "model" && !IGNORED_FIELDS.has(name)) fields[name] = value;
  }
  // A route's first model varies (weighted, fastest): its answers are filed under the route.
  const target = call.routing?.route
    ? { route: call.routing.route }
    : { provider: call.model.provider, model: call.model.id };
  const normalised = canonicalJson({ ...target, request: fields });
  // A route that caches every answer (tool calls, cut answers) keeps them apart from the entries
  // plain calls read, which must only ever hold complete text answers.
  const space = call.cache?.kind === "store" && call.cache.cacheAll ? "all\n" : "";
  return createHash("sha256")
    .update(space)
    .update(cacheScope(call))
    .update("\n")
    .update(normalised)
    .digest("hex");
}
