import { isRecord, type ParsedProviderError, stringField } from "../errors";

/** `{"type": "error", "error": {"type", "message"}, "request_id"}` */
export function parseAnthropicError(body: string): ParsedProviderError {
  const json: unknown = JSON.parse(body);
  if (!isRecord(json) || !isRecord(json.error)) return {};
  const message = stringField(json.error, "message");
  const providerCode = stringField(json.error, "type");
  return {
    ...(message === undefined ? {} : { message }),
    ...(providerCode === undefined ? {} : { providerCode }),
  };
}

const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  // billing_error and timeout_error are in the SDK's ErrorObject union
  // (anthropic-sdk-typescript src/resources/shared.ts BillingError, GatewayTimeoutError) with
  // statuses 402 and 504 (https://docs.claude.com/en/api/errors).
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The HTTP status an `error` event inside a stream would have had as a response. */
export function statusForAnthropicErrorType(type: string | undefined): number {
  return (type && STATUS_BY_ERROR_TYPE[type]) || 502;
}
