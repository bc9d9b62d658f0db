import { createHash } from "node:crypto";

/**
 * Mistral refuses any tool-call id but 9 letters and digits: "Tool call id was call_0fypS1hVX but
 * must be a-z, A-Z, 0-9, with a length of 9." (400 `invalid_function_call`; as reported in
 * nearai/ironclaw#1241 and mistralai/mistral-vibe#1075). Its own ids already have that form.
 */
export const MISTRAL_TOOL_CALL_ID = /^[a-zA-Z0-9]{9}$/;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A conversation begun on another provider (`call_...`, `toolu_...`) continues on Mistral: every
 * other id becomes 9 alphanumerics derived from it, the same for the assistant's call and the tool
 * result that answers it, and the same on every request of the conversation.
 */
export function mistralToolCallId(id: string): string {
  if (MISTRAL_TOOL_CALL_ID.test(id)) return id;
  const digest = createHash("sha256").update(id).digest();
  let out = "";
  for (let i = 0; i < 9; i += 1) out += ALPHABET[digest[i]! % ALPHABET.length];
  return out;
}
