import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../errors";
import { parseSse } from "../http";
import type { ChatRequestInput } from "../schema";
import { chatRequest } from "../test-support";
import type { StreamDeltaEvent } from "../types";
import { buildGoogleBody, geminiChatPath, parseGoogleResponse } from "./chat";
import { parseGoogleError } from "./errors";
import { createGoogleStreamTranslator } from "./stream";

/**
 * The adapter against captures written from Google's references (each fixture names its source
 * and says it was not captured from the live API): request bodies compared byte for byte,
 * responses and streams parsed into exactly the expected results.
 */

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const json = (name: string) => JSON.parse(readFileSync(fixture(name), "utf8")) as Record<string, any>;

async function translate(name: string) {
  const bytes = readFileSync(fixture(name));
  async function* source() {
    // In two pieces split mid-event, as a network would deliver it.
    const cut = Math.floor(bytes.length / 2);
    yield bytes.subarray(0, cut);
    yield bytes.subarray(cut);
  }
  const translator = createGoogleStreamTranslator();
  const deltas: StreamDeltaEvent[] = [];
  for await (const event of parseSse(source())) {
    const delta = translator.push(event);
    if (delta) deltas.push(delta);
  }
  return { deltas, state: translator.state };
}

describe("google fixtures", () => {
  it("builds the Gemini 3 tool loop request byte for byte", () => {
    const { openai, gemini, path } = json("gemini3-tool-loop.request.json");
    const req = chatRequest(openai as ChatRequestInput & { model: string });
    expect(geminiChatPath(req.model, false)).toBe(path);
    expect(JSON.stringify(buildGoogleBody(req))).toBe(JSON.stringify(gemini));
  });

  it("parses a Gemini 3 function call with its thought signature", () => {
    const { gemini } = json("gemini3-function-call.response.json");
    const result = parseGoogleResponse(gemini, chatRequest({ model: "gemini-3-pro-preview" }));
    expect(result).toEqual({
      id: "7Xb0aKq3C4rVz7IPo8XJ0Q0",
      model: "gemini-3-pro-preview",
      content: null,
      role: "assistant",
      finishReason: "tool_calls",
      toolCalls: [
        {
          id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
          type: "function",
          function: { name: "check_flight", arguments: '{"flight":"AA100"}' },
          extra_content: { google: { thought_signature: "<Signature A>" } },
        },
      ],
      usage: {
        promptTokens: 91,
        completionTokens: 169,
        cachedReadTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 152,
        estimated: false,
      },
    });
  });

  it("streams a Gemini 3 function call with its thought signature", async () => {
    const { deltas, state } = await translate("gemini3-function-call.stream.sse");
    expect(deltas).toEqual([
      {
        type: "delta",
        toolCalls: [
          {
            index: 0,
            id: expect.stringMatching(/^call_/),
            type: "function",
            function: { name: "check_flight", arguments: '{"flight":"AA100"}' },
            extra_content: { google: { thought_signature: "<Signature A>" } },
          },
        ],
      },
    ]);
    expect(state).toMatchObject({
      finishReason: "tool_calls",
      usageComplete: true,
      id: "7Xb0aKq3C4rVz7IPo8XJ0Q0",
      usage: { promptTokens: 91, completionTokens: 169, reasoningTokens: 152, estimated: false },
    });
  });

  it("streams thought summaries as reasoning, apart from the answer", async () => {
    const { deltas, state } = await translate("gemini25-thought-summary.stream.sse");
    expect(deltas).toEqual([
      {
        type: "delta",
        reasoningContent: "**Exploring the Riddle**\n\nI am looking at the clues one by one.",
      },
      { type: "delta", content: "The answer" },
      { type: "delta", content: " is a map." },
    ]);
    expect(state).toMatchObject({
      finishReason: "stop",
      usage: { promptTokens: 24, completionTokens: 506, reasoningTokens: 500, estimated: false },
    });
  });

  it("turns MALFORMED_FUNCTION_CALL into a 502 that carries the billed usage", () => {
    const { gemini } = json("malformed-function-call.response.json");
    let caught: unknown;
    try {
      parseGoogleResponse(gemini, chatRequest({ model: "gemini-2.5-flash" }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProviderError);
    expect(caught).toMatchObject({
      status: 502,
      providerCode: "MALFORMED_FUNCTION_CALL",
      message:
        "google ended the answer with MALFORMED_FUNCTION_CALL: Malformed function call: print(default_api.check_flight(flight=AA100))",
      partialUsage: { promptTokens: 91, completionTokens: 12, estimated: false },
    });
  });

  it("reads RetryInfo's retryDelay and API_KEY_INVALID from error bodies", () => {
    expect(parseGoogleError(JSON.stringify(json("quota-429.error.json").gemini))).toEqual({
      message:
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
      providerCode: "RESOURCE_EXHAUSTED",
      retryAfterMs: 13_000,
    });
    expect(parseGoogleError(JSON.stringify(json("api-key-invalid.error.json").gemini))).toEqual({
      message: "API key not valid. Please pass a valid API key.",
      providerCode: "API_KEY_INVALID",
      status: 401,
    });
  });
});
