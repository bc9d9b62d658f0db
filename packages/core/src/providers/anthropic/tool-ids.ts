/**
 * Anthropic refuses a tool_use id outside `^[a-zA-Z0-9_-]+$` ("messages.1.content.1.tool_use.id:
 * String should match pattern '^[a-zA-Z0-9_-]+$'", 400, as reported in
 * CommandCodeAI/command-code#323 and BlockRunAI/ClawRouter#17). Ids made by other providers
 * (e.g. `functions.get_weather:0`) are rewritten deterministically, so a tool_use and the
 * tool_result answering it, built from the same client id, still match.
 */
const VALID = /^[a-zA-Z0-9_-]+$/;

/** 32-bit FNV-1a, in hex: a short stable suffix so two ids differing only in refused characters stay distinct. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export function anthropicToolId(id: string): string {
  if (VALID.test(id)) return id;
  const cleaned = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return `${cleaned}_${fnv1a(id)}`;
}
