import { verifyThinkingSignature } from "./anthropic-thinking";
import { isRecord } from "./util";

/**
 * What the real Messages API refuses with 400 invalid_request_error, each rule with its source.
 * `SDK` is anthropics/anthropic-sdk-typescript src/resources/messages/messages.ts; error texts
 * quoted from reports are the API's own wording.
 */

const EXTENDED_THINKING = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking";

/** "Models released after Claude Opus 4.6" (SDK MessageCreateParamsBase.temperature / top_p / top_k; the SDK's Model union). */
const AFTER_OPUS_4_6 = /^claude-(opus-4-[7-9]|opus-5|sonnet-5|fable-5|mythos-5|mythos-preview)/;

/**
 * "temperature and top_p cannot both be specified for this model. Please use only one." (Sonnet
 * 4.5: browseros-ai/BrowserOS#208; Opus 4.1: open-webui/functions#9; Sonnet 4.6: drupal.org
 * project/ai #3580249; Haiku 4.5 and Opus 4.5/4.6 as the same generation.)
 */
const ONE_SAMPLER = /^claude-(sonnet-4-5|haiku-4-5|opus-4-1|opus-4-5|opus-4-6|sonnet-4-6)/;

/**
 * Adaptive thinking: "Claude Mythos 5, Claude Fable 5, Claude Opus 4.7, and Claude Mythos Preview
 * only support adaptive thinking. Manual extended thinking (thinking.type: "enabled" with
 * budget_tokens) and disabled thinking (thinking.type: "disabled") are not supported on these
 * models and will return a 400 error"; "Older models (Claude Sonnet 4.5, Claude Opus 4.5, etc.) do
 * not support adaptive thinking" (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html).
 */
const ADAPTIVE_ONLY = /^claude-(opus-4-7|fable-5|mythos-5|mythos-preview)/;
const NO_ADAPTIVE = /^claude-(3-|sonnet-4-5|haiku-4-5|opus-4-5|opus-4-1|opus-4-2|sonnet-4-2|4-)/;

/** `tools[].name`: "tools.7.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'" (apify/tester-mcp-client#11). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** "messages.1.content.1.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'" (CommandCodeAI/command-code#323). */
const TOOL_ID = /^[a-zA-Z0-9_-]+$/;

/** OutputConfig.effort: "low" | "medium" | "high" | "xhigh" | "max" (SDK). */
const EFFORTS = new Set(["low", "medium", "high", "xhigh", "max"]);

type Block = Record<string, unknown>;
const blocksOf = (message: Record<string, unknown>): Block[] =>
  Array.isArray(message.content) ? message.content.filter(isRecord) : [];
const isThinkingBlock = (block: Block) => block.type === "thinking" || block.type === "redacted_thinking";

/** Whether the request turns thinking on (`enabled` or `adaptive`). */
export function thinkingEnabled(body: unknown): boolean {
  if (!isRecord(body) || !isRecord(body.thinking)) return false;
  return body.thinking.type === "enabled" || body.thinking.type === "adaptive";
}

/** The first rule the body breaks, as the API's message; undefined when the API would accept it. */
export function anthropicViolation(body: unknown): string | undefined {
  if (!isRecord(body)) return "body: Input should be a valid dictionary";
  return (
    requiredFields(body) ??
    samplingRules(body) ??
    stopRules(body) ??
    toolRules(body) ??
    messageRules(body) ??
    thinkingRules(body) ??
    outputRules(body) ??
    cacheRules(body)
  );
}

