import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { usdExact } from "../shared/format";
import { ConfirmAction, Field, fieldErrors, Loaded, TableScroll } from "../shared/settings-form";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import type { TagBudget } from "./budget-types";

/** Monthly budgets of the calls carrying a tag: listed with their spend, set, removed. */
export function TagBudgets() {
  const trpc = useTRPC();
  const tags = useQuery(trpc.budget.tags.list.queryOptions({}));
  return (
    <>
      <Loaded query={tags}>{(answer) => <TagBudgetTable budgets={answer.data} />}</Loaded>
      <AddTagBudgetForm />
    </>
  );
}

function TagBudgetTable({ budgets }: { budgets: TagBudget[] }) {
  if (budgets.length === 0)
    return <Empty>No tag budgets. Calls carrying a tag count only toward your own limit.</Empty>;
  return (
    <TableScroll label="Tag budgets this month">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Tag</th>
            <th scope="col" className="num">
              Limit
            </th>
            <th scope="col" className="num">
              Spent
            </th>
            <th scope="col" className="num">
              Remaining
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {budgets.map((budget) => (
            <TagBudgetRow key={budget.tag} budget={budget} />
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function TagBudgetRow({ budget }: { budget: TagBudget }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.budget.tags.delete.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.budget.tags.list.queryKey() }),
    }),
  );
  return (
    <tr data-testid={`tag-${budget.tag}`}>
      <th scope="row" className="wrap-anywhere">
        <code>{budget.tag}</code>
      </th>
      <td className="num">{usdExact(budget.limit_usd_exact)}</td>
      <td className="num">{usdExact(budget.spent_usd_exact)}</td>
      <td className="num">{usdExact(budget.remaining_usd_exact)}</td>
      <td>
        <ConfirmAction
          label="Remove"
          ariaLabel={`Remove the budget of ${budget.tag}`}
          question={`Remove the budget of ${budget.tag}?`}
          confirmLabel="Yes, remove"
          pending={remove.isPending}
          onConfirm={() => remove.mutate({ tag: budget.tag })}
        />
        {remove.isError && <ErrorNote error={remove.error} />}
      </td>
    </tr>
  );
}

function AddTagBudgetForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tag, setTag] = useState("");
  const [amount, setAmount] = useState("");
  const set = useMutation(
    trpc.budget.tags.set.mutationOptions({
      onSuccess: () => {
        setTag("");
        setAmount("");
        void queryClient.invalidateQueries({ queryKey: trpc.budget.tags.list.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(set.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    set.mutate({ tag, monthly_budget_usd: amount.trim() });
  }
  return (
    <form className="settings-form" onSubmit={submit} aria-label="Set a tag budget" noValidate>
      <h3>Set a tag budget</h3>
      <div className="form-grid">
        <Field label="Tag" error={errors.tag} hint="As calls send it, e.g. feature:search.">
          {(props) => (
            <input
              {...props}
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field
          label="Monthly budget (USD)"
          error={errors.monthly_budget_usd}
          hint="An existing tag's budget is replaced."
        >
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" disabled={set.isPending}>
          {set.isPending ? "Saving…" : "Set tag budget"}
        </button>
      </div>
      {set.isError && <ErrorNote error={set.error} />}
    </form>
  );
}
