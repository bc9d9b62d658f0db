import { findTeam, findUserById, listActiveKeys, listTeamMembers } from "@llmg/db";
import { z } from "zod";
import { resolveWindow } from "../analytics/range";
import { spendByUser } from "../analytics/spend-by-user";
import { ok } from "../envelope";
import { notFound } from "../errors";
import { DEFAULT_USER_LIMIT, spendByUserInput, spendByUserSchema } from "../schemas/admin-usage";
import { text } from "../schemas/common";
import { teamId, teamMemberSchema, toTeamMemberDto } from "../schemas/teams";
import { apiKeySchema, toApiKeyDto, toUserDto, userSchema } from "../schemas/users";
import { adminProcedure, router } from "../trpc";

const userId = text().min(1).max(100);

/** What the admin reads about one user, one team, or everyone's spend; merged into the admin router. */
export const adminReadsRouter = router({
  getUser: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/users/{id}",
        tags: ["admin"],
        summary: "One user",
        description: "404 when there is no such user.",
        protect: true,
      },
    })
    .input(z.object({ id: userId }))
    .output(ok(userSchema))
    .query(async ({ ctx, input }) => {
      const user = await findUserById(ctx.services.db, input.id);
      if (!user) throw notFound("User");
      return { success: true as const, data: toUserDto(user) };
    }),

  listUserKeys: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/users/{id}/keys",
        tags: ["admin"],
        summary: "A user's API keys",
        description:
          "The user's keys that are not revoked, as GET /api/keys lists them for the user (never the secret). 404 when there is no such user.",
        protect: true,
      },
    })
    .input(z.object({ id: userId }))
    .output(ok(z.array(apiKeySchema)))
    .query(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const user = await findUserById(db, input.id);
      if (!user) throw notFound("User");
      const keys = await listActiveKeys(db, user.id);
      return { success: true as const, data: keys.map(toApiKeyDto) };
    }),

  listTeamMembers: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/teams/{id}/members",
        tags: ["admin", "teams"],
        summary: "A team's members, with their roles",
        description: "Oldest member first. 404 when there is no such team.",
        protect: true,
      },
    })
    .input(z.object({ id: teamId }))
    .output(ok(z.array(teamMemberSchema)))
    .query(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const team = await findTeam(db, input.id);
      if (!team) throw notFound("Team");
      const members = await listTeamMembers(db, team.id);
      return { success: true as const, data: members.map(toTeamMemberDto) };
    }),

  usageByUser: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/usage/users",
        tags: ["admin", "usage"],
        summary: "Spend by user",
        description: `Every user's usage over the period, biggest spend first (then most calls). Without from/to: this month so far (UTC). The ${DEFAULT_USER_LIMIT} biggest spenders are listed (limit, at most 500); the rest are summed into "other". A user's line equals the totals of that user's own GET /api/usage/summary for the same from/to: read from the rollups plus the request rows the last rollup run has not seen, costs summed exactly.`,
        protect: true,
      },
    })
    .input(spendByUserInput)
    .output(ok(spendByUserSchema))
    .query(async ({ ctx, input }) => {
      const window = resolveWindow(input, Date.now());
      const data = await spendByUser(ctx.services.db, window, input.limit ?? DEFAULT_USER_LIMIT);
      return { success: true as const, data };
    }),
});
