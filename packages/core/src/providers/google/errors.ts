import { isRecord, type ParsedProviderError, stringField } from "../errors";

/** A google.protobuf.Duration in JSON ("7s", "1.500s") in milliseconds. */
function durationMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

/**
 * `{"error": {"code", "message", "status", "details": [{"@type": "...ErrorInfo", "reason"}]}}`,
 * sometimes wrapped in an array. The ErrorInfo reason (e.g. API_KEY_INVALID) is more specific than
 * the status (INVALID_ARGUMENT), so it wins as providerCode.
 */
export function parseGoogleError(body: string): ParsedProviderError {
  let json: unknown = JSON.parse(body);
  if (Array.isArray(json)) json = json[0];
  if (!isRecord(json) || !isRecord(json.error)) return {};
  const { error } = json;
  const details = Array.isArray(error.details) ? error.details : [];
  const reason = details
    .map((detail) => (isRecord(detail) ? stringField(detail, "reason") : undefined))
    .find((value) => value !== undefined);
  const message = stringField(error, "message");
  const providerCode = reason ?? stringField(error, "status");
  // google.rpc.RetryInfo.retry_delay: the wait a quota 429 asks for (ai.google.dev/gemini-api/docs/troubleshooting,
  // googleapis/googleapis google/rpc/error_details.proto); the official SDKs honour it.
  const retryAfterMs = details
    .filter((detail) => isRecord(detail) && String(detail["@type"]).endsWith("google.rpc.RetryInfo"))
    .map((detail) => durationMs((detail as Record<string, unknown>).retryDelay))
    .find((value) => value !== undefined);
  return {
    ...(message === undefined ? {} : { message }),
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    // Gemini answers a bad key with 400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID: it means 401.
    ...(reason === "API_KEY_INVALID" ? { status: 401 } : {}),
  };
}
