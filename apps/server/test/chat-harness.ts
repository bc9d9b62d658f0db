import type { DbKind } from "@llmg/db";
import {
  FAKE_PROVIDER_IDS,
  type FakeProvider,
  type FakeProviderId,
  startFakeProvider,
} from "@llmg/fake-providers";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

export const FAKE_KEY = "test-provider-key-0123456789";

export interface ChatFixture {
  t: TestGateway;
  fakes: Record<FakeProviderId, FakeProvider>;
  user: Awaited<ReturnType<typeof createUserWithKey>>;
  close(): Promise<void>;
}

/** A gateway whose five providers are fakes, and a user with a credential for each. */
export async function startChatFixture(
  kind: DbKind,
  env: Record<string, string> = {},
  options: { logLines?: string[]; redis?: boolean } = {},
): Promise<ChatFixture> {
  const entries = await Promise.all(
    FAKE_PROVIDER_IDS.map(async (id) => [id, await startFakeProvider(id, { apiKey: FAKE_KEY })] as const),
  );
  const fakes = Object.fromEntries(entries) as Record<FakeProviderId, FakeProvider>;
  const baseUrls = Object.fromEntries(
    FAKE_PROVIDER_IDS.map((id) => [`LLMG_${id.toUpperCase()}_BASE_URL`, fakes[id].url]),
  );
  const t = await startTestGateway(kind, {
    env: {
      LLMG_PROVIDER_MAX_RETRIES: "2",
      LLMG_PROVIDER_TIMEOUT_MS: "1500",
      // Fault tests make one provider fail many times in a row on purpose: its circuit must not
      // open under them (circuits are tested in credential-routing.test.ts).
      LLMG_BREAKER_FAILURES: "1000",
      ...baseUrls,
      ...env,
    },
    ...(options.logLines ? { logLines: options.logLines } : {}),
    ...(options.redis ? { redis: true } : {}),
  });
  const user = await createUserWithKey(t);
  for (const provider of FAKE_PROVIDER_IDS) {
    const res = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: { provider, name: "fake", api_key: FAKE_KEY },
    });
    if (res.status !== 201) throw new Error(`credential ${provider}: ${JSON.stringify(res.body)}`);
  }
  return {
    t,
    fakes,
    user,
    async close() {
      await t.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
    },
  };
}

/** Reads an SSE response into its `data:` payloads (JSON parsed, `[DONE]` kept as a string). */
export async function readSse(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data: "))
    .map((block) => {
      const data = block.slice("data: ".length);
      return data === "[DONE]" ? data : JSON.parse(data);
    });
}
