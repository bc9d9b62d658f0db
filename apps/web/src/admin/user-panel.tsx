import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "wouter";
import { amountOrNull, Field, intOrNull, QueryState } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { useTRPC } from "../trpc";
import { UserKeys } from "./user-keys";
import type { AdminUser } from "./users-table";

const text = (value: string | number | null) => (value === null ? "" : String(value));

/**
 * The user named in ?user=, read by id (GET /api/admin/users/{id}), so any user's panel opens
 * whether or not they are on the list page shown.
 */
export function SelectedUser({ id }: { id: string }) {
  const trpc = useTRPC();
  const user = useQuery(trpc.admin.getUser.queryOptions({ id }));
  return <QueryState query={user}>{({ data }) => <UserPanel key={data.id} user={data} />}</QueryState>;
}

/** One user: limits (PATCH /api/admin/users/{id}), disable or enable, and keys. */
export function UserPanel({ user }: { user: AdminUser }) {
  return (
    <section className="adm-panel" aria-labelledby="adm-user-title">
      <div className="adm-panel-head">
        <h3 id="adm-user-title">{user.email}</h3>
        <Link href="/">Close</Link>
      </div>
      <LimitsForm user={user} />
      <DisableToggle user={user} />
      <UserKeys userId={user.id} />
    </section>
  );
}

function useUpdateUser() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.admin.updateUser.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.admin.listUsers.pathFilter()),
          queryClient.invalidateQueries(trpc.admin.getUser.pathFilter()),
        ]),
    }),
  );
}

function LimitsForm({ user }: { user: AdminUser }) {
  const update = useUpdateUser();
  const [budget, setBudget] = useState(text(user.monthly_budget_usd));
  const [cap, setCap] = useState(text(user.budget_cap_usd));
  const [rpm, setRpm] = useState(text(user.rate_limit_rpm));
  const [tpm, setTpm] = useState(text(user.rate_limit_tpm));

  function submit(event: FormEvent) {
    event.preventDefault();
    // Only what changed is sent: resending the old limit with a lower cap would be refused as
    // above the cap, where the cap alone lowers the limit to it.
    const limit = amountOrNull(budget);
    const newCap = amountOrNull(cap);
    const newRpm = intOrNull(rpm);
    const newTpm = intOrNull(tpm);
    update.mutate({
      id: user.id,
      ...(limit !== user.monthly_budget_usd ? { monthly_budget_usd: limit } : {}),
      ...(newCap !== user.budget_cap_usd ? { budget_cap_usd: newCap } : {}),
      ...(newRpm !== user.rate_limit_rpm ? { rate_limit_rpm: newRpm } : {}),
      ...(newTpm !== user.rate_limit_tpm ? { rate_limit_tpm: newTpm } : {}),
    });
  }

  return (
    <form className="adm-form" onSubmit={submit} aria-label="Budget and limits">
      <h4>Budget and limits</h4>
      <Field label="Monthly budget, USD" hint="Empty: unlimited; at most the cap">
        <input inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />
      </Field>
      <Field label="Budget cap, USD" hint="The most the user may set themselves. Empty: no cap">
        <input inputMode="decimal" value={cap} onChange={(e) => setCap(e.target.value)} />
      </Field>
      <Field label="Requests per minute" hint="Empty: none">
        <input type="number" min={1} value={rpm} onChange={(e) => setRpm(e.target.value)} />
      </Field>
      <Field label="Tokens per minute" hint="Empty: none">
        <input type="number" min={1} value={tpm} onChange={(e) => setTpm(e.target.value)} />
      </Field>
      <div className="adm-actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save limits"}
        </button>
        {update.isSuccess && <span role="status">Saved.</span>}
      </div>
      {update.isError && <ErrorNote error={update.error} />}
    </form>
  );
}

function DisableToggle({ user }: { user: AdminUser }) {
  const update = useUpdateUser();
  return (
    <div className="adm-form">
      <h4>Access</h4>
      <p className="muted small">
        {user.disabled
          ? "Disabled: every key of this user is refused (403 account_disabled)."
          : "Active: the user's keys work."}
      </p>
      <div className="adm-actions">
        <button
          type="button"
          className="secondary"
          disabled={update.isPending}
          onClick={() => update.mutate({ id: user.id, disabled: !user.disabled })}
        >
          {user.disabled ? "Enable user" : "Disable user"}
        </button>
      </div>
      {update.isError && <ErrorNote error={update.error} />}
    </div>
  );
}
