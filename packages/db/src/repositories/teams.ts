import type { Kysely } from "kysely";
import { newId } from "../ids";
import type { Database, Team, TeamMember, TeamRole } from "../types";
import { offsetOf, type Page, type PageRequest } from "./pagination";

export interface TeamFields {
  name?: string;
  monthlyBudgetUsd?: string | null;
  budgetCapUsd?: string | null;
  thresholds?: number[];
  webhookUrl?: string | null;
  rateLimitRpm?: number | null;
  rateLimitTpm?: number | null;
}

function columns(fields: TeamFields) {
  return {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.monthlyBudgetUsd !== undefined ? { monthly_budget_usd: fields.monthlyBudgetUsd } : {}),
    ...(fields.budgetCapUsd !== undefined ? { budget_cap_usd: fields.budgetCapUsd } : {}),
    ...(fields.thresholds !== undefined ? { thresholds: JSON.stringify(fields.thresholds) } : {}),
    ...(fields.webhookUrl !== undefined ? { webhook_url: fields.webhookUrl } : {}),
    ...(fields.rateLimitRpm !== undefined ? { rate_limit_rpm: fields.rateLimitRpm } : {}),
    ...(fields.rateLimitTpm !== undefined ? { rate_limit_tpm: fields.rateLimitTpm } : {}),
  };
}

