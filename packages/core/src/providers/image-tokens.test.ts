import { describe, expect, it } from "vitest";
import { imageSizeOfDataUrl } from "./image-size";
import { GENERIC_IMAGE_TOKENS, imageTokens } from "./image-tokens";

/** A PNG's first bytes (signature + IHDR) for a width x height image: all the estimate reads. */
function pngDataUrl(width: number, height: number): string {
  const b = Buffer.alloc(33);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return `data:image/png;base64,${b.toString("base64")}`;
}

/** A JPEG with an APP0 segment before its SOF0 frame header. */
function jpegDataUrl(width: number, height: number): string {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 255, width >> 8, width & 255, 3]);
  return `data:image/jpeg;base64,${Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(16)]).toString("base64")}`;
}

function gifDataUrl(width: number, height: number): string {
  const b = Buffer.alloc(13);
  b.write("GIF89a", 0, "latin1");
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return `data:image/gif;base64,${b.toString("base64")}`;
}

const URL = "https://example.com/cat.png";

describe("imageSizeOfDataUrl", () => {
  it("reads PNG, JPEG and GIF sizes from their headers", () => {
    expect(imageSizeOfDataUrl(pngDataUrl(1024, 768))).toEqual([1024, 768]);
    expect(imageSizeOfDataUrl(jpegDataUrl(640, 480))).toEqual([640, 480]);
    expect(imageSizeOfDataUrl(gifDataUrl(300, 200))).toEqual([300, 200]);
  });

  it("gives up on anything else", () => {
    expect(imageSizeOfDataUrl("data:image/png;base64,AAAA")).toBeUndefined();
    expect(imageSizeOfDataUrl("data:text/plain,hello")).toBeUndefined();
    expect(imageSizeOfDataUrl("data:image/png;base64,")).toBeUndefined();
  });
});

describe("imageTokens at each provider's rule", () => {
  it("OpenAI tile models: 85 + 170 per 512px tile after the 2048/768 resizing; low detail 85", () => {
    const target = { provider: "openai", model: "gpt-4o" };
    // OpenAI's worked examples: 1024x1024 high = 765; 2048x4096 high = 1105; any low = 85.
    expect(imageTokens(pngDataUrl(1024, 1024), "high", target)).toBe(765);
    expect(imageTokens(pngDataUrl(2048, 4096), "high", target)).toBe(1105);
    expect(imageTokens(pngDataUrl(4096, 4096), "low", target)).toBe(85);
    // Unknown size: the most tiles any image can keep (768x2048 -> 8 tiles).
    expect(imageTokens(URL, "auto", target)).toBe(85 + 170 * 8);
  });

  it("OpenAI gpt-4o-mini bills the same tiles at 2833 + 5667 each", () => {
    const target = { provider: "openai", model: "gpt-4o-mini" };
    expect(imageTokens(pngDataUrl(1024, 1024), "high", target)).toBe(2833 + 5667 * 4);
    expect(imageTokens(URL, undefined, target)).toBe(2833 + 5667 * 8);
  });

  it("OpenAI patch models: 32px patches capped at 1536, times the model's multiplier", () => {
    const nano = { provider: "openai", model: "gpt-4.1-nano" };
    expect(imageTokens(pngDataUrl(320, 320), "high", nano)).toBe(Math.ceil(100 * 2.46));
    expect(imageTokens(pngDataUrl(4000, 4000), "low", nano)).toBeLessThanOrEqual(Math.ceil(1536 * 2.46));
    expect(imageTokens(URL, undefined, nano)).toBeGreaterThan(1400 * 2.46);
  });

  it("Anthropic: width x height / 750, up to its largest image", () => {
    const target = { provider: "anthropic", model: "claude-sonnet-4-5" };
    expect(imageTokens(pngDataUrl(1000, 750), undefined, target)).toBe(1000);
    expect(imageTokens(pngDataUrl(8000, 8000), undefined, target)).toBe(4784);
    expect(imageTokens(URL, undefined, target)).toBe(4784);
  });

  it("Gemini: 258 per 768px tile (one tile up to 384px), never below Gemini 3's 1120 at high", () => {
    const target = { provider: "google", model: "gemini-2.5-flash" };
    expect(imageTokens(pngDataUrl(300, 300), undefined, target)).toBe(1120);
    expect(imageTokens(pngDataUrl(3072, 3072), undefined, target)).toBe(16 * 258);
    expect(imageTokens(pngDataUrl(6144, 6144), undefined, target)).toBe(16 * 258);
    expect(imageTokens(URL, undefined, target)).toBe(16 * 258);
  });

  it("Mistral: 16px patches plus a break per row, at most 1024x1024", () => {
    const target = { provider: "mistral", model: "pixtral-large-latest" };
    expect(imageTokens(pngDataUrl(160, 32), undefined, target)).toBe(10 * 2 + 2);
    expect(imageTokens(URL, undefined, target)).toBe(64 * 64 + 64);
  });

  it("a provider without a rule gets the generic bound", () => {
    expect(imageTokens(URL, undefined, { provider: "deepseek", model: "deepseek-chat" })).toBe(
      GENERIC_IMAGE_TOKENS,
    );
  });
});
