import { type FieldViolation, schemaViolations } from "./google-schema";
import { isGemini3, type ThinkingLevel, thinkingSupport } from "./google-thinking";
import type { ErrorReply, Route } from "./types";
import { isRecord } from "./util";

/**
 * The Gemini API's own refusals of a generateContent body, each with its source. Every refusal is
 * a 400 INVALID_ARGUMENT in Gemini's error shape (`{"error": {"code", "message", "status",
 * "details"}}`, ai.google.dev/api/generate-content and the bodies quoted in the issues cited).
 */

const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** Protobuf JSON takes a field under its JSON (camelCase) or its proto (snake_case) name. */
const field = (record: Record<string, unknown>, json: string, proto: string): unknown =>
  record[json] ?? record[proto];

export function invalidArgument(message: string, violations: FieldViolation[] = []): ErrorReply {
  return {
    status: 400,
    body: {
      error: {
        code: 400,
        message,
        status: "INVALID_ARGUMENT",
        ...(violations.length > 0
          ? {
              details: [
                { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: violations },
              ],
            }
          : {}),
      },
    },
  };
}

/**
 * The dummy signatures the docs allow for function calls Gemini did not make (history from
 * another model, calls injected by the client): ai.google.dev/gemini-api/docs/thought-signatures
 * FAQ, "You can set the following dummy signatures of either "context_engineering_is_the_way_to_go"
 * or "skip_thought_signature_validator"" (as quoted in pydantic/pydantic-ai's Google model).
 */
export const DUMMY_THOUGHT_SIGNATURES: readonly string[] = [
  "context_engineering_is_the_way_to_go",
  "skip_thought_signature_validator",
];

const SIGNATURE_PREFIX = "llmg-fake-thought-signature:";
let signatures = 0;

/** An opaque base64 signature, as Gemini returns one (js-genai Part.thoughtSignature "Encoded as base64 string"). */
export function issueThoughtSignature(model: string): string {
  signatures += 1;
  return Buffer.from(`${SIGNATURE_PREFIX}${model}:${signatures}`).toString("base64");
}

function genuineSignature(value: string): boolean {
  if (DUMMY_THOUGHT_SIGNATURES.includes(value)) return true;
  return Buffer.from(value, "base64").toString("utf8").startsWith(SIGNATURE_PREFIX);
}

function functionDeclarationViolations(body: Record<string, unknown>): ErrorReply | undefined {
  const violations: FieldViolation[] = [];
  const exclusive: string[] = [];
  array(body.tools).forEach((tool, t) => {
    if (!isRecord(tool)) return;
    array(field(tool, "functionDeclarations", "function_declarations")).forEach((declaration, d) => {
      if (!isRecord(declaration)) return;
      const path = `tools[${t}].function_declarations[${d}]`;
      const parameters = declaration.parameters;
      const jsonSchema = field(declaration, "parametersJsonSchema", "parameters_json_schema");
      // `parameters` is a Schema (OpenAPI subset); JSON Schema goes in `parametersJsonSchema`,
      // "This field is mutually exclusive with `parameters`" (js-genai src/types.ts FunctionDeclaration).
      schemaViolations(parameters, `${path}.parameters`, violations);
      if (parameters !== undefined && jsonSchema !== undefined) exclusive.push(path);
    });
  });
  if (violations.length > 0) {
    return invalidArgument(violations.map((v) => v.description).join("\n"), violations);
  }
  if (exclusive.length > 0) {
    // The API's semantic checks answer "* GenerateContentRequest.<field>: <why>" lines
    // (danny-avila/LibreChat#6971); the wording of this one is ours, no public capture was found.
    return invalidArgument(
      exclusive
        .map(
          (path) =>
            `* GenerateContentRequest.${path}.parameters_json_schema: parameters and parameters_json_schema are mutually exclusive\n`,
        )
        .join(""),
    );
  }
  return undefined;
}

function responseSchemaViolations(config: Record<string, unknown>): ErrorReply | undefined {
  const schema = field(config, "responseSchema", "response_schema");
  const jsonSchema = field(config, "responseJsonSchema", "response_json_schema");
  // `responseSchema` is the same OpenAPI Schema subset: `$schema` there is refused with
  // "Unknown name "$schema" at 'generation_config.response_schema': Cannot find field."
  // (QuantumNous/new-api#1037).
  const violations = schemaViolations(schema, "generation_config.response_schema");
  if (violations.length > 0) {
    return invalidArgument(violations.map((v) => v.description).join("\n"), violations);
  }
  // js-genai src/types.ts GenerationConfig.responseJsonSchema: "If set, `response_schema` must be
  // omitted, but `response_mime_type` is required." (wording of the answers is ours, as above).
  if (schema !== undefined && jsonSchema !== undefined) {
    return invalidArgument(
      "* GenerateContentRequest.generation_config.response_json_schema: response_schema and response_json_schema are mutually exclusive\n",
    );
  }
  const mime = field(config, "responseMimeType", "response_mime_type");
  if ((schema !== undefined || jsonSchema !== undefined) && mime !== "application/json") {
    return invalidArgument(
      "* GenerateContentRequest.generation_config.response_mime_type: must be application/json when a response schema is set\n",
    );
  }
  return undefined;
}

