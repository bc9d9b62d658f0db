import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useLocation } from "wouter";
import { amountOrNull, Field } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { useTRPC } from "../trpc";

/** POST /api/admin/users; the new user's panel opens so a key can be made for them next. */
export function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [budget, setBudget] = useState("");
  const create = useMutation(
    trpc.admin.createUser.mutationOptions({
      onSuccess: async (answer) => {
        setEmail("");
        setName("");
        setBudget("");
        await queryClient.invalidateQueries(trpc.admin.listUsers.pathFilter());
        navigate(`/?user=${encodeURIComponent(answer.data.id)}`);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmedName = name.trim();
    create.mutate({
      email: email.trim(),
      ...(trimmedName ? { name: trimmedName } : {}),
      monthly_budget_usd: amountOrNull(budget),
    });
  }

  return (
    <form className="adm-form" onSubmit={submit}>
      <Field label="Email">
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Name (optional)">
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Monthly budget, USD (optional)" hint="Empty: unlimited">
        <input inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />
      </Field>
      <div className="adm-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
      </div>
      {create.isError && <ErrorNote error={create.error} />}
    </form>
  );
}
