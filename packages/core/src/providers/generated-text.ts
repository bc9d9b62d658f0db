import type { Usage } from "../usage";
import type { ChatRequest } from "./schema";
import { estimateTokens, estimateUsage, TOKENIZE_LIMIT_CHARS } from "./tokens";

/**
 * The text a stream generated, kept only for estimating its tokens: up to TOKENIZE_LIMIT_CHARS
 * it is kept whole (and tokenised when asked); past it estimateTokens would use the byte bound
 * anyway, so only the UTF-8 byte count is kept and the text is dropped. A long stream therefore
 * holds at most TOKENIZE_LIMIT_CHARS characters here, and the count equals estimateTokens(all).
 */
export class GeneratedText {
  private text: string | undefined = "";
  private bytes = 0;

  append(piece: string): void {
    if (piece === "") return;
    if (this.text === undefined) {
      this.bytes += Buffer.byteLength(piece, "utf8");
      return;
    }
    this.text += piece;
    if (this.text.length > TOKENIZE_LIMIT_CHARS) {
      this.bytes = Buffer.byteLength(this.text, "utf8");
      this.text = undefined;
    }
  }

  /** Same as estimateTokens() of everything appended. */
  tokens(): number {
    return this.text === undefined ? Math.ceil(this.bytes / 2) : estimateTokens(this.text);
  }

  /** estimateUsage() with this text as the generated part. */
  usage(req: Pick<ChatRequest, "messages" | "tools">, reported?: Usage): Usage {
    const usage = estimateUsage(req, "", reported);
    usage.completionTokens = Math.max(usage.completionTokens, this.tokens());
    return usage;
  }
}