function thinkingViolation(config: Record<string, unknown>, model: string): ErrorReply | undefined {
  const thinking = field(config, "thinkingConfig", "thinking_config");
  if (!isRecord(thinking)) return undefined;
  const level = field(thinking, "thinkingLevel", "thinking_level");
  const budget = field(thinking, "thinkingBudget", "thinking_budget");
  // "You can only set only one of thinking budget and thinking level." (sterlp/eclipse-peon-ai#115;
  // docs/thinking: the two cannot be used in the same request).
  if (level !== undefined && budget !== undefined) {
    return invalidArgument("You can only set only one of thinking budget and thinking level.");
  }
  const support = thinkingSupport(model);
  if (level !== undefined) {
    // docs/thinking: "Gemini 2.5 series models don't support thinkingLevel; use thinkingBudget
    // instead." Answer: "Thinking level is not supported for this model." (RooCodeInc/Roo-Code#10700).
    if (support.kind !== "level") return invalidArgument("Thinking level is not supported for this model.");
    const name = String(level).toUpperCase() as ThinkingLevel;
    if (!support.levels.includes(name)) {
      // egoist/chatwise-releases#1206
      return invalidArgument(
        `Thinking level ${name} is not supported for this model. Please retry with other thinking level.`,
      );
    }
  }
  if (typeof budget === "number" && support.kind === "budget" && budget !== -1) {
    if (budget === 0 && !support.canDisable) {
      // vercel/ai#8027 (gemini-2.5-pro); docs/thinking "Thinking can't be turned off for 2.5 Pro".
      return invalidArgument("Budget 0 is invalid. This model only works in thinking mode.");
    }
    if (budget !== 0 && (budget < support.min || budget > support.max)) {
      // The ranges are docs/thinking's; the wording of this answer is ours (no public capture found).
      return invalidArgument(
        `The thinking budget ${budget} is invalid. Please choose a value between ${support.min} and ${support.max}.`,
      );
    }
  }
  return undefined;
}

/**
 * Gemini 3 validates thought signatures in the current turn: ai.google.dev/gemini-api/docs/thought-signatures
 * "When using Gemini 3 models, you must pass back thought signatures during function calling,
 * otherwise you will get a validation error (4xx status code)". The current turn starts at the
 * last user content with standard content (not only functionResponse parts); in each of its model
 * steps the first functionCall part must carry the signature (parallel calls: only the first one
 * has it). The answer is "Function call is missing a thought_signature in functionCall parts. ..."
 * (reported e.g. in err.dmxapi.cn detail 1013 and the doublepost.link bug report); "position" is
 * the 1-based index of the content, our reading of it.
 */
