import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;

/**
 * AES-256-GCM for secrets at rest. The associated data binds a ciphertext to its row (e.g. the
 * credential id), so copying one user's ciphertext into another row does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
}

/** Accepts 32 bytes as base64 (44 chars) or hex (64 chars). */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new Error("LLMG_ENCRYPTION_KEY must be 32 bytes, as base64 (44 characters) or hex (64 characters)");
  }
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("encryption key must be 32 bytes");
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(associatedData));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString("base64"), tag.toString("base64"), ciphertext.toString("base64")].join(
        ":",
      );
    },
    open(sealed, associatedData) {
      const [version, iv, tag, ciphertext] = sealed.split(":");
      if (version !== VERSION || !iv || !tag || ciphertext === undefined)
        throw new Error("unknown secret format");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString(
        "utf8",
      );
    },
  };
}

/** What may be shown of a provider key: its scheme prefix and last four characters. */
export function secretHint(secret: string): string {
  const last = secret.slice(-4);
  if (secret.length <= 8) return `...${last}`;
  const dash = secret.indexOf("-");
  const prefix = dash > 0 && dash <= 6 ? secret.slice(0, dash + 1) : secret.slice(0, 3);
  return `${prefix}...${last}`;
}
