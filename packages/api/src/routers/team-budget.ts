import { findTeam, findTeamMember } from "@llmg/db";
import { z } from "zod";
import { ok } from "../envelope";
import { notFound } from "../errors";
import { teamBudgetSchema, toTeamBudgetDto } from "../schemas/team-budget";
import { teamId } from "../schemas/teams";
import { teamBudgetSummary } from "../services/team-budget";
import { router, userProcedure } from "../trpc";

export const teamBudgetRouter = router({
  budget: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/teams/{id}/budget",
        tags: ["teams"],
        summary: "Your team's budget this month",
        description:
          "The shape of GET /api/budget for the team: its limit, the spend this UTC month of every call that counted for the team (made with a member's team key), the reservations of such calls in flight, remaining, the month-end projection and the team's alerts this month. For members; 404 for a team you are not a member of, whether or not it exists.",
        protect: true,
      },
    })
    .input(z.object({ id: teamId }))
    .output(ok(teamBudgetSchema))
    .query(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const member = await findTeamMember(db, input.id, ctx.user.userId);
      const team = member ? await findTeam(db, input.id) : undefined;
      if (!member || !team) throw notFound("Team");
      const summary = await teamBudgetSummary(ctx.services, team, ctx.user.userId);
      return { success: true as const, data: toTeamBudgetDto(team, summary) };
    }),
});