/** Every `cache_control` of the body with its path, in the order the API reads the prompt: tools, system, messages. */
function cacheControls(body: Record<string, unknown>): [string, unknown][] {
  const found: [string, unknown][] = [];
  const take = (path: string, block: unknown) => {
    if (isRecord(block) && block.cache_control !== undefined && block.cache_control !== null) {
      found.push([`${path}.cache_control`, block.cache_control]);
    }
  };
  for (const [i, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) take(`tools.${i}`, tool);
  for (const [i, block] of (Array.isArray(body.system) ? body.system : []).entries())
    take(`system.${i}`, block);
  for (const [i, message] of (body.messages as unknown[]).entries()) {
    if (!isRecord(message)) continue;
    for (const [k, block] of blocksOf(message).entries()) {
      take(`messages.${i}.content.${k}`, block);
      // A tool_result's own content blocks may carry breakpoints too (ToolResultBlockParam.content).
      const inner = Array.isArray(block.content) ? block.content : [];
      for (const [j, part] of inner.entries()) take(`messages.${i}.content.${k}.content.${j}`, part);
    }
  }
  return found;
}

/**
 * Prompt caching. `cache_control` is CacheControlEphemeral: `{type: 'ephemeral', ttl?: '5m' | '1h'}`
 * (SDK). "You can define up to 4 cache breakpoints"
 * (https://docs.claude.com/en/docs/build-with-claude/prompt-caching). TTLs may not grow along the
 * prompt (tools, then system, then messages): "a ttl='1h' cache_control block must not come after
 * a ttl='5m' cache_control block" (the API's 400, as reported in vellum-ai/vellum-assistant#22191).
 */
function cacheRules(body: Record<string, unknown>): string | undefined {
  const controls = cacheControls(body);
  let seenFiveMinutes = false;
  for (const [path, control] of controls) {
    if (!isRecord(control) || control.type !== "ephemeral") {
      return `${path}.type: Input should be 'ephemeral'`;
    }
    if (control.ttl !== undefined && control.ttl !== "5m" && control.ttl !== "1h") {
      return `${path}.ephemeral.ttl: Input should be '5m' or '1h'`;
    }
    if (control.ttl === "1h" && seenFiveMinutes) {
      return "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block";
    }
    if (control.ttl !== "1h") seenFiveMinutes = true;
  }
  if (controls.length > 4) {
    return `A maximum of 4 blocks with cache_control may be provided. Found ${controls.length}.`;
  }
  return undefined;
}

function requiredFields(body: Record<string, unknown>): string | undefined {
  // `max_tokens: number` and `messages` are required (SDK MessageCreateParamsBase, no `?`).
  if (body.max_tokens === undefined) return "max_tokens: Field required";
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 0) {
    return "max_tokens: Input should be a valid integer greater than or equal to 0";
  }
  if (!Array.isArray(body.messages)) return "messages: Field required";
  if (body.messages.length === 0) return "messages: at least one message is required";
  return undefined;
}

function samplingRules(body: Record<string, unknown>): string | undefined {
  const model = typeof body.model === "string" ? body.model : "";
  const { temperature, top_p: topP, top_k: topK } = body;
  // temperature "Ranges from 0.0 to 1.0" (https://docs.claude.com/en/api/messages).
  if (temperature !== undefined && (typeof temperature !== "number" || temperature < 0 || temperature > 1)) {
    return "temperature: Input should be less than or equal to 1";
  }
  if (AFTER_OPUS_4_6.test(model)) {
    // "A value of 1.0 will be accepted for backwards compatibility, all other values will be
    // rejected with a 400 error" (SDK temperature); wording as reported in Comfy-Org/ComfyUI#13923.
    if (temperature !== undefined && temperature !== 1) return "`temperature` is deprecated for this model.";
    // "A value >= 0.99 will be accepted ... all other values will be rejected with a 400 error" (SDK top_p).
    if (typeof topP === "number" && topP < 0.99) return "`top_p` is deprecated for this model.";
    // "Models released after Claude Opus 4.6 do not accept top_k; any value will be rejected" (SDK top_k).
    if (topK !== undefined) return "`top_k` is deprecated for this model.";
  }
  if (ONE_SAMPLER.test(model) && temperature !== undefined && topP !== undefined) {
    return "temperature and top_p cannot both be specified for this model. Please use only one.";
  }
  return undefined;
}

function stopRules(body: Record<string, unknown>): string | undefined {
  // As reported in BerriAI/litellm#3286.
  const stops = Array.isArray(body.stop_sequences) ? body.stop_sequences : [];
  if (stops.some((stop) => typeof stop !== "string" || stop.trim() === "")) {
    return "stop_sequences: each stop sequence must contain non-whitespace";
  }
  return undefined;
}

