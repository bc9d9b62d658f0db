import { ApiError } from "../errors";
import type { Services } from "../services";

/**
 * Why a stream stopped before its end, as it is recorded (and told to a client still there): the
 * server's shutdown (its own reason), or the client, gone or too slow to read before the stream
 * deadline (499). Chat and the native Anthropic surface record it the same way.
 */
export function streamAbortReason(
  services: Services,
  clientSignal: AbortSignal,
  shutdown: AbortSignal | undefined,
  stalled: boolean,
): { reason: unknown; byShutdown: boolean } {
  const byShutdown = shutdown?.aborted === true && !clientSignal.aborted;
  if (byShutdown) return { reason: shutdown.reason as unknown, byShutdown };
  const message = stalled
    ? `Client stopped reading the stream and had not caught up when the stream deadline (${services.config.LLMG_PROVIDER_STREAM_TIMEOUT_MS} ms) passed`
    : "Client closed the stream before it ended";
  return { reason: new ApiError("validation_error", message, { status: 499 }), byShutdown };
}