function signatureViolation(body: Record<string, unknown>, model: string): ErrorReply | undefined {
  if (!isGemini3(model)) return undefined;
  const contents = array(body.contents).filter(isRecord);
  let start = -1;
  for (let i = contents.length - 1; i >= 0; i -= 1) {
    const content = contents[i]!;
    const parts = array(content.parts).filter(isRecord);
    if (
      content.role !== "model" &&
      parts.some((part) => !field(part, "functionResponse", "function_response"))
    ) {
      start = i;
      break;
    }
  }
  for (let i = 0; i < contents.length; i += 1) {
    const content = contents[i]!;
    if (content.role !== "model") continue;
    const parts = array(content.parts).filter(isRecord);
    for (const part of parts) {
      const signature = field(part, "thoughtSignature", "thought_signature");
      // A signature that is neither Gemini's nor an allowed dummy is refused wherever it is
      // ("Corrupted thought signature.", as reported in docs.apiyi.com's Gemini FAQ).
      if (typeof signature === "string" && !genuineSignature(signature)) {
        return invalidArgument("Corrupted thought signature.");
      }
    }
    if (i <= start) continue;
    const first = parts.find((part) => isRecord(field(part, "functionCall", "function_call")));
    if (!first) continue;
    const signature = field(first, "thoughtSignature", "thought_signature");
    if (typeof signature !== "string" || signature === "") {
      const call = field(first, "functionCall", "function_call") as Record<string, unknown>;
      return invalidArgument(
        `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String(call.name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
      );
    }
  }
  return undefined;
}

/**
 * Sampling fields some models refuse. "Penalty is not enabled for models/gemini-2.5-flash"
 * (vercel/ai#8943; google-gemini/cookbook#1290: a zero penalty passes, any other value is refused
 * on every model since 2.5). stopSequences: "up to 5" (ai.google.dev/api/generate-content
 * GenerationConfig); the wording of that answer is ours, no public capture was found.
 */
function samplingViolation(config: Record<string, unknown>, model: string): ErrorReply | undefined {
  const penalties = [
    field(config, "presencePenalty", "presence_penalty"),
    field(config, "frequencyPenalty", "frequency_penalty"),
  ];
  const id = model.replace(/^models\//, "");
  if (!/^gemini-2\.0-/.test(id) && penalties.some((value) => typeof value === "number" && value !== 0)) {
    return invalidArgument(`Penalty is not enabled for models/${id}`);
  }
  const stops = field(config, "stopSequences", "stop_sequences");
  if (Array.isArray(stops) && stops.length > 5) {
    return invalidArgument(
      "* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed\n",
    );
  }
  return undefined;
}

/**
 * The turn structure of `contents` the API checks, each answer as reported:
 * - "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty." (egoist/chatwise-releases#250);
 * - "Please ensure that function call turn comes immediately after a user turn or after a function
 *   response turn." (continuedev/continue#11164);
 * - "Please ensure that function response turn comes immediately after a function call turn."
 *   (langchain-ai/langchain#27799);
 * - "Please ensure that the number of function response parts is equal to the number of function
 *   call parts of the function call turn." (google-gemini/gemini-cli#16415).
 */
function turnViolation(body: Record<string, unknown>): ErrorReply | undefined {
  const contents = array(body.contents);
  const count = (content: unknown, json: string, proto: string) =>
    isRecord(content)
      ? array(content.parts).filter((part) => isRecord(part) && isRecord(field(part, json, proto))).length
      : 0;
  for (let i = 0; i < contents.length; i += 1) {
    const content = contents[i];
    if (!isRecord(content)) continue;
    if (array(content.parts).length === 0) {
      return invalidArgument(
        `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`,
      );
    }
    const previous = contents[i - 1];
    const previousRole = isRecord(previous) ? previous.role : undefined;
    if (
      content.role === "model" &&
      count(content, "functionCall", "function_call") > 0 &&
      previousRole !== "user"
    ) {
      return invalidArgument(
        "Please ensure that function call turn comes immediately after a user turn or after a function response turn.",
      );
    }
    const responses = count(content, "functionResponse", "function_response");
    if (content.role !== "model" && responses > 0) {
      const calls = previousRole === "model" ? count(previous, "functionCall", "function_call") : 0;
      if (calls === 0) {
        return invalidArgument(
          "Please ensure that function response turn comes immediately after a function call turn.",
        );
      }
      if (calls !== responses) {
        return invalidArgument(
          "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.",
        );
      }
    }
  }
  return undefined;
}

export function validateGoogle(
  body: unknown,
  route: Extract<Route, { kind: "chat" }>,
): ErrorReply | undefined {
  if (!isRecord(body)) return undefined;
  const model = route.model ?? "";
  const config = field(body, "generationConfig", "generation_config");
  return (
    turnViolation(body) ??
    functionDeclarationViolations(body) ??
    (isRecord(config)
      ? (responseSchemaViolations(config) ??
        thinkingViolation(config, model) ??
        samplingViolation(config, model))
      : undefined) ??
    signatureViolation(body, model)
  );
}

/** Whether the request asked for thought summaries (docs/thinking "includeThoughts"). */
export function wantsThoughts(body: unknown): boolean {
  if (!isRecord(body)) return false;
  const config = field(body, "generationConfig", "generation_config");
  if (!isRecord(config)) return false;
  const thinking = field(config, "thinkingConfig", "thinking_config");
  return isRecord(thinking) && field(thinking, "includeThoughts", "include_thoughts") === true;
}

/**
 * A quota 429 as Gemini sends it, with the RetryInfo detail whose `retryDelay` tells the wait
 * (ai.google.dev/gemini-api/docs/troubleshooting; google.rpc.RetryInfo in googleapis/googleapis
 * google/rpc/error_details.proto). Queue it with `{type: "error", status: 429, body: ...}`.
 */
export function geminiQuotaError(retryDelay: string): Record<string, unknown> {
  return {
    error: {
      code: 429,
      message:
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
      status: "RESOURCE_EXHAUSTED",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [
            {
              quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
              quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            },
          ],
        },
        {
          "@type": "type.googleapis.com/google.rpc.Help",
          links: [
            {
              description: "Learn more about Gemini API quotas",
              url: "https://ai.google.dev/gemini-api/docs/rate-limits",
            },
          ],
        },
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
      ],
    },
  };
}
