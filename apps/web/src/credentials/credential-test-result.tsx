import { ms } from "../shared/format";
import { when } from "../shared/settings-form";
import type { Credential, CredentialTest } from "./credential-types";

/**
 * The outcome of the provider test: the answer just received when there is one, else the last
 * test the API kept for the credential.
 */
export function CredentialTestResult({
  fresh,
  last,
}: {
  fresh: CredentialTest | undefined;
  last: Credential["last_test"];
}) {
  const result = fresh ?? last;
  if (!result) return <span className="muted">Not tested</span>;
  const status = result.status === undefined || result.status === null ? "" : `HTTP ${result.status}, `;
  return (
    <span className={result.ok ? "test-ok" : "test-failed"}>
      <strong>{result.ok ? "OK" : "Failed"}</strong>{" "}
      <span className="muted">
        ({status}
        {ms(result.latency_ms)}
        {!fresh && last ? `, ${when(last.at)}` : ""})
      </span>
      {result.error ? <span className="test-error">{result.error}</span> : null}
    </span>
  );
}
