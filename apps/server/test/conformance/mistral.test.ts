import { testBackends } from "@llmg/db/testing";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Conformance, startConformance } from "./support";

/**
 * Mistral through the gateway, against the strict fake (unknown fields refused with 422, tool-call
 * ids other than 9 alphanumerics refused): /v1 with the official openai package and POST
 * /api/chat/completions, asserting the exact body Mistral receives and the exact cost. The fake
 * answers 12 prompt and 34 completion tokens unless told otherwise.
 */

type Message = OpenAI.ChatCompletionMessageParam;
type Chunk = OpenAI.ChatCompletionChunk;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "retrieve_payment_status",
      parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    },
  },
];
const ASK = 'TOOLCALL retrieve_payment_status {"id":"T1001"}';
const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;

describe("mistral conformance", () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(testBackends()[0]!);
  });
  afterAll(async () => {
    await c?.close();
  });
  afterEach(() => c.fake("mistral").reset());

  async function row(id: string) {
    return c.f.t.database.db
      .selectFrom("requests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  }

  async function stream(params: Omit<OpenAI.ChatCompletionCreateParamsStreaming, "stream">) {
    const { data, response } = await c.openai.chat.completions
      .create({ ...params, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks: Chunk[] = [];
    for await (const chunk of data) chunks.push(chunk);
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for (const call of deltas.flatMap((delta) => delta.tool_calls ?? [])) {
      const seen = calls.get(call.index) ?? { id: "", name: "", arguments: "" };
      seen.id ||= call.id ?? "";
      seen.name ||= call.function?.name ?? "";
      seen.arguments += call.function?.arguments ?? "";
      calls.set(call.index, seen);
    }
    return {
      response,
      text: deltas.map((delta) => delta.content ?? "").join(""),
      calls: [...calls.values()],
      usage: chunks.at(-1)?.usage as (OpenAI.CompletionUsage & { cost_usd?: string }) | undefined,
      finish: chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason,
    };
  }

  it("answers a plain call on /v1 with only the fields Mistral knows", async () => {
    const { data, response } = await c.openai.chat.completions
      .create({
        model: "mistral/mistral-small-latest",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi", name: "ann" },
        ],
        max_completion_tokens: 64,
        seed: 9,
        user: "u-1",
        prompt_cache_key: "conv-1",
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from the fake provider.");
    expect(c.lastBody("mistral")).toEqual({
      model: "mistral-small-latest",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 64,
      random_seed: 9,
      prompt_cache_key: "conv-1",
    });
    expect(response.headers.get("x-llmg-adjusted-params")).toBe("user=dropped");
    // 12 × 0.00000006 + 34 × 0.00000018
    expect(response.headers.get("x-llmg-cost-usd")).toBe("0.00000684");
  });

  it("streams on /v1 without stream_options, usage from the last chunk", async () => {
    const result = await stream({
      model: "mistral/mistral-large-latest",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(result.text).toBe("Hello from the fake provider.");
    expect(c.lastBody("mistral")).toEqual({
      model: "mistral-large-latest",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    // 12 × 0.0000005 + 34 × 0.0000015
    expect(result.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 34, cost_usd: "0.000057" });
  });

  it.each([false, true])(
    "runs a two-step tool loop on /v1 with Mistral's own ids (streamed: %s)",
    async (streamed) => {
      const model = "mistral/mistral-small-latest";
      const first: Message[] = [{ role: "user", content: ASK }];
      let call: { id: string; name: string; arguments: string };
      if (streamed) {
        const result = await stream({ model, messages: first, tools: TOOLS });
        expect(result.finish).toBe("tool_calls");
        expect(result.calls).toHaveLength(1);
        call = result.calls[0]!;
      } else {
        const data = await c.openai.chat.completions.create({ model, messages: first, tools: TOOLS });
        expect(data.choices[0]?.finish_reason).toBe("tool_calls");
        const made = data.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
        call = { id: made.id, ...made.function };
      }
      expect(call.id).toMatch(MISTRAL_ID);
      expect(call).toMatchObject({ name: "retrieve_payment_status", arguments: '{"id":"T1001"}' });
      const { data, response } = await c.openai.chat.completions
        .create({
          model,
          messages: [
            ...first,
            {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } },
              ],
            },
            { role: "tool", tool_call_id: call.id, content: "Paid" },
          ],
          tools: TOOLS,
        })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe("Tool result: Paid");
      expect(c.lastBody("mistral")).toEqual({
        model: "mistral-small-latest",
        messages: [
          { role: "user", content: ASK },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } },
            ],
          },
          { role: "tool", content: "Paid", tool_call_id: call.id },
        ],
        tools: TOOLS,
      });
      expect(response.headers.get("x-llmg-cost-usd")).toBe("0.00000684");
    },
  );

  it("continues on Mistral a tool call made with OpenAI and Anthropic ids", async () => {
    const messages = [
      { role: "user", content: ASK },
      {
        role: "assistant",
        content: null,
        reasoning_content: "from another provider",
        tool_calls: [
          {
            id: "call_PTLP8xhu3uwZk4l3nlnrrJha",
            type: "function",
            function: { name: "retrieve_payment_status", arguments: '{"id":"T1"}' },
          },
          {
            id: "toolu_01A09q90qw90lq917835lq9",
            type: "function",
            function: { name: "retrieve_payment_status", arguments: '{"id":"T2"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_PTLP8xhu3uwZk4l3nlnrrJha", content: "Paid" },
      { role: "tool", tool_call_id: "toolu_01A09q90qw90lq917835lq9", content: "Pending" },
    ] as Message[];
    const send = () =>
      c.openai.chat.completions.create({ model: "mistral/mistral-small-latest", messages, tools: TOOLS });
    const data = await send();
    expect(data.choices[0]?.message.content).toBe("Tool result: Paid; Pending");
    const sent = c.lastBody("mistral").messages as { tool_calls?: { id: string }[] }[];
    const [a, b] = sent[1]!.tool_calls!.map((call) => call.id);
    expect(a).toMatch(MISTRAL_ID);
    expect(b).toMatch(MISTRAL_ID);
    expect(a).not.toBe(b);
    expect(c.lastBody("mistral").messages).toEqual([
      { role: "user", content: ASK },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: a,
            type: "function",
            function: { name: "retrieve_payment_status", arguments: '{"id":"T1"}' },
          },
          {
            id: b,
            type: "function",
            function: { name: "retrieve_payment_status", arguments: '{"id":"T2"}' },
          },
        ],
      },
      { role: "tool", content: "Paid", tool_call_id: a },
      { role: "tool", content: "Pending", tool_call_id: b },
    ]);
    // The next turn of the same conversation maps the ids the same way.
    await send();
    expect(
      (c.lastBody("mistral").messages as { tool_calls?: { id: string }[] }[])[1]!.tool_calls!.map(
        (call) => call.id,
      ),
    ).toEqual([a, b]);
  });

  it("asks for JSON output with the schema", async () => {
    c.fake("mistral").enqueue({ type: "success", content: '{"ok":true}' });
    const format = {
      type: "json_schema" as const,
      json_schema: {
        name: "r",
        schema: { type: "object", properties: { ok: { type: "boolean" } } },
        strict: true,
      },
    };
    const data = await c.openai.chat.completions.create({
      model: "mistral/mistral-small-latest",
      messages: [{ role: "user", content: "Answer in JSON" }],
      response_format: format,
    });
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ ok: true });
    expect(c.lastBody("mistral")).toEqual({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Answer in JSON" }],
      response_format: format,
    });
  });

  it("sends reasoning_effort to a reasoning model", async () => {
    await c.openai.chat.completions.create({
      model: "mistral/magistral-small-latest",
      messages: [{ role: "user", content: "Think." }],
      reasoning_effort: "high",
    });
    expect(c.lastBody("mistral")).toEqual({
      model: "magistral-small-latest",
      messages: [{ role: "user", content: "Think." }],
      reasoning_effort: "high",
    });
  });

  it("fails finish_reason error with a 502 and charges what Mistral billed (/v1 and /api)", async () => {
    const fake = c.fake("mistral");
    fake.enqueue({ type: "success", finishReason: "error", usage: { prompt: 100, completion: 20 } });
    const error = await c.openai.chat.completions
      .create({ model: "mistral/mistral-small-latest", messages: [{ role: "user", content: "Hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const requestId = (error as InstanceType<typeof OpenAI.APIError>).headers?.get("x-llmg-request-id");
    // 100 × 0.00000006 + 20 × 0.00000018
    expect((await row(requestId!)).total_cost.replace(/0+$/, "")).toBe("0.0000096");

    fake.enqueue({ type: "success", finishReason: "error", usage: { prompt: 100, completion: 20 } });
    const res = await c.api({
      provider: "mistral",
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ success: false, error: "provider_error" });
    expect((await row(res.headers.get("x-llmg-request-id")!)).total_cost.replace(/0+$/, "")).toBe(
      "0.0000096",
    );
  });

  it("fails a stream ending in finish_reason error and charges its usage", async () => {
    c.fake("mistral").enqueue({
      type: "stream",
      finishReason: "error",
      usage: { prompt: 100, completion: 20 },
    });
    const { data, response } = await c.openai.chat.completions
      .create({
        model: "mistral/mistral-small-latest",
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
      })
      .withResponse();
    const failure = await (async () => {
      for await (const _chunk of data) {
        // read to the end
      }
    })().catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const requestId = response.headers.get("x-llmg-request-id")!;
    const r = await row(requestId);
    expect(r).toMatchObject({ status: "error", prompt_tokens: 100, completion_tokens: 20 });
    expect(r.total_cost.replace(/0+$/, "")).toBe("0.0000096");
  });

  it("shows a 422 whose message is an object as a readable error", async () => {
    c.fake("mistral").enqueue({
      type: "error",
      status: 422,
      body: {
        object: "error",
        message: {
          detail: [
            { type: "extra_forbidden", loc: ["body", "n"], msg: "Extra inputs are not permitted", input: 2 },
          ],
        },
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    const res = await c.api({
      provider: "mistral",
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe("mistral: body.n: Extra inputs are not permitted");
  });

  it("runs the tool loop on POST /api/chat/completions with a foreign id", async () => {
    const base = { provider: "mistral", model: "mistral-large-latest", tools: TOOLS };
    const first = await c.api({ ...base, messages: [{ role: "user", content: ASK }] });
    expect(first.status).toBe(200);
    const [call] = first.body.tool_calls;
    expect(call.id).toMatch(MISTRAL_ID);
    // 12 × 0.0000005 + 34 × 0.0000015
    expect(first.body.cost.total_cost_exact).toBe("0.000057");
    const second = await c.api({
      ...base,
      messages: [
        { role: "user", content: ASK },
        { role: "assistant", content: null, tool_calls: [call, { ...call, id: "call_openai_1" }] },
        { role: "tool", tool_call_id: call.id, content: "Paid" },
        { role: "tool", tool_call_id: "call_openai_1", content: "Paid too" },
      ],
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      content: "Tool result: Paid; Paid too",
      cost: { total_cost_exact: "0.000057" },
    });
    const sent = c.lastBody("mistral").messages as { tool_calls?: { id: string }[] }[];
    const mapped = sent[1]!.tool_calls![1]!.id;
    expect(mapped).toMatch(MISTRAL_ID);
    expect(c.lastBody("mistral")).toEqual({
      model: "mistral-large-latest",
      messages: [
        { role: "user", content: ASK },
        { role: "assistant", content: null, tool_calls: [call, { ...call, id: mapped }] },
        { role: "tool", content: "Paid", tool_call_id: call.id },
        { role: "tool", content: "Paid too", tool_call_id: mapped },
      ],
      tools: TOOLS,
    });
  });
});
