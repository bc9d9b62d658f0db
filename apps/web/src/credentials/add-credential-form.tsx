import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { Field, fieldErrors } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import type { CreateCredential, Provider } from "./credential-types";
import { KeyAndUrlFields } from "./key-and-url-fields";

/**
 * Stores a provider key. The key is held in this form's state only until the API answers, then
 * cleared: the page never shows it again (answers carry a hint).
 */
export function AddCredentialForm({ providers }: { providers: Provider[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [provider, setProvider] = useState<CreateCredential["provider"]>(providers[0]?.id ?? "openai");
  const [name, setName] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [isDefault, setIsDefault] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const create = useMutation(
    trpc.credentials.create.mutationOptions({
      onSuccess: (answer) => {
        setName("");
        setApiKey("");
        setBaseUrl("");
        setIsDefault(false);
        setAdded(`Added ${answer.data.provider} credential "${answer.data.name}" (${answer.data.hint}).`);
        void queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(create.error);
  const chosen = providers.find((p) => p.id === provider);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    create.mutate({
      provider,
      name,
      api_key: apiKey,
      ...(baseUrl.trim() !== "" ? { base_url: baseUrl.trim() } : {}),
      ...(isDefault ? { is_default: true } : {}),
    });
  }

  return (
    <form className="settings-form" onSubmit={submit} aria-label="Add a credential" noValidate>
      <div className="form-grid">
        <Field label="Provider" error={errors.provider}>
          {(props) => (
            <select
              {...props}
              value={provider}
              onChange={(e) => setProvider(e.target.value as CreateCredential["provider"])}
            >
              {providers.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name" error={errors.name}>
          {(props) => (
            <input {...props} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          )}
        </Field>
        <KeyAndUrlFields
          keyLabel="Provider API key"
          keyHint="Stored encrypted; only a hint is shown."
          apiKey={apiKey}
          onApiKey={setApiKey}
          urlLabel="Base URL (optional)"
          urlHint={chosen ? `Default: ${chosen.base_url}` : undefined}
          baseUrl={baseUrl}
          onBaseUrl={setBaseUrl}
          errors={errors}
        />
      </div>
      <label className="check">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> Make it
        the provider's default
      </label>
      <div className="form-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add credential"}
        </button>
      </div>
      {create.isError && <ErrorNote error={create.error} />}
      <p role="status" className="muted">
        {added}
      </p>
    </form>
  );
}
