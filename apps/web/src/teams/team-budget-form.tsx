import type { RouterOutputs } from "@llmg/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { amountOrNull, Field } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { useTRPC } from "../trpc";

type Team = RouterOutputs["teams"]["get"]["data"];

/** "50, 80, 100" → [50, 80, 100]; the API sorts and removes repeats. */
function parseThresholds(value: string): number[] {
  return value
    .split(/[,\s]+/)
    .filter((part) => part !== "")
    .map(Number);
}

/** PATCH /api/teams/{id}/budget: what a manager may change (limit within the cap, alerts). */
export function TeamBudgetForm({ team }: { team: Team }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [limit, setLimit] = useState(team.monthly_budget_usd ?? "");
  const [thresholds, setThresholds] = useState(team.thresholds.join(", "));
  const update = useMutation(
    trpc.teams.updateBudget.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.teams.get.queryFilter({ id: team.id })),
          queryClient.invalidateQueries(trpc.teams.budget.queryFilter({ id: team.id })),
          queryClient.invalidateQueries(trpc.teams.list.pathFilter()),
        ]),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const newLimit = amountOrNull(limit);
    const newThresholds = parseThresholds(thresholds);
    update.mutate({
      id: team.id,
      ...(newLimit !== team.monthly_budget_usd ? { monthly_budget_usd: newLimit } : {}),
      ...(newThresholds.join() !== team.thresholds.join() ? { thresholds: newThresholds } : {}),
    });
  }

  return (
    <form className="adm-form" onSubmit={submit} aria-label="Team budget settings">
      <Field
        label="Shared monthly budget, USD"
        hint={
          team.budget_cap_usd === null
            ? "Empty: unlimited"
            : `At most the admin's cap, $${team.budget_cap_usd}`
        }
      >
        <input inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} />
      </Field>
      <Field label="Alert thresholds, % of the limit" hint="Comma-separated, e.g. 50, 80, 100">
        <input value={thresholds} onChange={(e) => setThresholds(e.target.value)} />
      </Field>
      <div className="adm-actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save team budget"}
        </button>
        {update.isSuccess && <span role="status">Saved.</span>}
      </div>
      {update.isError && <ErrorNote error={update.error} />}
    </form>
  );
}
