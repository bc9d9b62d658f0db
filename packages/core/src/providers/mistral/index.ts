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
    // Set here (last, whatever the shared body holds) so the body's form is Mistral's own.
    const body = built.body as Record<string, unknown>;
    for (const field of ["reasoning_effort", "parallel_tool_calls", "prompt_cache_key"] as const) {
      delete body[field];
      if (req[field] !== undefined) body[field] = req[field];
    }
    // A tool must declare `parameters` (client-ts function.ts); a tool without them takes none.
    if (Array.isArray(body.tools)) {
      body.tools = body.tools.map((tool: { function: { parameters?: unknown } }) =>
        tool.function.parameters === undefined
          ? { ...tool, function: { ...tool.function, parameters: { type: "object", properties: {} } } }
          : tool,
      );
    }
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
