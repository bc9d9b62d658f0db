import type { Team } from "@llmg/db";
import { z } from "zod";
import type { BudgetSummary } from "../limits/summary";
import { budgetSchema, toBudgetDto } from "./budget";

export const teamBudgetSchema = budgetSchema
  .extend({
    team_id: z.string(),
    team_name: z.string(),
    mode: z.literal("hard").meta({ description: "A team's budget always refuses calls past it (402)" }),
  })
  .meta({ id: "TeamBudget" });

/** The team's budget in the very shape of GET /api/budget (one formatter), naming the team. */
export function toTeamBudgetDto(team: Team, summary: BudgetSummary): z.infer<typeof teamBudgetSchema> {
  return { ...toBudgetDto(summary), mode: "hard", team_id: team.id, team_name: team.name };
}
