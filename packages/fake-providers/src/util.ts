import type { FakeToolCall, Reply } from "./types";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

let counter = 0;
/** Short unique-enough ids for fake responses (`chatcmpl-fake-3`, `msg_fake_3`, ...). */
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

export function randomHex(length: number): string {
  let out = "";
  while (out.length < length) out += Math.floor(Math.random() * 0xffffffff).toString(16);
  return out.slice(0, length);
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function toolCallId(call: FakeToolCall, index: number): string {
  return call.id ?? `call_fake_${index}`;
}

export function replyText(reply: Reply): string {
  return reply.chunks.join("");
}

export const DEFAULT_ERROR_MESSAGES: Record<number, string> = {
  400: "Invalid request.",
  401: "Invalid authentication.",
  403: "Permission denied.",
  404: "Not found.",
  429: "Rate limit reached. Please try again later.",
  500: "The server had an error while processing your request.",
  502: "Bad gateway.",
  503: "The service is temporarily unavailable.",
  529: "Overloaded",
};