function toolRules(body: Record<string, unknown>): string | undefined {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [i, tool] of tools.entries()) {
    if (!isRecord(tool) || typeof tool.name !== "string" || !TOOL_NAME.test(tool.name)) {
      return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    }
    if (!isRecord(tool.input_schema)) return `tools.${i}.custom.input_schema: Field required`;
  }
  if (body.tool_choice === undefined) return undefined;
  // ToolChoiceAuto | ToolChoiceAny | ToolChoiceTool (name required) | ToolChoiceNone (SDK).
  const choice = body.tool_choice;
  if (!isRecord(choice) || !["auto", "any", "tool", "none"].includes(String(choice.type))) {
    return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'";
  }
  if (choice.type === "tool" && typeof choice.name !== "string")
    return "tool_choice.tool.name: Field required";
  if (
    choice.disable_parallel_tool_use !== undefined &&
    typeof choice.disable_parallel_tool_use !== "boolean"
  ) {
    return `tool_choice.${choice.type}.disable_parallel_tool_use: Input should be a valid boolean`;
  }
  return undefined;
}

/**
 * Roles, tool ids, and tool_use / tool_result pairing. "Each `tool_use` block must have a
 * corresponding `tool_result` block in the next message" and "Each `tool_result` block must have a
 * corresponding `tool_use` block in the previous message" (the API's errors, as reported in
 * anthropics/claude-code#3632 and in AutoGPT's "unexpected tool_use_id found in tool_result
 * blocks"); "tool result blocks must come FIRST in the content array. Any text must come AFTER
 * all tool results" (https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use).
 */
