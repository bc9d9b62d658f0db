import { isRecord, type ParsedProviderError, stringField } from "../errors";

/**
 * `{"error": {"message", "type", "param", "code"}}` (OpenAI, DeepSeek); Mistral also answers
 * `{"message", "request_id"}` (gateway errors), `{"object": "error", "message", "type", "code"}`
 * and `{"detail": ...}` (validation errors).
 */
export function parseOpenAIError(body: string): ParsedProviderError {
  const json: unknown = JSON.parse(body);
  if (!isRecord(json)) return {};
  const { error } = json;
  if (isRecord(error)) {
    return withCode(stringField(error, "message"), stringField(error, "code") ?? stringField(error, "type"));
  }
  if (typeof error === "string") return { message: error };
  const message = stringField(json, "message");
  if (message !== undefined) return withCode(message, stringField(json, "code") ?? stringField(json, "type"));
  const { detail } = json;
  if (typeof detail === "string") return { message: detail };
  if (Array.isArray(detail)) {
    const messages = detail
      .map((item) => (isRecord(item) ? stringField(item, "msg") : undefined))
      .filter(Boolean);
    if (messages.length > 0) return { message: messages.join("; ") };
  }
  return {};
}

function withCode(message: string | undefined, providerCode: string | undefined): ParsedProviderError {
  return {
    ...(message === undefined ? {} : { message }),
    ...(providerCode === undefined ? {} : { providerCode }),
  };
}
