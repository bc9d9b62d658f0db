import { TRPCClientError } from "@trpc/client";

interface EnvelopeData {
  error?: unknown;
  request_id?: unknown;
}

/** Our error code ("unauthorized", …) from a failed call. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = error.data as EnvelopeData | undefined;
  return typeof data?.error === "string" ? data.error : undefined;
}

/** The envelope's message and request id, so a user can quote the id to whoever runs the gateway. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : "Something went wrong";
  const data = error instanceof TRPCClientError ? (error.data as EnvelopeData | undefined) : undefined;
  const requestId = typeof data?.request_id === "string" && data.request_id !== "" ? data.request_id : null;
  return (
    <div className="error" role="alert">
      <p>{message}</p>
      {requestId && <p className="muted">Request id: {requestId}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
