import type { ProviderId } from "../provider-ids";
import { imageSizeOfDataUrl } from "./image-size";

/**
 * Prompt tokens one image costs at each provider, for budget reservations. With the image's size
 * known (a data: URL whose header we can read) the provider's documented rule is applied; with it
 * unknown (an http URL the provider fetches itself) the most the rule can give for any size.
 * Over-counting is the safe side: a reservation is settled to the provider's reported usage.
 */

export interface ImageTarget {
  provider: ProviderId | string;
  /** The provider's model id: OpenAI's rules differ per model family. */
  model: string;
}

type Detail = "auto" | "low" | "high" | undefined;

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** Scales (w, h) down, never up, so that it fits inside maxW x maxH. */
function fit(w: number, h: number, maxW: number, maxH: number): [number, number] {
  const scale = Math.min(1, maxW / w, maxH / h);
  return [Math.max(1, Math.floor(w * scale)), Math.max(1, Math.floor(h * scale))];
}

// OpenAI (platform.openai.com/docs/guides/images-vision#calculating-costs):
// - tile models (gpt-4o, gpt-4.1, gpt-4.5, o1, o3, gpt-5): fit in 2048x2048, scale the shortest
//   side to 768, then `base + perTile * 512px tiles` ("low" detail: `base` only). gpt-4o-mini
//   bills the same tiles at 2833 + 5667 per tile. The largest base/tile pair of the tile models
//   (85/170) is used for all of them.
// - patch models (gpt-4.1-mini/nano, o4-mini, gpt-5-mini/nano): 32px patches, at most 1536
//   (the image scaled down to fit), times a per-model multiplier: 1.62 (gpt-4.1-mini),
//   2.46 (gpt-4.1-nano), 1.72 (o4-mini); "detail" has no effect.
const OPENAI_TILE = { base: 85, tile: 170 };
const OPENAI_MINI_TILE = { base: 2833, tile: 5667 };
const OPENAI_PATCH_CAP = 1536;

function openAiTiles(w: number, h: number, detail: Detail, rate: { base: number; tile: number }): number {
  if (detail === "low") return rate.base;
  let [fw, fh] = fit(w, h, 2048, 2048);
  const shortest = Math.min(fw, fh);
  if (shortest > 768) {
    const scale = 768 / shortest;
    fw = Math.floor(fw * scale);
    fh = Math.floor(fh * scale);
  }
  return rate.base + rate.tile * ceilDiv(fw, 512) * ceilDiv(fh, 512);
}

function openAiPatches(w: number, h: number, multiplier: number): number {
  let patches = ceilDiv(w, 32) * ceilDiv(h, 32);
  if (patches > OPENAI_PATCH_CAP) {
    const scale = Math.sqrt((OPENAI_PATCH_CAP * 32 * 32) / (w * h));
    patches = Math.min(
      OPENAI_PATCH_CAP,
      ceilDiv(Math.floor(w * scale), 32) * ceilDiv(Math.floor(h * scale), 32),
    );
  }
  return Math.ceil(patches * multiplier);
}

function patchMultiplier(model: string): number | undefined {
  if (/^(gpt-4\.1-nano|gpt-5(\.\d+)?-nano)/.test(model)) return 2.46;
  if (/^(gpt-4\.1-mini|gpt-5(\.\d+)?-mini|o4-mini|codex-mini)/.test(model)) return 1.72;
  return undefined;
}

function openAiImage(model: string, size: [number, number] | undefined, detail: Detail): number {
  // Unknown size: the shape with the most tiles that survives the resizing (768 x 2048: 2 x 4).
  const [w, h] = size ?? [768, 2048];
  const multiplier = patchMultiplier(model);
  if (multiplier !== undefined) return openAiPatches(size ? w : 1280, size ? h : 1280, multiplier);
  const rate = model.startsWith("gpt-4o-mini") ? OPENAI_MINI_TILE : OPENAI_TILE;
  return openAiTiles(w, h, detail, rate);
}

// Anthropic (docs.claude.com/en/docs/build-with-claude/vision, "Evaluate image size"):
// tokens = width * height / 750, after an image whose long edge exceeds the limit is scaled down.
// The limit was 1568 px (~1,600 tokens); newer models read up to 2576 px (4784 tokens), so the
// larger bound is used for every model.
const ANTHROPIC_MAX_EDGE = 2576;
const ANTHROPIC_MAX_TOKENS = 4784;

function anthropicImage(size: [number, number] | undefined): number {
  if (!size) return ANTHROPIC_MAX_TOKENS;
  const [w, h] = fit(size[0], size[1], ANTHROPIC_MAX_EDGE, ANTHROPIC_MAX_EDGE);
  return Math.min(ANTHROPIC_MAX_TOKENS, Math.ceil((w * h) / 750));
}

// Gemini (ai.google.dev/gemini-api/docs/tokens, "Multimodal tokens"): an image with both sides
// <= 384 px is 258 tokens; a larger one is cropped and scaled into 768x768 tiles of 258 tokens
// each, after being scaled down to at most 3072x3072. Gemini 3 bills by media_resolution
// instead, up to 1120 tokens per image at "high"; the larger of the two rules is used.
const GEMINI_TILE = 258;
const GEMINI_3_HIGH = 1120;

function geminiImage(size: [number, number] | undefined): number {
  const [w, h] = size ? fit(size[0], size[1], 3072, 3072) : [3072, 3072];
  const tiles = w <= 384 && h <= 384 ? 1 : ceilDiv(w, 768) * ceilDiv(h, 768);
  return Math.max(GEMINI_3_HIGH, tiles * GEMINI_TILE);
}

// Mistral (mistral-common's image encoder, mistralai.github.io/mistral-common/usage/images; Pixtral's
// processor config): 16x16 pixel patches, one token each, an [IMG_BREAK] after each row of
// patches (the last one is [IMG_END]), for an image scaled to at most 1024x1024. Newer models
// merge patches (spatial_merge_size 2), so this is their upper bound too.
function mistralImage(size: [number, number] | undefined): number {
  const [w, h] = size ? fit(size[0], size[1], 1024, 1024) : [1024, 1024];
  const rows = ceilDiv(h, 16);
  return ceilDiv(w, 16) * rows + rows;
}

/** For a provider without an image rule of its own (DeepSeek takes no images): the largest per-image bound above except gpt-4o-mini's. */
export const GENERIC_IMAGE_TOKENS = ANTHROPIC_MAX_TOKENS;

/** Prompt tokens of one image part at `target`'s provider. */
export function imageTokens(url: string, detail: Detail, target: ImageTarget | undefined): number {
  if (!target) return GENERIC_IMAGE_TOKENS;
  const size = url.startsWith("data:") ? imageSizeOfDataUrl(url) : undefined;
  switch (target.provider) {
    case "openai":
      return openAiImage(target.model, size, detail);
    case "anthropic":
      return anthropicImage(size);
    case "google":
      return geminiImage(size);
    case "mistral":
      return mistralImage(size);
    default:
      return GENERIC_IMAGE_TOKENS;
  }
}
