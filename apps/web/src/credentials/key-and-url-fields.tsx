import { Field } from "../shared/settings-form";

interface Props {
  keyLabel: string;
  keyHint: string;
  apiKey: string;
  onApiKey: (value: string) => void;
  urlLabel: string;
  urlHint: string | undefined;
  baseUrl: string;
  onBaseUrl: (value: string) => void;
  errors: Record<string, string>;
}

/**
 * The provider key and base URL fields, the same on the add and edit forms: the key is a password
 * field the browser never offers to fill or remember, the URL is never spell-checked.
 */
export function KeyAndUrlFields(props: Props) {
  return (
    <>
      <Field label={props.keyLabel} error={props.errors.api_key} hint={props.keyHint}>
        {(field) => (
          <input
            {...field}
            type="password"
            value={props.apiKey}
            onChange={(e) => props.onApiKey(e.target.value)}
            autoComplete="new-password"
            spellCheck={false}
          />
        )}
      </Field>
      <Field label={props.urlLabel} error={props.errors.base_url} hint={props.urlHint}>
        {(field) => (
          <input
            {...field}
            type="url"
            value={props.baseUrl}
            onChange={(e) => props.onBaseUrl(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        )}
      </Field>
    </>
  );
}
