export { DEFAULT_FAKE_CHUNKS, DEFAULT_FAKE_USAGE, startFakeProvider } from "./server";
export type {
  FakeBehavior,
  FakeProvider,
  FakeProviderId,
  FakeProviderOptions,
  FakeToolCall,
  FakeUsage,
  RecordedRequest,
} from "./types";

export const FAKE_PROVIDER_IDS = ["openai", "anthropic", "google", "deepseek", "mistral"] as const;
export { FAKE_THOUGHT_SUMMARY } from "./google";
export { DUMMY_THOUGHT_SIGNATURES, geminiQuotaError } from "./google-rules";
