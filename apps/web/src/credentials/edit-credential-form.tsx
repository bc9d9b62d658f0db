import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { EditActions, Field, fieldErrors } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import type { Credential, UpdateCredential } from "./credential-types";
import { KeyAndUrlFields } from "./key-and-url-fields";

/**
 * Changes what PUT /api/credentials/{id} allows: name, a new key (rotation), base URL, priority,
 * weight, default. Only changed fields are sent; a new base URL needs the key again (the API
 * says so on the key field).
 */
export function EditCredentialForm({ credential, onDone }: { credential: Credential; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(credential.name);
  const [apiKey, setApiKey] = useState("");
  const [baseUrl, setBaseUrl] = useState(credential.base_url ?? "");
  const [priority, setPriority] = useState(String(credential.priority));
  const [weight, setWeight] = useState(String(credential.weight));
  const [isDefault, setIsDefault] = useState(credential.is_default);
  const update = useMutation(
    trpc.credentials.update.mutationOptions({
      onSuccess: () => {
        setApiKey("");
        void queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
        onDone();
      },
    }),
  );
  const errors = fieldErrors(update.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    const patch: UpdateCredential = { id: credential.id };
    if (name !== credential.name) patch.name = name;
    if (apiKey !== "") patch.api_key = apiKey;
    const url = baseUrl.trim() === "" ? null : baseUrl.trim();
    if (url !== credential.base_url) patch.base_url = url;
    if (priority !== String(credential.priority)) patch.priority = Number(priority);
    if (weight !== String(credential.weight)) patch.weight = Number(weight);
    if (isDefault !== credential.is_default) patch.is_default = isDefault;
    update.mutate(patch);
  }

  const title = `Edit ${credential.provider} credential "${credential.name}"`;
  return (
    <form className="settings-form" onSubmit={submit} aria-label={title} noValidate>
      <h3>{title}</h3>
      <div className="form-grid">
        <Field label="Name" error={errors.name}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <KeyAndUrlFields
          keyLabel="New provider API key"
          keyHint={`Leave empty to keep the current key (${credential.hint}).`}
          apiKey={apiKey}
          onApiKey={setApiKey}
          urlLabel="Base URL"
          urlHint="Empty: the provider's default URL."
          baseUrl={baseUrl}
          onBaseUrl={setBaseUrl}
          errors={errors}
        />
        <Field label="Priority" error={errors.priority} hint="Higher is tried first (-1000 to 1000).">
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              step={1}
              value={priority}
              onChange={(e) => setPriority(e.target.value)}
            />
          )}
        </Field>
        <Field label="Weight" error={errors.weight} hint="Share among equal priorities (1 to 1000).">
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              step={1}
              min={1}
              value={weight}
              onChange={(e) => setWeight(e.target.value)}
            />
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> The
        provider's default
      </label>
      <EditActions
        pending={update.isPending}
        error={update.isError ? update.error : null}
        onCancel={onDone}
      />
    </form>
  );
}
