import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, parseEncryptionKey, secretHint } from "./secret-box";

describe("secret box", () => {
  const box = createSecretBox(randomBytes(32));

  it("round-trips and never contains the plaintext", () => {
    const sealed = box.seal("sk-live-abcdef123456", "cred_1");
    expect(sealed).not.toContain("sk-live");
    expect(sealed.startsWith("v1:")).toBe(true);
    expect(box.open(sealed, "cred_1")).toBe("sk-live-abcdef123456");
    expect(box.seal("same", "a")).not.toBe(box.seal("same", "a")); // fresh IV each time
  });

  it("refuses a ciphertext moved to another row, tampered with, or opened with another key", () => {
    const sealed = box.seal("secret", "cred_1");
    expect(() => box.open(sealed, "cred_2")).toThrow();
    const parts = sealed.split(":");
    const flipped = Buffer.from(parts[3]!, "base64");
    flipped[0]! ^= 1;
    expect(() =>
      box.open([parts[0], parts[1], parts[2], flipped.toString("base64")].join(":"), "cred_1"),
    ).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, "cred_1")).toThrow();
  });

  it("parses 32-byte keys in base64 or hex and rejects anything else", () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString("base64")).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("hex")).equals(key)).toBe(true);
    expect(() => parseEncryptionKey("short")).toThrow(/32 bytes/);
    expect(() => parseEncryptionKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });

  it("hints show the scheme and the last four characters only", () => {
    expect(secretHint("sk-proj-abcdefghijklmnop1234")).toBe("sk-...1234");
    expect(secretHint("AIzaSyExampleKey9876")).toBe("AIz...9876");
    expect(secretHint("short")).toBe("...hort");
  });
});
