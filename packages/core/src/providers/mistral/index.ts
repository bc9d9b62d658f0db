import { createAdapter, type ProviderSpec } from "../adapter";
import { type OpenAIDialect, openAICompatibleSpec } from "../openai-compatible";
import type { ProviderAdapter } from "../types";
import { mistralToolCallId } from "./tool-call-id";

/**
 * Mistral rejects unknown fields (422 extra_forbidden), so only what it documents is sent: no
 * `user`, no `stream_options` (its last chunk carries usage anyway), `random_seed` for `seed`,
 * `name` only on tool results, no `reasoning_content`, and tool-call ids in its own form.
 * Fields: mistralai/client-ts src/models/components/chatcompletionrequest.ts.
 */
export const mistralDialect: OpenAIDialect = {
  id: "mistral",
  defaultBaseUrl: "https://api.mistral.ai/v1",
  askForStreamUsage: false,
  maxTokensField: () => "max_tokens",
  supportsUser: false,
  seedField: "random_seed",
  textOnly: false,
  namesOnAllRoles: false,
  responseFormat: (format) => format,
  fields: new Set([
    "temperature",
    "top_p",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "tools",
    "tool_choice",
    "response_format",
    "reasoning_effort",
    "parallel_tool_calls",
    "prompt_cache_key",
  ]),
  requestIdHeaders: ["x-request-id", "mistral-correlation-id"],
  toolCallId: mistralToolCallId,
};

const base = openAICompatibleSpec(mistralDialect);

export const mistralSpec: ProviderSpec = {
  ...base,
  buildChat(req, ctx, stream) {
    const built = base.buildChat(req, ctx, stream);
    // ChatCompletionRequest: `reasoning_effort` (none|minimal|low|medium|high|xhigh, our very
    // values: client-ts reasoningeffort.ts), `parallel_tool_calls`, `prompt_cache_key`.
    const body = built.body as Record<string, unknown>;
    if (req.reasoning_effort !== undefined) body.reasoning_effort = req.reasoning_effort;
    if (req.parallel_tool_calls !== undefined) body.parallel_tool_calls = req.parallel_tool_calls;
    if (req.prompt_cache_key !== undefined) body.prompt_cache_key = req.prompt_cache_key;
    return built;
  },
};

/**
 * Mistral's SDK takes the server as `https://api.mistral.ai` and adds `/v1` to each path
 * (client-ts src/lib/config.ts ServerList); OpenAI-style clients give `https://api.mistral.ai/v1`.
 * Both are accepted: a base URL without a path gets `/v1`.
 */
export function mistralBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, "");
  try {
    return new URL(trimmed).pathname === "/" ? `${trimmed}/v1` : trimmed;
  } catch {
    return trimmed;
  }
}

function createMistralAdapter(): ProviderAdapter {
  const inner = createAdapter(mistralSpec);
  return {
    ...inner,
    chat: (req, ctx) => inner.chat(req, { ...ctx, baseUrl: mistralBaseUrl(ctx.baseUrl) }),
    chatStream: (req, ctx) => inner.chatStream(req, { ...ctx, baseUrl: mistralBaseUrl(ctx.baseUrl) }),
    testCredential: (ctx) => inner.testCredential({ ...ctx, baseUrl: mistralBaseUrl(ctx.baseUrl) }),
  };
}

export const mistralAdapter = createMistralAdapter();
