import { testBackends } from "@llmg/db/testing";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Conformance, startConformance } from "./support";

/**
 * A conversation moves between providers: a tool call made by one model is answered and the
 * conversation continued on another, with the OpenAI SDK's own message objects sent back as
 * received. Each provider's fake enforces its own rules (Mistral's 9-character ids, Gemini 3's
 * thought signatures, Anthropic's tool_use/tool_result pairing), so a continuation only passes
 * when the adapter translated the foreign call into a shape its provider accepts.
 */

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather of a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
      strict: true,
    },
  },
];
const RESULT = '{"temp_c":21}';

describe.each(testBackends().slice(0, 1))("a tool loop moving between providers on %s", (kind) => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(kind);
  });
  afterAll(async () => {
    await c?.close();
  });

  /** Asks `model` to call get_weather and returns the history with the call and its result. */
  async function callMadeBy(model: string): Promise<Message[]> {
    const question: Message = {
      role: "user",
      content: 'What is the weather in Paris?\nTOOLCALL get_weather {"city":"Paris"}',
    };
    const first = await c.openai.chat.completions.create({ model, messages: [question], tools: TOOLS });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const call = message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    return [question, message as Message, { role: "tool", tool_call_id: call!.id, content: RESULT }];
  }

  async function continueOn(model: string, history: Message[]) {
    const answer = await c.openai.chat.completions.create({ model, messages: history, tools: TOOLS });
    expect(answer.choices[0]!.message.content).toBe(`Tool result: ${RESULT}`);
    return answer;
  }

  it("an Anthropic tool call continues on Mistral with ids mapped to its 9-character form", async () => {
    const history = await callMadeBy("anthropic/claude-sonnet-4-5");
    const anthropicId = (history[1] as { tool_calls: { id: string }[] }).tool_calls[0]!.id;
    expect(anthropicId).toMatch(/^toolu_/);
    await continueOn("mistral/mistral-small-latest", history);
    const body = c.lastBody("mistral") as { messages: Record<string, unknown>[] };
    const assistant = body.messages[1] as { tool_calls: { id: string }[] };
    const tool = body.messages[2] as { tool_call_id: string };
    expect(assistant.tool_calls[0]!.id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(tool.tool_call_id).toBe(assistant.tool_calls[0]!.id);
  });

  it("an Anthropic tool call continues on Gemini 3, which requires a thought signature on the call", async () => {
    const history = await callMadeBy("anthropic/claude-sonnet-4-5");
    await continueOn("google/gemini-3-pro-preview", history);
    const body = c.lastBody("google") as { contents: { role: string; parts: Record<string, unknown>[] }[] };
    const call = body.contents[1]!.parts.find((part) => part.functionCall);
    expect(call?.thoughtSignature).toEqual(expect.any(String));
  });

  it("a Gemini 3 tool call continues on Anthropic, its signature kept out of Anthropic's body", async () => {
    const history = await callMadeBy("google/gemini-3-pro-preview");
    const signed = (
      history[1] as { tool_calls: { extra_content?: { google?: { thought_signature?: string } } }[] }
    ).tool_calls[0]!;
    expect(signed.extra_content?.google?.thought_signature).toEqual(expect.any(String));
    await continueOn("anthropic/claude-sonnet-4-5", history);
    const body = c.lastBody("anthropic");
    expect(JSON.stringify(body)).not.toContain("thought_signature");
  });

  it("a Mistral tool call continues on Anthropic and on OpenAI", async () => {
    const history = await callMadeBy("mistral/mistral-small-latest");
    const id = (history[1] as { tool_calls: { id: string }[] }).tool_calls[0]!.id;
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    await continueOn("anthropic/claude-sonnet-4-5", history);
    await continueOn("gpt-4o-mini", history);
    const body = c.lastBody("openai") as { messages: { tool_call_id?: string }[] };
    expect(body.messages[2]!.tool_call_id).toBe(id);
  });

  it("a DeepSeek thinking tool call continues on Anthropic without its reasoning_content", async () => {
    const history = await callMadeBy("deepseek/deepseek-reasoner");
    expect((history[1] as { reasoning_content?: string }).reasoning_content).toEqual(expect.any(String));
    await continueOn("anthropic/claude-sonnet-4-5", history);
    expect(JSON.stringify(c.lastBody("anthropic"))).not.toContain("reasoning_content");
  });
});
