import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../errors";
import { GeneratedText } from "../generated-text";
import { getAdapter } from "../registry";
import { chatRequest, collect, collectUntilError, rejectionOf, testContext, waitFor } from "../test-support";
import { preloadTokenizer } from "../tokenizer";
import { estimateTokens, TOKENIZE_LIMIT_CHARS } from "../tokens";
import type { CallContext } from "../types";
import { closeAllPools } from "./pool";

/** Caps on what a provider can make us read, and the stream deadlines, end to end over HTTP. */

const openai = getAdapter("openai");
const anthropic = getAdapter("anthropic");
let fake: FakeProvider;
let claude: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("openai");
  claude = await startFakeProvider("anthropic");
  preloadTokenizer();
});
afterAll(async () => {
  await Promise.all([fake.close(), claude.close()]);
  await closeAllPools();
});

const SMALL = { maxResponseBytes: 64 * 1024, maxStreamBytes: 1024 * 1024 };
const req = chatRequest({ model: "gpt-4o-mini" });
const claudeReq = chatRequest({ model: "claude-sonnet-4-5", max_tokens: 100 });

function context(url: string, overrides: Partial<CallContext> = {}): CallContext {
  return testContext(url, {
    limits: SMALL,
    retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    ...overrides,
  });
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("non-streamed bodies", { timeout: 20_000 }, () => {
  it("ends the call with a 502 once the body passes maxResponseBytes, and stops reading", async () => {
    fake.reset();
    fake.enqueue({ type: "hugeBody" });
    const error = await providerError(openai.chat(req, context(fake.url)));
    expect(error.status).toBe(502);
    expect(error.code).toBe("provider_error");
    expect(error.message).toBe("openai response body exceeded 65536 bytes");
    await waitFor(() => fake.requests[0]?.aborted === true);
  });

  it("reads a body just under the cap", async () => {
    fake.reset();
    fake.enqueue({ type: "success", content: "y".repeat(60 * 1024) });
    const result = await openai.chat(req, context(fake.url));
    expect(result.content).toHaveLength(60 * 1024);
  });

  it("refuses a body whose content-length is over the cap without reading it", async () => {
    let written = 0;
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(1024 * 1024) });
      // A slow trickle: only the declared length can end the call quickly.
      const timer = setInterval(() => {
        written += 1;
        res.write(" ");
      }, 50);
      res.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const error = await providerError(openai.chat(req, context(url)));
      expect(error.message).toBe("openai response body exceeded 65536 bytes");
      expect(written).toBeLessThan(5);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reads only the start of an endless error body and keeps its status", async () => {
    fake.reset();
    fake.enqueue({ type: "hugeBody", status: 500 });
    const error = await providerError(openai.chat(req, context(fake.url)));
    expect(error.status).toBe(500);
    expect(error.upstreamStatus).toBe(500);
    expect(error.message.length).toBeLessThanOrEqual(301);
    await waitFor(() => fake.requests[0]?.aborted === true);
  });
});

describe("streams", { timeout: 20_000 }, () => {
  it("ends on a line longer than maxResponseBytes with a 502 and stops reading", async () => {
    fake.reset();
    fake.enqueue({ type: "hugeLine" });
    const { error } = await collectUntilError(openai.chatStream(req, context(fake.url)));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(502);
    expect((error as ProviderError).message).toBe("openai stream event exceeded 65536 characters");
    await waitFor(() => fake.requests[0]?.aborted === true);
  });

  it("ends an endless stream at maxStreamBytes with the usage produced so far", async () => {
    claude.reset();
    claude.enqueue({ type: "endlessStream", text: "tick" });
    const { events, error } = await collectUntilError(anthropic.chatStream(claudeReq, context(claude.url)));
    expect(events.length).toBeGreaterThan(100);
    const failure = error as ProviderError;
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure.status).toBe(502);
    expect(failure.message).toBe("anthropic stream exceeded 1048576 bytes");
    // The prompt side came in message_start; the output side is counted from the deltas seen.
    expect(failure.partialUsage?.estimated).toBe(true);
    expect(failure.partialUsage?.completionTokens).toBeGreaterThanOrEqual(events.length);
    await waitFor(() => claude.requests[0]?.aborted === true);
  });

  it("ends a stream at its absolute deadline however steadily it sends (504)", async () => {
    fake.reset();
    fake.enqueue({ type: "endlessStream", chunkDelayMs: 5 });
    const ctx = context(fake.url, {
      timeouts: { connectMs: 1_000, totalMs: 500, streamMs: 1_200 },
      limits: { maxResponseBytes: 64 * 1024, maxStreamBytes: 1024 ** 3 },
    });
    const { events, error } = await collectUntilError(openai.chatStream(req, ctx));
    expect(events.length).toBeGreaterThan(10);
    const failure = error as ProviderError;
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure.status).toBe(504);
    expect(failure.code).toBe("provider_timeout");
    expect(failure.message).toBe("openai stream did not end within 1200 ms");
    expect(failure.partialUsage?.completionTokens).toBeGreaterThan(0);
  });

  it("does not count a slow consumer's time against the provider's idle timeout", async () => {
    fake.reset();
    fake.enqueue({ type: "stream", chunks: ["a", "b", "c", "d"], chunkDelayMs: 20 });
    const ctx = context(fake.url, { timeouts: { connectMs: 1_000, totalMs: 200 } });
    const slow = async function* () {
      for await (const event of openai.chatStream(req, ctx)) {
        // A client reading slowly holds each event well past the idle timeout.
        await new Promise((resolve) => setTimeout(resolve, 400));
        yield event;
      }
    };
    const { text } = await collect(slow());
    expect(text).toBe("abcd");
  });
});

describe("GeneratedText", () => {
  it("counts like estimateTokens while holding at most TOKENIZE_LIMIT_CHARS", () => {
    for (const [piece, times] of [
      ["hello world ", 10],
      ["héllo 🎉 ", 20_000],
      ["z", TOKENIZE_LIMIT_CHARS + 1],
    ] as const) {
      const generated = new GeneratedText();
      let whole = "";
      for (let i = 0; i < times; i++) {
        generated.append(piece);
        whole += piece;
      }
      expect(generated.tokens()).toBe(estimateTokens(whole));
      const held = (generated as unknown as { text: string | undefined }).text;
      expect((held ?? "").length).toBeLessThanOrEqual(TOKENIZE_LIMIT_CHARS);
    }
  });
});
