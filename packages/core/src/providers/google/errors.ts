import { isRecord, type ParsedProviderError, stringField } from "../errors";

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
  return {
    ...(message === undefined ? {} : { message }),
    ...(providerCode === undefined ? {} : { providerCode }),
  };
}
