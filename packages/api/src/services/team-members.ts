import { findTeam, findUserById, removeTeamMember, type TeamMember, upsertTeamMember } from "@llmg/db";
import { audit } from "../audit";
import type { Context } from "../context";
import { notFound } from "../errors";

/** Adds a user to a team, or changes their role there. */
export async function addTeamMember(
  ctx: Context,
  teamId: string,
  userId: string,
  role: TeamMember["role"],
): Promise<TeamMember> {
  const { db } = ctx.services;
  if (!(await findTeam(db, teamId))) throw notFound("Team");
  if (!(await findUserById(db, userId))) throw notFound("User");
  const member = await upsertTeamMember(db, teamId, userId, role).catch((error: unknown) => {
    // The team or the user was deleted between the lookups and the insert.
    if ((error as { code?: unknown })?.code === "23503") throw notFound("Team or user");
    throw error;
  });
  await audit(ctx, {
    userId,
    action: "team.member.add",
    targetType: "team",
    targetId: teamId,
    details: { role },
  });
  return member;
}

/**
 * Removes a member. Their keys that named the team stop naming it (in the same transaction), so
 * their calls no longer count for the team; the keys keep working for the user. This replica's
 * key cache forgets them at once, other replicas within LLMG_KEY_CACHE_TTL_MS.
 */
export async function removeMember(ctx: Context, teamId: string, userId: string): Promise<string[]> {
  const removed = await removeTeamMember(ctx.services.db, teamId, userId);
  if (!removed) throw notFound("Team member");
  for (const hash of removed.detachedKeyHashes) ctx.services.auth.forget(hash);
  await audit(ctx, {
    userId,
    action: "team.member.remove",
    targetType: "team",
    targetId: teamId,
    details: { role: removed.member.role, keys_detached: removed.detachedKeyHashes.length },
  });
  return removed.detachedKeyHashes;
}
