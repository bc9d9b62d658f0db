import { z } from "zod";
import type { Principal } from "../auth/authenticator";
import { isoDate, text } from "../schemas/common";

export const signInInput = z.object({
  key: text().min(1).max(200).meta({ description: "An llmg user key or the admin key", example: "llmg_..." }),
});

export const sessionSchema = z
  .object({
    kind: z.enum(["user", "admin"]),
    /** Absent for the admin key's session. */
    user: z.object({ id: z.string(), email: z.string() }).optional(),
    /** The key the session stands for, and what it may do (absent for the admin key). */
    key: z.object({ id: z.string(), scopes: z.array(z.string()) }).optional(),
    expires_at: isoDate,
    /** Send it as x-llmg-csrf with every state-changing call made with the cookie. */
    csrf_token: z.string(),
  })
  .meta({ id: "Session" });

export type SessionDto = z.infer<typeof sessionSchema>;

export function toSessionDto(principal: Principal, expiresAt: Date, csrfToken: string): SessionDto {
  const common = { expires_at: expiresAt.toISOString(), csrf_token: csrfToken };
  if (principal.kind === "admin") return { kind: "admin", ...common };
  return {
    kind: "user",
    user: { id: principal.userId, email: principal.email },
    key: { id: principal.keyId, scopes: [...principal.scopes] },
    ...common,
  };
}
