/**
 * Thrown while reading a provider's answer once it passes a size limit. send.ts turns it into a
 * 502 ProviderError; the reader stops at the limit, so the rest of the answer is never held.
 */
export class ResponseTooLarge extends Error {
  override readonly name = "ResponseTooLarge";
  constructor(
    readonly what: string,
    readonly limit: number,
    readonly unit: "bytes" | "characters" = "bytes",
  ) {
    super(`${what} exceeded ${limit} ${unit}`);
  }
}
