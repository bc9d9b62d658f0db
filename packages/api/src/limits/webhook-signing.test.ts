import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from "./webhook-signing";

describe("webhook signatures", () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ id: "alrt_1", type: "budget.threshold_crossed" });

  it("verifies its own signature and nothing else", () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const header = signWebhook(secret, body, 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    const at = { nowSeconds: 1_800_000_010 };
    expect(verifyWebhookSignature(secret, header, body, at)).toBe(true);
    expect(verifyWebhookSignature(secret, header, `${body} `, at)).toBe(false);
    expect(verifyWebhookSignature(generateWebhookSecret(), header, body, at)).toBe(false);
    expect(verifyWebhookSignature(secret, header.replace("t=1800000000", "t=1800000001"), body, at)).toBe(
      false,
    );
    expect(verifyWebhookSignature(secret, undefined, body, at)).toBe(false);
    expect(verifyWebhookSignature(secret, "garbage", body, at)).toBe(false);
  });

  it("refuses a replayed signature older than the tolerance", () => {
    const header = signWebhook(secret, body, 1_800_000_000);
    expect(verifyWebhookSignature(secret, header, body, { nowSeconds: 1_800_000_301 })).toBe(false);
  });
});
