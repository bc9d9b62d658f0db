import { isRecord } from "./errors";
import type { ChatMessage, ChatRequest } from "./schema";

/** Helpers shared by the translations to non-OpenAI wire formats. */

/** The text of a message's content; image parts are skipped. */
export function textOf(content: ChatMessage["content"], separator = ""): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content
    .filter((part) => part.type === "text")
    .map((part) => part.text)
    .join(separator);
}

export function hasImages(content: ChatMessage["content"]): boolean {
  return Array.isArray(content) && content.some((part) => part.type === "image_url");
}

/** `data:image/png;base64,AAAA` → { mimeType, data }; undefined for other URLs. */
export function parseDataUrl(url: string): { mimeType: string; data: string } | undefined {
  const match = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mimeType: match[1] ?? "application/octet-stream", data: match[2] ?? "" };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
};

export function guessMimeType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || "image/jpeg";
}

/** Tool-call arguments as an object (providers other than OpenAI want JSON, not a string). */
export function parseToolArguments(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return isRecord(parsed) ? parsed : { value: parsed };
  } catch {
    return { arguments: args };
  }
}

export function stopSequences(stop: ChatRequest["stop"]): string[] | undefined {
  if (stop === undefined) return undefined;
  const list = typeof stop === "string" ? [stop] : stop;
  return list.length > 0 ? list : undefined;
}

/** Drops undefined values so request bodies only carry what was set. */
export function compact<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  return out;
}
