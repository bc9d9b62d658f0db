import { isRecord, type ParsedProviderError, stringField } from "../errors";

/**
 * `{"error": {"message", "type", "param", "code"}}` (OpenAI, DeepSeek); Mistral also answers
 * `{"message", "request_id"}` (gateway errors), `{"object": "error", "message", "type", "code"}`
 * and, for a body its schema refuses (422), the validation details under `message` — an object
 * `{"detail": [{type, loc, msg, input}]}`, in older answers a JSON string of it, or the list
 * itself — or under a top-level `detail` (client-ts src/models/errors/httpvalidationerror.ts,
 * components/validationerror.ts; object form as reported in nomtek/mistralai_client_dart#44).
 */
export function parseOpenAIError(body: string): ParsedProviderError {
  const json: unknown = JSON.parse(body);
  if (!isRecord(json)) return {};
  const { error } = json;
  if (isRecord(error)) {
    return withCode(stringField(error, "message"), stringField(error, "code") ?? stringField(error, "type"));
  }
  if (typeof error === "string") return { message: error };
  const code = stringField(json, "code") ?? stringField(json, "type");
  const details = validationDetails(json.message) ?? validationDetails(json);
  if (details !== undefined) return withCode(details, code);
  const message = stringField(json, "message");
  if (message !== undefined) return withCode(message, code);
  const { detail } = json;
  if (typeof detail === "string") return { message: detail };
  return {};
}

/** `body.messages.0.user.name: Extra inputs are not permitted; ...`, or undefined. */
function validationDetails(value: unknown): string | undefined {
  let container = value;
  if (typeof container === "string" && container.startsWith("{")) {
    try {
      container = JSON.parse(container);
    } catch {
      return undefined;
    }
  }
  const list = Array.isArray(container) ? container : isRecord(container) ? container.detail : undefined;
  if (!Array.isArray(list)) return undefined;
  const messages = list.filter(isRecord).flatMap((item) => {
    const msg = stringField(item, "msg");
    if (msg === undefined) return [];
    const loc = Array.isArray(item.loc) ? item.loc.join(".") : "";
    return [loc === "" ? msg : `${loc}: ${msg}`];
  });
  return messages.length > 0 ? messages.join("; ") : undefined;
}

function withCode(message: string | undefined, providerCode: string | undefined): ParsedProviderError {
  return {
    ...(message === undefined ? {} : { message }),
    ...(providerCode === undefined ? {} : { providerCode }),
  };
}
