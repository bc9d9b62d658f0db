import { withDeepSeekRules } from "./deepseek-rules";
import { inspectOpenAI } from "./inspect";
import { mistralToolCallId, withMistralRules } from "./mistral-rules";
import { openAIToolCallId, strictToolNames, validateOpenAIChat } from "./openai-rules";
import type { ErrorReply, FakeToolCall, FakeUsage, Reply, StreamFrame, WireFormat } from "./types";
import { headerValue, isRecord, nextId, randomHex, replyText, toolCallId, unixSeconds } from "./util";

/** OpenAI's Chat Completions wire format and its two close relatives, DeepSeek and Mistral. */
export type OpenAIFlavor = "openai" | "deepseek" | "mistral";

/**
 * Models that write the prompt cache explicitly and report it (openai-node
 * ChatCompletionCreateParamsBase.prompt_cache_options: "Supported for `gpt-5.6` and later models").
 */
const REPORTS_CACHE_WRITES = /^gpt-(5\.([6-9]|\d{2,})|[6-9])/;

function usageFor(flavor: OpenAIFlavor, u: FakeUsage, model: string): Record<string, unknown> {
  const cached = u.cachedRead ?? 0;
  const reasoning = u.reasoning ?? 0;
  const base = {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
  };
  switch (flavor) {
    case "openai":
      return {
        ...base,
        // cache_write_tokens: openai-node src/resources/completions.ts PromptTokensDetails (models
        // that price cache writes, e.g. gpt-5.6); a subset of prompt_tokens like cached_tokens.
        prompt_tokens_details: {
          cached_tokens: cached,
          audio_tokens: 0,
          ...(REPORTS_CACHE_WRITES.test(model) ? { cache_write_tokens: u.cacheWrite ?? 0 } : {}),
        },
        completion_tokens_details: {
          reasoning_tokens: reasoning,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      };
    case "deepseek":
      return {
        ...base,
        prompt_tokens_details: { cached_tokens: cached },
        prompt_cache_hit_tokens: cached,
        prompt_cache_miss_tokens: u.prompt - cached,
        ...(reasoning > 0 ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
      };
    case "mistral":
      return base;
  }
}

function errorTypeFor(status: number): string {
  if (status === 401) return "invalid_request_error";
  if (status === 429) return "requests";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function errorCodeFor(status: number): string | null {
  if (status === 429) return "rate_limit_exceeded";
  return null;
}

export function openAICompatibleWire(flavor: OpenAIFlavor): WireFormat {
  const basePath = flavor === "deepseek" ? "" : "/v1";
  const usage = (reply: Reply) => reply.rawUsage ?? usageFor(flavor, reply.usage, reply.model);
  const callId = (call: FakeToolCall, i: number) =>
    flavor === "mistral"
      ? mistralToolCallId(call)
      : flavor === "openai"
        ? openAIToolCallId(call)
        : toolCallId(call, i);
  const finishReason = (reply: Reply) =>
    reply.finishReason ?? (reply.toolCalls.length > 0 ? "tool_calls" : "stop");

  const error = (status: number, message: string, errorType?: string): ErrorReply => {
    // Mistral's API gateway answers auth and rate-limit failures with its own flat shape.
    if (flavor === "mistral" && (status === 401 || status === 429)) {
      return { status, body: { message, request_id: randomHex(32) } };
    }
    const type = errorType ?? errorTypeFor(status);
    if (flavor === "mistral") {
      return { status, body: { object: "error", message, type, param: null, code: null } };
    }
    return { status, body: { error: { message, type, param: null, code: errorCodeFor(status) } } };
  };

  const wire: WireFormat = {
    basePath,
    inspect: inspectOpenAI,
    ...(flavor === "openai" ? { validate: validateOpenAIChat } : {}),
    requestIdHeader: "x-request-id",
    defaultModels:
      flavor === "openai"
        ? ["gpt-4o-mini", "gpt-4o"]
        : flavor === "deepseek"
          ? ["deepseek-chat", "deepseek-reasoner"]
          : ["mistral-small-latest", "mistral-large-latest"],

    route(method, path, body) {
      const pathname = path.split("?")[0];
      if (method === "POST" && pathname === `${basePath}/chat/completions`) {
        const model = isRecord(body) && typeof body.model === "string" ? body.model : undefined;
        return { kind: "chat", stream: isRecord(body) && body.stream === true, model };
      }
      if (method === "GET" && pathname === `${basePath}/models`) return { kind: "models" };
      return undefined;
    },

    checkAuth(headers, _path, apiKey) {
      const auth = headerValue(headers, "authorization");
      const key = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
      if (key === apiKey) return undefined;
      if (flavor === "mistral") return error(401, "Unauthorized");
      if (flavor === "deepseek") {
        return error(
          401,
          key === undefined
            ? "Authentication Fails, no api key provided"
            : `Authentication Fails, Your api key: ****${key.slice(-4)} is invalid`,
          "authentication_error",
        );
      }
      if (key === undefined) {
        return error(
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        );
      }
      // The real API masks the middle of the key; echoing all of it exercises the client's scrubbing.
      const reply = error(
        401,
        `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      );
      if (isRecord(reply.body) && isRecord(reply.body.error)) reply.body.error.code = "invalid_api_key";
      return reply;
    },

    completion(reply) {
      const toolCalls = reply.toolCalls.map((call, i) => ({
        id: callId(call, i),
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      }));
      const text = replyText(reply);
      return {
        id: nextId(flavor === "mistral" ? "cmpl-fake-" : "chatcmpl-fake-"),
        object: "chat.completion",
        created: unixSeconds(),
        model: reply.model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: text === "" && toolCalls.length > 0 ? null : text,
              ...(flavor === "openai" ? { refusal: null } : {}),
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finishReason(reply),
          },
        ],
        usage: usage(reply),
        ...(flavor === "mistral" ? {} : { system_fingerprint: "fp_fake" }),
      };
    },

    streamFrames(reply, request) {
      const id = nextId(flavor === "mistral" ? "cmpl-fake-" : "chatcmpl-fake-");
      const created = unixSeconds();
      const askedForUsage =
        isRecord(request) &&
        isRecord(request.stream_options) &&
        request.stream_options.include_usage === true;
      // OpenAI and DeepSeek send usage only when asked, in an extra chunk with no choices;
      // Mistral always puts it on its last chunk.
      const usageChunk = flavor !== "mistral" && askedForUsage && reply.withUsage;
      const usageOnLast = flavor === "mistral" && reply.withUsage;
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        `data: ${JSON.stringify({
          id,
          object: "chat.completion.chunk",
          created,
          model: reply.model,
          ...(flavor === "mistral" ? {} : { system_fingerprint: "fp_fake" }),
          choices,
          ...(usageChunk ? { usage: null } : {}),
          ...extra,
        })}\n\n`;
      const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
        index: 0,
        delta,
        logprobs: null,
        finish_reason: finish,
      });

      const frames: StreamFrame[] = [
        { text: chunk([choice({ role: "assistant", content: "" })]), content: false },
      ];
      for (const piece of reply.chunks) {
        frames.push({ text: chunk([choice({ content: piece })]), content: true });
      }
      const strict = strictToolNames(request);
      reply.toolCalls.forEach((call, index) => {
        const id = callId(call, index);
        // Mistral streams each call whole, in one delta without `type` (client-ts toolcall.ts).
        if (flavor === "mistral") {
          const whole = {
            id,
            function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            index,
          };
          frames.push({ text: chunk([choice({ content: "", tool_calls: [whole] })]), content: true });
          return;
        }
        frames.push({
          text: chunk([
            choice({
              tool_calls: [
                {
                  index,
                  id,
                  type: "function",
                  function: { name: call.name, arguments: "" },
                },
              ],
            }),
          ]),
          content: true,
        });
        // A strict tool called without arguments gets "" and nothing more (see strictToolNames).
        if (strict.has(call.name) && Object.keys(call.arguments).length === 0) return;
        frames.push({
          text: chunk([
            choice({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.arguments) } }] }),
          ]),
          content: true,
        });
      });
      frames.push({
        text: chunk(
          [choice(flavor === "mistral" ? { content: "" } : {}, finishReason(reply))],
          usageOnLast ? { usage: usage(reply) } : {},
        ),
        content: false,
      });
      if (usageChunk) frames.push({ text: chunk([], { usage: usage(reply) }), content: false });
      frames.push({ text: "data: [DONE]\n\n", content: false });
      return frames;
    },

    error,

    models(ids) {
      return {
        object: "list",
        data: ids.map((id) => ({
          id,
          object: "model",
          created: 1_700_000_000,
          owned_by: flavor === "mistral" ? "mistralai" : flavor === "deepseek" ? "deepseek" : "system",
        })),
      };
    },
  };
  return flavor === "deepseek"
    ? withDeepSeekRules(wire)
    : flavor === "mistral"
      ? withMistralRules(wire)
      : wire;
}
