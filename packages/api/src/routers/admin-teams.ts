import { listTeams } from "@llmg/db";
import { z } from "zod";
import { ok, pageInput, pageOf, paginated } from "../envelope";
import { text } from "../schemas/common";
import {
  addMemberInput,
  createTeamInput,
  teamChangeSchema,
  teamId,
  teamRole,
  teamSchema,
  toTeamDto,
  updateTeamInput,
  withSecret,
} from "../schemas/teams";
import { addTeamMember, removeMember } from "../services/team-members";
import { createTeamAsAdmin, updateTeamAsAdmin } from "../services/teams";
import { adminProcedure, router } from "../trpc";

const memberOutput = z.object({
  team_id: z.string().meta({ example: "team_4Fq0bX2kLm9PzR7sT1uV" }),
  user_id: z.string().meta({ example: "usr_2Bc4De6Fg8Hi0Jk2Lm4N" }),
  role: teamRole,
});

/** The admin's side of teams; merged into the admin router (admin.createTeam, …). */
export const adminTeamsRouter = router({
  createTeam: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/teams",
        tags: ["admin", "teams"],
        summary: "Create a team",
        description:
          "Names are unique (409 conflict). With budget_cap_usd and no monthly_budget_usd the limit starts at the cap. With a webhook_url the answer carries the team's webhook signing secret (webhook_secret), once: team alerts are signed with it.",
        protect: true,
        successDescription: "The team was created (201)",
      },
    })
    .input(createTeamInput)
    .output(ok(teamChangeSchema))
    .mutation(async ({ ctx, input }) => {
      const { team, webhookSecret } = await createTeamAsAdmin(ctx, input);
      ctx.response.status = 201;
      return { success: true as const, data: withSecret(toTeamDto(team), webhookSecret) };
    }),

  listTeams: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/teams",
        tags: ["admin", "teams"],
        summary: "List teams",
        protect: true,
      },
    })
    .input(pageInput)
    .output(paginated(teamSchema))
    .query(async ({ ctx, input }) => {
      const { items, total } = await listTeams(ctx.services.db, {
        page: input.page,
        perPage: input.per_page,
      });
      return pageOf(items.map(toTeamDto), total, input);
    }),

  updateTeam: adminProcedure
    .meta({
      openapi: {
        method: "PATCH",
        path: "/admin/teams/{id}",
        tags: ["admin", "teams"],
        summary: "Change a team: name, budget settings, cap, limits",
        description:
          "Fields left out keep their value. A monthly limit above the cap is refused (400 naming monthly_budget_usd); a cap below the current limit lowers the limit to the cap. Setting a webhook URL the first time, or rotate_webhook_secret, returns the team's signing secret once (webhook_secret). Recorded in the activity log.",
        protect: true,
      },
    })
    .input(updateTeamInput)
    .output(ok(teamChangeSchema))
    .mutation(async ({ ctx, input }) => {
      const { team, webhookSecret } = await updateTeamAsAdmin(ctx, input);
      // Budget, thresholds, limits and webhook are cached by the limiter on every replica.
      ctx.services.limits.invalidateTeam(team.id);
      return { success: true as const, data: withSecret(toTeamDto(team), webhookSecret) };
    }),

  addTeamMember: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/teams/{id}/members",
        tags: ["admin", "teams"],
        summary: "Add a user to a team, or change their role",
        description:
          "role: member (default) or manager (may change the team's budget settings within the cap).",
        protect: true,
      },
    })
    .input(addMemberInput)
    .output(ok(memberOutput))
    .mutation(async ({ ctx, input }) => {
      const member = await addTeamMember(ctx, input.id, input.user_id, input.role);
      return {
        success: true as const,
        data: { team_id: member.team_id, user_id: member.user_id, role: member.role },
      };
    }),

  removeTeamMember: adminProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/admin/teams/{id}/members/{userId}",
        tags: ["admin", "teams"],
        summary: "Remove a user from a team",
        description:
          "The user's keys that named the team stop naming it (keys_detached counts them): their calls no longer count for the team, and the keys keep working for the user. 404 when the user is not a member.",
        protect: true,
      },
    })
    .input(z.object({ id: teamId, userId: text().min(1).max(100) }))
    .output(
      ok(
        z.object({
          team_id: z.string(),
          user_id: z.string(),
          removed: z.literal(true),
          keys_detached: z.number().int().meta({ example: 2 }),
        }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const detached = await removeMember(ctx, input.id, input.userId);
      return {
        success: true as const,
        data: {
          team_id: input.id,
          user_id: input.userId,
          removed: true as const,
          keys_detached: detached.length,
        },
      };
    }),
});
