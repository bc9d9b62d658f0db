import { findTeam, findTeamMember, listTeamMembers, listTeamsOfUser } from "@llmg/db";
import { z } from "zod";
import { ok } from "../envelope";
import { notFound } from "../errors";
import {
  managerBudgetInput,
  myTeamChangeSchema,
  myTeamSchema,
  teamDetailSchema,
  teamId,
  toMyTeamDto,
  toTeamMemberDto,
  withSecret,
} from "../schemas/teams";
import { updateTeamBudgetAsManager } from "../services/teams";
import { router, userProcedure } from "../trpc";

export const teamsRouter = router({
  list: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/teams",
        tags: ["teams"],
        summary: "Your teams, with your role in each",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(ok(z.array(myTeamSchema)))
    .query(async ({ ctx }) => {
      const teams = await listTeamsOfUser(ctx.services.db, ctx.user.userId);
      return { success: true as const, data: teams.map((t) => toMyTeamDto(t, t.role)) };
    }),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/teams/{id}",
        tags: ["teams"],
        summary: "A team of yours, with its members",
        description: "404 for a team you are not a member of, whether or not it exists.",
        protect: true,
      },
    })
    .input(z.object({ id: teamId }))
    .output(ok(teamDetailSchema))
    .query(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const member = await findTeamMember(db, input.id, ctx.user.userId);
      const team = member ? await findTeam(db, input.id) : undefined;
      if (!member || !team) throw notFound("Team");
      const members = await listTeamMembers(db, input.id);
      return {
        success: true as const,
        data: { ...toMyTeamDto(team, member.role), members: members.map(toTeamMemberDto) },
      };
    }),

  updateBudget: userProcedure
    .meta({
      openapi: {
        method: "PATCH",
        path: "/teams/{id}/budget",
        tags: ["teams"],
        summary: "Change your team's budget settings (managers)",
        description:
          "monthly_budget_usd, thresholds, webhook_url, rotate_webhook_secret; fields left out keep their value. Setting a webhook URL the first time, or rotate_webhook_secret, returns the team's signing secret once (webhook_secret). A limit above the admin's budget_cap_usd, or unlimited while a cap is set, is refused with 400 naming monthly_budget_usd. 403 for a member who is not a manager; 404 for a non-member. Recorded in the activity log.",
        protect: true,
      },
    })
    .input(managerBudgetInput)
    .output(ok(myTeamChangeSchema))
    .mutation(async ({ ctx, input }) => {
      const { team, webhookSecret } = await updateTeamBudgetAsManager(ctx, ctx.user.userId, input);
      // Budget, thresholds and webhook are cached by the limiter on every replica.
      ctx.services.limits.invalidateTeam(team.id);
      return { success: true as const, data: withSecret(toMyTeamDto(team, "manager"), webhookSecret) };
    }),
});
