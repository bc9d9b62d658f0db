import { randomBytes } from "node:crypto";

/**
 * Where a user's counters live in Redis: the part of each key name after the prefix that holds
 * the hash tag. One admission touches the user's counters, those of its key, tags and run (all
 * in the user's home) and, for a team key, the team's (under `{team:<id>}`). Redis Cluster runs
 * a script only when all its keys hash to one slot, so a member of a team keeps its counters
 * under the team's hash tag: `{team:<teamId>}:u:<userId>:<epoch>`. A user in no team, or (on
 * one Redis only) in several, keeps them under its own: `{<userId>}`, as before teams existed.
 *
 * A membership change that moves a user gives it a new home with a fresh epoch, so its counters
 * start afresh and are seeded from the usage rows like any missing counter: coming back to an
 * earlier home must never find that home's stale counters again.
 */

/** The home of a user that never moved (and of every user before homes existed). */
export const defaultHome = (userId: string) => `{${userId}}`;

/** The user's home as stored (users.counter_home), or its default. */
export const homeOf = (userId: string, stored: string | null | undefined) => stored ?? defaultHome(userId);

/** The hash tag a home's keys carry, without the braces. */
export function homeTag(home: string): string {
  const end = home.indexOf("}");
  return home.startsWith("{") && end > 0 ? home.slice(1, end) : home;
}

/** The hash tag a user's counters belong under, given the teams it is a member of. */
const wantedTag = (userId: string, teamIds: readonly string[]) =>
  teamIds.length === 1 ? `team:${teamIds[0]}` : userId;

/**
 * The home a user should move to after its memberships changed to `teamIds`, or undefined when
 * its current home already has the right hash tag (a role change, or another team's change).
 */
export function nextHome(
  userId: string,
  stored: string | null,
  teamIds: readonly string[],
): string | undefined {
  const tag = wantedTag(userId, teamIds);
  if (homeTag(homeOf(userId, stored)) === tag) return undefined;
  const epoch = randomBytes(4).toString("hex");
  return tag === userId ? `{${userId}}:${epoch}` : `{${tag}}:u:${userId}:${epoch}`;
}

/** True when a call of this team can be admitted in one slot with the user's counters. */
export const sharesSlotWithTeam = (home: string, teamId: string | null | undefined) =>
  !teamId || homeTag(home) === `team:${teamId}`;
