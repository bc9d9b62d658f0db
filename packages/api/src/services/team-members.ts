import {
  type CounterPlacement,
  findTeam,
  findUserById,
  OneTeamOnlyError,
  removeTeamMember,
  type TeamMember,
  upsertTeamMember,
} from "@llmg/db";
import { audit } from "../audit";
import type { Context } from "../context";
import { ApiError, notFound } from "../errors";
import { homeOf, nextHome } from "../limits/home";

/**
 * Where the member's counters go after the change (see limits/home.ts). With the counters on a
 * Redis Cluster a user's counters can share a slot with one team only, so a second team is
 * refused there; on one Redis any number of teams works.
 */
function placement(ctx: Context, userId: string) {
  let left: string | undefined;
  const placed: CounterPlacement = {
    rehome(stored, teamIds) {
      const next = nextHome(userId, stored, teamIds);
      left = next === undefined ? undefined : homeOf(userId, stored);
      return next;
    },
    oneTeam: (ctx.services.config.LLMG_COUNTERS_REDIS_CLUSTER?.length ?? 0) > 0,
  };
  /**
   * Once the change is committed: retires the home the counters left, so every replica's next
   * admission reads the new one. Should Redis not take it, replicas still move within the
   * settings cache's TTL; the change itself stands.
   */
  const settle = async () => {
    if (left === undefined) return ctx.services.limits.invalidate(userId);
    await ctx.services.limits.retireHome(userId, left).catch((error: unknown) => {
      ctx.services.logger.warn(
        { user_id: userId, err: (error as Error).message },
        "counter home not retired",
      );
    });
  };
  return { placed, settle };
}

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
  const place = placement(ctx, userId);
  const member = await upsertTeamMember(db, teamId, userId, role, place.placed).catch((error: unknown) => {
    // The team or the user was deleted between the lookups and the insert.
    if ((error as { code?: unknown })?.code === "23503") throw notFound("Team or user");
    if (error instanceof OneTeamOnlyError) {
      throw new ApiError(
        "conflict",
        "With budget counters on a Redis Cluster a user belongs to one team at most; remove them from their other team first",
        { details: { field: "user_id", team_id: error.otherTeamId } },
      );
    }
    throw error;
  });
  await place.settle();
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
  const place = placement(ctx, userId);
  const removed = await removeTeamMember(ctx.services.db, teamId, userId, place.placed);
  if (!removed) throw notFound("Team member");
  await place.settle();
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