export async function createTeam(db: Kysely<Database>, fields: TeamFields & { name: string }): Promise<Team> {
  return db
    .insertInto("teams")
    .values({ id: newId("team"), ...columns(fields), name: fields.name })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findTeam(db: Kysely<Database>, id: string): Promise<Team | undefined> {
  return db.selectFrom("teams").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The team row locked until the end of the transaction, so a limit and its cap change in turn. */
export async function lockTeam(db: Kysely<Database>, id: string): Promise<Team | undefined> {
  return db.selectFrom("teams").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updateTeam(
  db: Kysely<Database>,
  id: string,
  fields: TeamFields,
): Promise<Team | undefined> {
  return db
    .updateTable("teams")
    .set({ ...columns(fields), updated_at: new Date() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function listTeams(db: Kysely<Database>, page: PageRequest): Promise<Page<Team>> {
  const [items, count] = await Promise.all([
    db
      .selectFrom("teams")
      .selectAll()
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .limit(page.perPage)
      .offset(offsetOf(page))
      .execute(),
    db
      .selectFrom("teams")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: count.n };
}

/**
 * How a membership change places the user's counters (the api's limits/home.ts decides; this
 * module only stores its answer): `rehome` gets the stored home and the user's teams after the
 * change and answers the new home, or undefined to keep it; `oneTeam` refuses a second team
 * (counters on Redis Cluster: a user's counters can share a slot with one team only).
 */
export interface CounterPlacement {
  rehome(stored: string | null, teamIds: readonly string[]): string | undefined;
  oneTeam: boolean;
}

/** A second team for a user whose counters can follow only one (see CounterPlacement). */
export class OneTeamOnlyError extends Error {
  constructor(readonly otherTeamId: string) {
    super("The user already belongs to another team");
  }
}

/** Locks the user's row, so concurrent membership changes of one user place it one at a time. */
async function lockUser(trx: Kysely<Database>, userId: string) {
  return trx
    .selectFrom("users")
    .select("counter_home")
    .where("id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
}

/** Moves the user's counters after its memberships changed, inside the change's transaction. */
async function place(
  trx: Kysely<Database>,
  userId: string,
  stored: string | null,
  placement: CounterPlacement,
) {
  const teams = await trx
    .selectFrom("team_members")
    .select("team_id")
    .where("user_id", "=", userId)
    .execute();
  const home = placement.rehome(
    stored,
    teams.map((t) => t.team_id),
  );
  if (home !== undefined)
    await trx.updateTable("users").set({ counter_home: home }).where("id", "=", userId).execute();
}

/** Adds a member, or changes the role of one already there. */
export async function upsertTeamMember(
  db: Kysely<Database>,
  teamId: string,
  userId: string,
  role: TeamRole,
  placement?: CounterPlacement,
): Promise<TeamMember> {
  const upsert = (trx: Kysely<Database>) =>
    trx
      .insertInto("team_members")
      .values({ team_id: teamId, user_id: userId, role })
      .onConflict((oc) => oc.columns(["team_id", "user_id"]).doUpdateSet({ role }))
      .returningAll()
      .executeTakeFirstOrThrow();
  if (!placement) return upsert(db);
  return db.transaction().execute(async (trx) => {
    const user = await lockUser(trx, userId);
    if (placement.oneTeam) {
      const other = await trx
        .selectFrom("team_members")
        .select("team_id")
        .where("user_id", "=", userId)
        .where("team_id", "!=", teamId)
        .executeTakeFirst();
      if (other) throw new OneTeamOnlyError(other.team_id);
    }
    const member = await upsert(trx);
    await place(trx, userId, user?.counter_home ?? null, placement);
    return member;
  });
}

export interface RemovedMember {
  member: TeamMember;
  /** Hashes of the member's keys that named the team and no longer do. */
  detachedKeyHashes: string[];
}

/**
 * Removes a member and detaches their keys from the team in one step: a key may only name a team
 * its user belongs to, so a former member's calls stop counting for the team (the key itself
 * keeps working for its user). Undefined when the user was not a member.
 */
export async function removeTeamMember(
  db: Kysely<Database>,
  teamId: string,
  userId: string,
  placement?: CounterPlacement,
): Promise<RemovedMember | undefined> {
  return db.transaction().execute(async (trx) => {
    const user = placement ? await lockUser(trx, userId) : undefined;
    const member = await trx
      .deleteFrom("team_members")
      .where("team_id", "=", teamId)
      .where("user_id", "=", userId)
      .returningAll()
      .executeTakeFirst();
    if (!member) return undefined;
    const keys = await trx
      .updateTable("api_keys")
      .set({ team_id: null })
      .where("team_id", "=", teamId)
      .where("user_id", "=", userId)
      .returning("key_hash")
      .execute();
    if (placement) await place(trx, userId, user?.counter_home ?? null, placement);
    return { member, detachedKeyHashes: keys.map((k) => k.key_hash) };
  });
}

function memberRow(db: Kysely<Database>, teamId: string, userId: string) {
  return db
    .selectFrom("team_members")
    .selectAll()
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId);
}

export async function findTeamMember(
  db: Kysely<Database>,
  teamId: string,
  userId: string,
): Promise<TeamMember | undefined> {
  return memberRow(db, teamId, userId).executeTakeFirst();
}

/**
 * The membership row held (shared) until the end of the transaction: a key naming the team is
 * written while it is held, so a removal either runs after and detaches the new key or ran
 * before and the membership is gone.
 */
export async function holdTeamMembership(
  db: Kysely<Database>,
  teamId: string,
  userId: string,
): Promise<TeamMember | undefined> {
  return memberRow(db, teamId, userId).forShare().executeTakeFirst();
}

export interface TeamMemberWithEmail extends TeamMember {
  email: string;
  name: string | null;
}

export async function listTeamMembers(db: Kysely<Database>, teamId: string): Promise<TeamMemberWithEmail[]> {
  return db
    .selectFrom("team_members")
    .innerJoin("users", "users.id", "team_members.user_id")
    .selectAll("team_members")
    .select(["users.email", "users.name"])
    .where("team_members.team_id", "=", teamId)
    .orderBy("team_members.created_at", "asc")
    .orderBy("team_members.user_id", "asc")
    .execute();
}

export type TeamWithRole = Team & { role: TeamRole };

/** The teams a user belongs to, with their role in each. */
export async function listTeamsOfUser(db: Kysely<Database>, userId: string): Promise<TeamWithRole[]> {
  return db
    .selectFrom("team_members")
    .innerJoin("teams", "teams.id", "team_members.team_id")
    .selectAll("teams")
    .select("team_members.role")
    .where("team_members.user_id", "=", userId)
    .orderBy("teams.name", "asc")
    .execute();
}