function messageRules(body: Record<string, unknown>): string | undefined {
  const messages = (body.messages as unknown[]).map((message) => (isRecord(message) ? message : {}));
  for (const [i, message] of messages.entries()) {
    if (message.role !== "user" && message.role !== "assistant") {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    for (const [k, block] of blocksOf(message).entries()) {
      if (block.type === "tool_use" && (typeof block.id !== "string" || !TOOL_ID.test(block.id))) {
        return `messages.${i}.content.${k}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      }
      if (
        block.type === "tool_result" &&
        (typeof block.tool_use_id !== "string" || !TOOL_ID.test(block.tool_use_id))
      ) {
        return `messages.${i}.content.${k}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      }
      if (block.type === "thinking" && !verifyThinkingSignature(block)) {
        return `messages.${i}.content.${k}: Invalid \`signature\` in \`thinking\` block`;
      }
    }
    // "The final block in an assistant message cannot be `thinking`" (400, as reported in tailcallhq/forgecode#2107).
    const blocks = blocksOf(message);
    const final = blocks[blocks.length - 1];
    if (message.role === "assistant" && final && isThinkingBlock(final)) {
      return `messages.${i}: The final block in an assistant message cannot be \`thinking\`.`;
    }
  }
  for (const [i, message] of messages.entries()) {
    const blocks = blocksOf(message);
    if (message.role === "assistant") {
      const uses = blocks.filter((block) => block.type === "tool_use").map((block) => String(block.id));
      const next = messages[i + 1];
      const answered = new Set(
        next?.role === "user"
          ? blocksOf(next)
              .filter((block) => block.type === "tool_result")
              .map((block) => String(block.tool_use_id))
          : [],
      );
      const missing = uses.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
      continue;
    }
    const previous = messages[i - 1];
    const used = new Set(
      previous?.role === "assistant"
        ? blocksOf(previous)
            .filter((block) => block.type === "tool_use")
            .map((block) => String(block.id))
        : [],
    );
    let seenOther = false;
    for (const [k, block] of blocks.entries()) {
      if (block.type !== "tool_result") {
        seenOther = true;
        continue;
      }
      if (seenOther) {
        return `messages.${i}.content.${k}: \`tool_result\` blocks must come first in a user message, before any other content`;
      }
      if (!used.has(String(block.tool_use_id))) {
        return `messages.${i}.content.${k}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return undefined;
}

function thinkingRules(body: Record<string, unknown>): string | undefined {
  const model = typeof body.model === "string" ? body.model : "";
  const messages = (body.messages as unknown[]).map((message) => (isRecord(message) ? message : {}));
  const thinking = body.thinking;
  if (thinking !== undefined) {
    if (!isRecord(thinking) || !["enabled", "disabled", "adaptive"].includes(String(thinking.type))) {
      return "thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'";
    }
    if (thinking.type === "enabled") {
      // budget_tokens "Must be ≥1024 and less than `max_tokens`" (SDK ThinkingConfigEnabled).
      const budget = thinking.budget_tokens;
      if (!Number.isInteger(budget) || (budget as number) < 1024) {
        return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
      }
      if ((body.max_tokens as number) <= (budget as number)) {
        return `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${EXTENDED_THINKING}#max-tokens-and-context-window-size`;
      }
    }
    if (ADAPTIVE_ONLY.test(model) && thinking.type !== "adaptive") {
      return `thinking.type.${String(thinking.type)} is not supported for this model. Use thinking.type.adaptive and output_config.effort to control thinking behavior.`;
    }
    if (NO_ADAPTIVE.test(model) && thinking.type === "adaptive") {
      return "thinking.type.adaptive is not supported for this model. Use thinking.type.enabled with budget_tokens.";
    }
  }
  const last = messages[messages.length - 1];
  if (!thinkingEnabled(body)) {
    // "When thinking is disabled, an `assistant` message in the final position cannot contain
    // `thinking`" (400, as reported in tailcallhq/forgecode#1853).
    if (last?.role === "assistant" && blocksOf(last).some(isThinkingBlock)) {
      return `messages.${messages.length - 1}.content.0: When thinking is disabled, an \`assistant\` message in the final position cannot contain \`thinking\`. To use thinking blocks, enable \`thinking\` in your request.`;
    }
    return undefined;
  }
  // "Thinking isn't compatible with temperature or top_k modifications as well as forced tool use";
  // "you can set top_p to values between 1 and 0.95" (EXTENDED_THINKING, feature compatibility).
  if (body.temperature !== undefined && body.temperature !== 1) {
    return `\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${EXTENDED_THINKING}#feature-compatibility`;
  }
  if (body.top_k !== undefined) {
    return `\`top_k\` must be unset when thinking is enabled. Please consult our documentation at ${EXTENDED_THINKING}#feature-compatibility`;
  }
  if (typeof body.top_p === "number" && body.top_p < 0.95) {
    return `\`top_p\` must be greater than or equal to 0.95 or unset when thinking is enabled. Please consult our documentation at ${EXTENDED_THINKING}#feature-compatibility`;
  }
  // As reported in run-llama/llama_index#19641.
  if (isRecord(body.tool_choice) && (body.tool_choice.type === "any" || body.tool_choice.type === "tool")) {
    return "Thinking may not be enabled when tool_choice forces tool use.";
  }
  // In a tool loop (the conversation ends in tool results) the assistant turn before them must
  // start with its thinking block (400, wording as reported in n8n-io/n8n#22550).
  const endsInResults = last?.role === "user" && blocksOf(last).some((block) => block.type === "tool_result");
  const assistant = messages[messages.length - 2];
  if (endsInResults && assistant?.role === "assistant") {
    const first = blocksOf(assistant)[0];
    if (!first || !isThinkingBlock(first)) {
      return `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type ?? "text")}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at ${EXTENDED_THINKING}`;
    }
  }
  return undefined;
}

function outputRules(body: Record<string, unknown>): string | undefined {
  const model = typeof body.model === "string" ? body.model : "";
  // service_tier?: 'auto' | 'standard_only' (SDK).
  if (
    body.service_tier !== undefined &&
    body.service_tier !== "auto" &&
    body.service_tier !== "standard_only"
  ) {
    return "service_tier: Input should be 'auto' or 'standard_only'";
  }
  const config = body.output_config;
  if (config === undefined) return undefined;
  if (!isRecord(config)) return "output_config: Input should be a valid dictionary";
  if (config.effort !== undefined && config.effort !== null) {
    if (!EFFORTS.has(String(config.effort))) {
      return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'";
    }
    // Effort came with Opus 4.5 (beta) and 4.6; the older models have no effort control
    // (https://docs.claude.com/en/docs/build-with-claude/effort).
    if (NO_ADAPTIVE.test(model) && !model.startsWith("claude-opus-4-5")) {
      return "output_config.effort: This model does not support the effort parameter.";
    }
  }
  // JSONOutputFormat: {type: 'json_schema', schema} (SDK).
  if (config.format !== undefined && config.format !== null) {
    const format = config.format;
    if (!isRecord(format) || format.type !== "json_schema") {
      return "output_config.format.type: Input should be 'json_schema'";
    }
    if (!isRecord(format.schema)) return "output_config.format.schema: Field required";
  }
  return undefined;
}
