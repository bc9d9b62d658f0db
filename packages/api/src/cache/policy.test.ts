import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { cacheBodySchema, cacheDirectiveFrom } from "./policy";

function refusal(header: string): string | undefined {
  try {
    cacheDirectiveFrom(header, undefined);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    return ((error as ApiError).details as { field: string }[])[0]?.field;
  }
  throw new Error(`accepted ${header}`);
}

describe("response cache directive", () => {
  it("is absent unless the header or the body asks", () => {
    expect(cacheDirectiveFrom(undefined, undefined)).toBeUndefined();
    expect(cacheDirectiveFrom("  ", undefined)).toBeUndefined();
  });

  it("reads ttl=N and no-store, the header winning over the body", () => {
    expect(cacheDirectiveFrom("ttl=3600", undefined)).toEqual({ kind: "store", ttlSeconds: 3600 });
    expect(cacheDirectiveFrom(" TTL = 1 ", undefined)).toEqual({ kind: "store", ttlSeconds: 1 });
    expect(cacheDirectiveFrom("ttl=2592000", undefined)).toEqual({ kind: "store", ttlSeconds: 2_592_000 });
    expect(cacheDirectiveFrom(undefined, { ttl: 60 })).toEqual({ kind: "store", ttlSeconds: 60 });
    expect(cacheDirectiveFrom("no-store", { ttl: 60 })).toEqual({ kind: "no-store" });
    expect(cacheDirectiveFrom("ttl=5", { ttl: 60 })).toEqual({ kind: "store", ttlSeconds: 5 });
  });

  it("refuses anything else with a 400 naming the header", () => {
    for (const bad of [
      "ttl=0",
      "ttl=2592001",
      "ttl=99999999999",
      "ttl=",
      "ttl=1.5",
      "ttl=-1",
      "store",
      "a".repeat(65),
    ]) {
      expect(refusal(bad), bad).toBe("x-llmg-cache");
    }
  });

  it("bounds the body's ttl", () => {
    expect(cacheBodySchema.safeParse({ ttl: 1 }).success).toBe(true);
    for (const bad of [{ ttl: 0 }, { ttl: 2_592_001 }, { ttl: 1.5 }, {}, { ttl: 5, other: 1 }]) {
      expect(cacheBodySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
