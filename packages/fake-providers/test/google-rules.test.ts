import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeProvider, geminiQuotaError, startFakeProvider } from "../src";

/** The Gemini fake refuses what the Gemini API refuses, in its words (see src/google-rules.ts for sources). */

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider("google");
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function generate(model: string, body: Record<string, unknown>, stream = false) {
  const method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
  const res = await fetch(`${fake.url}/v1beta/models/${model}:${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": "test-key" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (stream) {
    const events = text
      .split("\r\n\r\n")
      .filter((chunk) => chunk.startsWith("data: "))
      .map((chunk) => JSON.parse(chunk.slice(6)) as Record<string, unknown>);
    return { status: res.status, json: undefined as unknown as Record<string, any>, events };
  }
  return { status: res.status, json: JSON.parse(text) as Record<string, any>, events: [] };
}

const user = (text: string) => ({ role: "user", parts: [{ text }] });
const declare = (declaration: Record<string, unknown>) => ({
  contents: [user("hi")],
  tools: [{ functionDeclarations: [{ name: "lookup", ...declaration }] }],
});

describe("functionDeclarations[].parameters takes only the OpenAPI Schema subset", () => {
  it.each([
    ["additionalProperties", { type: "object", additionalProperties: false }],
    ["$schema", { type: "object", $schema: "http://json-schema.org/draft-07/schema#" }],
    ["$defs", { type: "object", $defs: { a: { type: "string" } } }],
    ["const", { type: "string", const: "x" }],
    ["oneOf", { oneOf: [{ type: "string" }] }],
  ])("refuses %s", async (key, parameters) => {
    const { status, json } = await generate("gemini-2.5-flash", declare({ parameters }));
    expect(status).toBe(400);
    const description = `Invalid JSON payload received. Unknown name "${key}" at 'tools[0].function_declarations[0].parameters': Cannot find field.`;
    expect(json.error).toEqual({
      code: 400,
      message: description,
      status: "INVALID_ARGUMENT",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.BadRequest",
          fieldViolations: [{ field: "tools[0].function_declarations[0].parameters", description }],
        },
      ],
    });
  });

  it("names nested fields as the API does and lists every violation", async () => {
    const parameters = {
      type: "object",
      properties: {
        name: { type: "string" },
        tags: { type: ["array", "null"], items: { $ref: "#/$defs/tag" } },
      },
    };
    const { status, json } = await generate("gemini-2.5-flash", declare({ parameters }));
    expect(status).toBe(400);
    expect(json.error.message).toBe(
      [
        `Invalid JSON payload received. Unknown name "type" at 'tools[0].function_declarations[0].parameters.properties[1].value': Proto field is not repeating, cannot start list.`,
        `Invalid JSON payload received. Unknown name "$ref" at 'tools[0].function_declarations[0].parameters.properties[1].value.items': Cannot find field.`,
      ].join("\n"),
    );
  });

  it("accepts the Schema subset, lowercase types included", async () => {
    const parameters = {
      type: "object",
      properties: { city: { type: "string", enum: ["Oslo"], nullable: true } },
      required: ["city"],
    };
    expect((await generate("gemini-2.5-flash", declare({ parameters }))).status).toBe(200);
  });

  it("takes JSON Schema in parametersJsonSchema, but not both fields at once", async () => {
    const parametersJsonSchema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { tag: { $ref: "#/$defs/tag" }, kind: { const: "a" }, n: { type: ["integer", "null"] } },
      $defs: { tag: { type: "string" } },
      additionalProperties: false,
      required: ["tag", "kind", "n"],
    };
    expect((await generate("gemini-2.5-flash", declare({ parametersJsonSchema }))).status).toBe(200);
    const both = await generate(
      "gemini-2.5-flash",
      declare({ parametersJsonSchema, parameters: { type: "object" } }),
    );
    expect(both.status).toBe(400);
    expect(both.json.error.message).toContain("parameters and parameters_json_schema are mutually exclusive");
  });
});

describe("structured output", () => {
  it("refuses JSON Schema keywords in responseSchema and accepts them in responseJsonSchema", async () => {
    const schema = { $schema: "x", type: "object" };
    const refused = await generate("gemini-2.5-flash", {
      contents: [user("hi")],
      generationConfig: { responseMimeType: "application/json", responseSchema: schema },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toBe(
      `Invalid JSON payload received. Unknown name "$schema" at 'generation_config.response_schema': Cannot find field.`,
    );
    const accepted = await generate("gemini-2.5-flash", {
      contents: [user("hi")],
      generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema },
    });
    expect(accepted.status).toBe(200);
  });

  it("needs responseMimeType application/json with a schema, and only one schema field", async () => {
    const noMime = await generate("gemini-2.5-flash", {
      contents: [user("hi")],
      generationConfig: { responseJsonSchema: { type: "object" } },
    });
    expect(noMime.status).toBe(400);
    const both = await generate("gemini-2.5-flash", {
      contents: [user("hi")],
      generationConfig: {
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object" },
        responseSchema: { type: "object" },
      },
    });
    expect(both.status).toBe(400);
  });
});

describe("thinkingConfig", () => {
  const ask = (model: string, thinkingConfig: Record<string, unknown>) =>
    generate(model, { contents: [user("hi")], generationConfig: { thinkingConfig } });

  it.each([
    [
      "gemini-3-pro-preview",
      { thinkingLevel: "low", thinkingBudget: 1024 },
      "You can only set only one of thinking budget and thinking level.",
    ],
    ["gemini-2.5-flash", { thinkingLevel: "low" }, "Thinking level is not supported for this model."],
    [
      "gemini-3-pro-preview",
      { thinkingLevel: "medium" },
      "Thinking level MEDIUM is not supported for this model. Please retry with other thinking level.",
    ],
    [
      "gemini-3.1-pro-preview",
      { thinkingLevel: "MINIMAL" },
      "Thinking level MINIMAL is not supported for this model. Please retry with other thinking level.",
    ],
    ["gemini-2.5-pro", { thinkingBudget: 0 }, "Budget 0 is invalid. This model only works in thinking mode."],
    [
      "gemini-2.5-pro",
      { thinkingBudget: 64 },
      "The thinking budget 64 is invalid. Please choose a value between 128 and 32768.",
    ],
  ])("%s refuses %j", async (model, config, message) => {
    const { status, json } = await ask(model, config);
    expect(status).toBe(400);
    expect(json.error).toEqual({ code: 400, message, status: "INVALID_ARGUMENT" });
  });

  it.each([
    ["gemini-3-flash-preview", { thinkingLevel: "minimal" }],
    ["gemini-3.1-pro-preview", { thinkingLevel: "medium" }],
    ["gemini-3-pro-preview", { thinkingBudget: 2048 }],
    ["gemini-2.5-flash", { thinkingBudget: 0 }],
    ["gemini-2.5-pro", { thinkingBudget: -1 }],
  ])("%s accepts %j", async (model, config) => {
    expect((await ask(model, config)).status).toBe(200);
  });

  it("answers a thought summary part first when includeThoughts is set, streamed or not", async () => {
    const config = {
      contents: [user("hi")],
      generationConfig: { thinkingConfig: { includeThoughts: true } },
    };
    const { json } = await generate("gemini-2.5-flash", config);
    const parts = json.candidates[0].content.parts;
    expect(parts[0]).toMatchObject({ thought: true, text: expect.stringContaining("considered") });
    expect(parts[1]).toEqual({ text: "Hello from the fake provider." });
    const { events } = await generate("gemini-2.5-flash", config, true);
    expect((events[0] as any).candidates[0].content.parts[0].thought).toBe(true);
    const plain = await generate("gemini-2.5-flash", { contents: [user("hi")] });
    expect(plain.json.candidates[0].content.parts).toEqual([{ text: "Hello from the fake provider." }]);
  });
});

describe("turn structure", () => {
  const call = {
    role: "model",
    parts: [{ functionCall: { name: "a", args: {} } }, { functionCall: { name: "b", args: {} } }],
  };
  const responses = (n: number) => ({
    role: "user",
    parts: Array.from({ length: n }, (_, i) => ({
      functionResponse: { name: i === 0 ? "a" : "b", response: {} },
    })),
  });
  it.each([
    [
      "an empty parts list",
      [user("hi"), { role: "model", parts: [] }],
      "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n",
    ],
    [
      "a call not after a user turn",
      [call, responses(2)],
      "Please ensure that function call turn comes immediately after a user turn or after a function response turn.",
    ],
    [
      "responses not after a call",
      [user("hi"), responses(1)],
      "Please ensure that function response turn comes immediately after a function call turn.",
    ],
    [
      "fewer responses than calls",
      [user("hi"), call, responses(1)],
      "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.",
    ],
  ])("refuses %s", async (_, contents, message) => {
    const { status, json } = await generate("gemini-2.5-flash", { contents });
    expect(status).toBe(400);
    expect(json.error).toEqual({ code: 400, message, status: "INVALID_ARGUMENT" });
  });

  it("accepts a call answered by as many responses", async () => {
    expect((await generate("gemini-2.5-flash", { contents: [user("hi"), call, responses(2)] })).status).toBe(
      200,
    );
  });
});

describe("sampling fields", () => {
  const ask = (model: string, generationConfig: Record<string, unknown>) =>
    generate(model, { contents: [user("hi")], generationConfig });

  it("refuses a non-zero penalty after Gemini 2.0, in the API's words", async () => {
    const refused = await ask("gemini-2.5-flash", { presencePenalty: 0.2 });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toEqual({
      code: 400,
      message: "Penalty is not enabled for models/gemini-2.5-flash",
      status: "INVALID_ARGUMENT",
    });
    expect((await ask("gemini-3-pro-preview", { frequencyPenalty: 0.5 })).status).toBe(400);
    expect((await ask("gemini-2.5-flash", { presencePenalty: 0, frequencyPenalty: 0 })).status).toBe(200);
    expect((await ask("gemini-2.0-flash", { presencePenalty: 0.2 })).status).toBe(200);
  });

  it("takes up to 5 stop sequences", async () => {
    expect((await ask("gemini-2.5-flash", { stopSequences: ["a", "b", "c", "d", "e"] })).status).toBe(200);
    expect((await ask("gemini-2.5-flash", { stopSequences: ["a", "b", "c", "d", "e", "f"] })).status).toBe(
      400,
    );
  });
});

describe("Gemini 3 thought signatures", () => {
  const model = "gemini-3-pro-preview";
  const tools = [{ functionDeclarations: [{ name: "weather" }, { name: "time" }] }];
  const ask = { contents: [user('TOOLCALL weather {"city":"Oslo"}\nTOOLCALL time')], tools };

  it("signs the first function call of a step only, streamed or not", async () => {
    const { json } = await generate(model, ask);
    const parts = json.candidates[0].content.parts;
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatchObject({ functionCall: { name: "weather", args: { city: "Oslo" } } });
    expect(typeof parts[0].thoughtSignature).toBe("string");
    expect(parts[1].thoughtSignature).toBeUndefined();
    const { events } = await generate(model, ask, true);
    const streamed = events.flatMap((event: any) => event.candidates[0].content?.parts ?? []);
    const calls = streamed.filter((part: any) => part.functionCall);
    expect(calls.map((part: any) => typeof part.thoughtSignature)).toEqual(["string", "undefined"]);
    // One chunk carries the whole step.
    expect(
      events.filter((event: any) => event.candidates[0].content?.parts?.some((p: any) => p.functionCall)),
    ).toHaveLength(1);
  });

  it("does not sign on Gemini 2.5", async () => {
    const { json } = await generate("gemini-2.5-flash", ask);
    expect(json.candidates[0].content.parts[0].thoughtSignature).toBeUndefined();
  });

  const followUp = (first: Record<string, unknown>, history: unknown[] = []) => ({
    contents: [
      ...history,
      ask.contents[0],
      { role: "model", parts: [first, { functionCall: { name: "time", args: {} } }] },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "weather", response: { temp: 9 } } },
          { functionResponse: { name: "time", response: { now: "noon" } } },
        ],
      },
    ],
    tools,
  });

  it("refuses a follow-up whose step lacks the signature, and takes it back or a documented dummy", async () => {
    const { json } = await generate(model, ask);
    const signed = json.candidates[0].content.parts[0];
    expect((await generate(model, followUp(signed))).status).toBe(200);
    const { thoughtSignature: _, ...unsigned } = signed;
    const refused = await generate(model, followUp(unsigned));
    expect(refused.status).toBe(400);
    expect(refused.json.error).toEqual({
      code: 400,
      message:
        "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:weather` , position 2. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.",
      status: "INVALID_ARGUMENT",
    });
    for (const dummy of ["skip_thought_signature_validator", "context_engineering_is_the_way_to_go"]) {
      expect((await generate(model, followUp({ ...unsigned, thoughtSignature: dummy }))).status).toBe(200);
    }
    const corrupted = await generate(
      model,
      followUp({ ...unsigned, thoughtSignature: "bm90LWEtc2lnbmF0dXJl" }),
    );
    expect(corrupted.status).toBe(400);
    expect(corrupted.json.error.message).toBe("Corrupted thought signature.");
    // Gemini 2.5 does not enforce signatures.
    expect((await generate("gemini-2.5-flash", followUp(unsigned))).status).toBe(200);
  });

  it("validates the current turn only: an unsigned call before the last user text passes", async () => {
    const old = [
      user("earlier"),
      { role: "model", parts: [{ functionCall: { name: "time", args: {} } }] },
      { role: "user", parts: [{ functionResponse: { name: "time", response: { now: "dawn" } } }] },
      { role: "model", parts: [{ text: "It is dawn." }] },
    ];
    const { json } = await generate(model, ask);
    expect((await generate(model, followUp(json.candidates[0].content.parts[0], old))).status).toBe(200);
  });
});

describe("queued answers", () => {
  it("sends a quota 429 with its RetryInfo", async () => {
    fake.enqueue({ type: "error", status: 429, body: geminiQuotaError("7s") });
    const { status, json } = await generate("gemini-2.5-flash", { contents: [user("hi")] });
    expect(status).toBe(429);
    expect(json.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(json.error.details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "7s",
    });
  });

  it.each(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "SAFETY", "LANGUAGE"])(
    "ends with %s, no content, usage still reported",
    async (reason) => {
      fake.enqueue({ type: "success", finishReason: reason }, { type: "success", finishReason: reason });
      const { json } = await generate("gemini-2.5-flash", { contents: [user("hi")] });
      expect(json.candidates[0].content).toBeUndefined();
      expect(json.candidates[0].finishReason).toBe(reason);
      expect(json.usageMetadata.promptTokenCount).toBe(12);
      const { events } = await generate("gemini-2.5-flash", { contents: [user("hi")] }, true);
      const last = events.at(-1) as any;
      expect(last.candidates[0]).toMatchObject({ finishReason: reason });
      expect(last.candidates[0].content).toBeUndefined();
      expect(last.usageMetadata.candidatesTokenCount).toBe(34);
    },
  );
});
