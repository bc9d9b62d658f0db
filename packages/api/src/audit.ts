import { type ActivityInput, recordActivity } from "@llmg/db";
import type { Context } from "./context";

/** Writes an activity_log row for something the caller did, with where it came from. */
export async function audit(
  ctx: Context,
  entry: Omit<ActivityInput, "actor" | "ip" | "userAgent">,
): Promise<void> {
  const actor = ctx.principal?.kind === "user" ? ctx.principal.userId : (ctx.principal?.kind ?? "system");
  await recordActivity(ctx.services.db, { ...entry, actor, ip: ctx.ip, userAgent: ctx.userAgent });
}
