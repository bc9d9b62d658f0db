import { startFakeProvider } from "@llmg/fake-providers";

// The instant upstream runs in its own process so its work is not mixed into the load generator's.
const fake = await startFakeProvider("openai", {
  apiKey: process.env.FAKE_KEY ?? "bench-upstream-key",
  instant: true,
});
process.stdout.write(`FAKE_URL=${fake.url}\n`);
process.on("SIGTERM", () => {
  fake.close().then(() => process.exit(0));
});
