import type { IncomingMessage } from "node:http";
import type { Services, UserPrincipal } from "@llmg/api";
import { authenticateUser } from "../v1/chat-completions";

/**
 * The user's llmg key, as the Anthropic SDK and Claude Code send it: `x-api-key` (ANTHROPIC_API_KEY)
 * or `Authorization: Bearer` (ANTHROPIC_AUTH_TOKEN, and the SDK's apiKey in recent versions).
 */
export function authenticateAnthropic(
  services: Services,
  req: IncomingMessage,
  scope: "chat" | "read",
): Promise<UserPrincipal> {
  const key = req.headers["x-api-key"];
  const authorization = typeof key === "string" && key !== "" ? `Bearer ${key}` : req.headers.authorization;
  return authenticateUser(services, req, scope, authorization);
}
