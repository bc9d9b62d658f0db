import type { DbKind } from "@llmg/db";
import type { FakeProvider, FakeProviderId } from "@llmg/fake-providers";
import OpenAI from "openai";
import { type ChatFixture, readSse, startChatFixture } from "../chat-harness";
import { call, type JsonResponse } from "../harness";

/**
 * The conformance suite's gateway: five strict fakes, a user with a credential for each, the
 * official `openai` client on /v1 and a caller of POST /api/chat/completions. Scenarios assert
 * the exact body each fake received and the exact cost.
 */
export interface Conformance {
  f: ChatFixture;
  /** The official SDK on /v1, no retries (a retry would hide a refused request). */
  openai: OpenAI;
  /** POST /api/chat/completions with the user's key. */
  api(body: Record<string, unknown>): Promise<JsonResponse>;
  /** POST /api/chat/completions with `stream: true`, read to the end. */
  apiStream(body: Record<string, unknown>): Promise<{ status: number; headers: Headers; events: unknown[] }>;
  fake(provider: FakeProviderId): FakeProvider;
  /** The body of the last request the provider's fake received. */
  lastBody(provider: FakeProviderId): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startConformance(kind: DbKind, env: Record<string, string> = {}): Promise<Conformance> {
  // No provider retries: the first refusal of a strict fake must surface, not be retried away.
  const f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0", ...env });
  const openai = new OpenAI({ baseURL: `${f.t.url}/v1`, apiKey: f.user.key, maxRetries: 0 });
  return {
    f,
    openai,
    api: (body) => call(`${f.t.url}/api/chat/completions`, { key: f.user.key, body }),
    async apiStream(body) {
      const res = await fetch(`${f.t.url}/api/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, stream: true }),
      });
      return { status: res.status, headers: res.headers, events: await readSse(res) };
    },
    fake: (provider) => f.fakes[provider],
    lastBody(provider) {
      const request = f.fakes[provider].requests.at(-1);
      if (!request) throw new Error(`${provider} received no request`);
      return request.body as Record<string, unknown>;
    },
    close: () => f.close(),
  };
}
