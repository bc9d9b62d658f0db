/**
 * Width and height of a base64 `data:` image from its header alone, so the prompt estimate can
 * apply a provider's size-based image rule without decoding the image. PNG, GIF and WebP keep
 * their size at a fixed offset; JPEG's is in the first SOF segment, which follows the metadata
 * segments, so only a bounded prefix is searched. Anything else: undefined (size unknown).
 */

/** Base64 characters decoded at most (48 KiB of image): EXIF blocks before a JPEG's SOF fit. */
const HEADER_CHARS = 64 * 1024;

export function imageSizeOfDataUrl(url: string): [number, number] | undefined {
  const comma = url.indexOf(",");
  if (comma < 0 || !url.slice(0, comma).endsWith(";base64")) return undefined;
  let bytes: Buffer;
  try {
    bytes = Buffer.from(url.slice(comma + 1, comma + 1 + HEADER_CHARS), "base64");
  } catch {
    return undefined;
  }
  const size = pngSize(bytes) ?? gifSize(bytes) ?? webpSize(bytes) ?? jpegSize(bytes);
  return size && size[0] > 0 && size[1] > 0 ? size : undefined;
}

function pngSize(b: Buffer): [number, number] | undefined {
  // Signature, then the IHDR chunk: length (4), "IHDR", width (4), height (4).
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString("latin1", 12, 16) !== "IHDR")
    return undefined;
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

function gifSize(b: Buffer): [number, number] | undefined {
  if (b.length < 10 || b.toString("latin1", 0, 4) !== "GIF8") return undefined;
  return [b.readUInt16LE(6), b.readUInt16LE(8)];
}

function webpSize(b: Buffer): [number, number] | undefined {
  if (b.length < 30 || b.toString("latin1", 0, 4) !== "RIFF" || b.toString("latin1", 8, 12) !== "WEBP")
    return undefined;
  const chunk = b.toString("latin1", 12, 16);
  if (chunk === "VP8 ") return [b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff];
  if (chunk === "VP8L") {
    const bits = b.readUInt32LE(21);
    return [(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1];
  }
  if (chunk === "VP8X") return [b.readUIntLE(24, 3) + 1, b.readUIntLE(27, 3) + 1];
  return undefined;
}

function jpegSize(b: Buffer): [number, number] | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 <= b.length) {
    if (b[offset] !== 0xff) return undefined;
    const marker = b[offset + 1] as number;
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [b.readUInt16BE(offset + 7), b.readUInt16BE(offset + 5)];
    }
    offset += 2 + b.readUInt16BE(offset + 2);
  }
  return undefined;
}
