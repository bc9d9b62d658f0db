import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, rejectionOf, testContext } from "../test-support";
import { mistralToolCallId } from "./tool-call-id";

const adapter = getAdapter("mistral");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("mistral");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

describe("mistral", () => {
  it("sends only fields Mistral accepts", async () => {
    const req = chatRequest({
      model: "mistral-small-latest",
      messages: [
        { role: "system", content: "Be brief.", name: "sys" },
        { role: "user", content: "Hi", name: "ann" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", content: "ok", tool_call_id: "c1", name: "f" },
      ],
      seed: 11,
      user: "u",
      frequency_penalty: 0.2,
      max_tokens: 64,
    });
    await collect(adapter.chatStream(req, testContext(fake.url)));
    const [recorded] = fake.requests;
    expect(recorded?.path).toBe("/v1/chat/completions");
    expect(recorded?.body).toEqual({
      model: "mistral-small-latest",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: mistralToolCallId("c1"), type: "function", function: { name: "f", arguments: "{}" } },
          ],
        },
        { role: "tool", content: "ok", tool_call_id: mistralToolCallId("c1"), name: "f" },
      ],
      max_tokens: 64,
      frequency_penalty: 0.2,
      random_seed: 11,
      stream: true,
    });
  });

  it("takes stream usage from the last chunk without asking", async () => {
    fake.enqueue({ type: "stream", usage: { prompt: 7, completion: 9 } });
    const { done } = await collect(
      adapter.chatStream(chatRequest({ model: "mistral-small-latest" }), testContext(fake.url)),
    );
    expect(done.usage).toMatchObject({ promptTokens: 7, completionTokens: 9, estimated: false });
  });

  it("parses Mistral's flat {message, request_id} error body", async () => {
    const error = await rejectionOf(
      adapter.chat(
        chatRequest({ model: "mistral-small-latest" }),
        testContext(fake.url, { apiKey: "wrong-key" }),
      ),
    );
    expect(error).toMatchObject({ status: 401, message: "Unauthorized" });
  });

  it("parses Mistral's {object: error} body and validation details", async () => {
    fake.enqueue(
      { type: "error", status: 400, message: "Invalid model: nope", errorType: "invalid_model" },
      {
        type: "error",
        status: 422,
        body: { detail: [{ msg: "Extra inputs are not permitted", loc: ["body", "x"] }] },
      },
    );
    const req = chatRequest({ model: "nope" });
    expect(await rejectionOf(adapter.chat(req, testContext(fake.url)))).toMatchObject({
      status: 400,
      message: "Invalid model: nope",
      providerCode: "invalid_model",
    });
    expect(await rejectionOf(adapter.chat(req, testContext(fake.url)))).toMatchObject({
      status: 422,
      message: "body.x: Extra inputs are not permitted",
    });
  });

  it("maps model_length to length", async () => {
    fake.enqueue({ type: "success", finishReason: "model_length" });
    const result = await adapter.chat(chatRequest({ model: "mistral-small-latest" }), testContext(fake.url));
    expect(result.finishReason).toBe("length");
  });
});
