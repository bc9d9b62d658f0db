import { type Kysely, sql } from "kysely";
import { newId } from "../ids";
import type { Database, User } from "../types";
import { offsetOf, type Page, type PageRequest } from "./pagination";

export interface CreateUserInput {
  email: string;
  name?: string | null;
  monthlyBudgetUsd?: string | null;
  rateLimitRpm?: number | null;
  rateLimitTpm?: number | null;
}

export async function createUser(db: Kysely<Database>, input: CreateUserInput): Promise<User> {
  return db
    .insertInto("users")
    .values({
      id: newId("usr"),
      email: input.email,
      name: input.name ?? null,
      monthly_budget_usd: input.monthlyBudgetUsd ?? null,
      rate_limit_rpm: input.rateLimitRpm ?? null,
      rate_limit_tpm: input.rateLimitTpm ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function listUsers(db: Kysely<Database>, page: PageRequest): Promise<Page<User>> {
  const [items, count] = await Promise.all([
    db
      .selectFrom("users")
      .selectAll()
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .limit(page.perPage)
      .offset(offsetOf(page))
      .execute(),
    db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: count.n };
}

export interface UserAdminPatch {
  name?: string | null;
  disabled?: boolean;
  budgetCapUsd?: string | null;
  rateLimitRpm?: number | null;
  rateLimitTpm?: number | null;
}

/** The user row locked until the end of the transaction, so a limit and its cap change in turn. */
export async function lockUser(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** Sets the given admin-controlled fields (the monthly limit is set with setMonthlyLimit). */
export async function updateUserAdminFields(
  db: Kysely<Database>,
  id: string,
  patch: UserAdminPatch,
): Promise<void> {
  const values = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
    ...(patch.budgetCapUsd !== undefined ? { budget_cap_usd: patch.budgetCapUsd } : {}),
    ...(patch.rateLimitRpm !== undefined ? { rate_limit_rpm: patch.rateLimitRpm } : {}),
    ...(patch.rateLimitTpm !== undefined ? { rate_limit_tpm: patch.rateLimitTpm } : {}),
  };
  if (Object.keys(values).length === 0) return;
  await db
    .updateTable("users")
    .set({ ...values, updated_at: sql`now()` })
    .where("id", "=", id)
    .execute();
}

/** The users among `ids` (unknown ids are simply absent). */
export async function findUsersByIds(db: Kysely<Database>, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("users")
    .selectAll()
    .where("id", "in", [...ids])
    .execute();
}
