/**
 * o200k's 200,000 byte sequences and their ranks, packed into four typed arrays (~5 MB outside
 * the JS heap) instead of a Map of 200,000 strings (~25 MB of heap that every major GC walks):
 * the tokenizer was the largest thing in the gateway's memory.
 *
 * Keys are "binary strings" (one char per byte, 0–255), as the tokenizer slices them.
 */
export class RankTable {
  private readonly bytes: Uint8Array;
  private readonly offsets: Uint32Array;
  private readonly ranks: Int32Array;
  /** Open addressing, linear probing: token index + 1, 0 = empty. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  readonly size: number;

  constructor(tokens: { bytes: Uint8Array; offsets: Uint32Array; ranks: Int32Array }) {
    this.bytes = tokens.bytes;
    this.offsets = tokens.offsets;
    this.ranks = tokens.ranks;
    this.size = tokens.ranks.length;
    let capacity = 1;
    while (capacity < this.size * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let t = 0; t < this.size; t++) {
      let slot = this.hashBytes(this.offsets[t]!, this.offsets[t + 1]!) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = t + 1;
    }
  }

  get(key: string): number | undefined {
    let slot = hashString(key) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return undefined;
      if (this.equals(entry - 1, key)) return this.ranks[entry - 1];
      slot = (slot + 1) & this.mask;
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  private equals(token: number, key: string): boolean {
    const start = this.offsets[token]!;
    if (this.offsets[token + 1]! - start !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (this.bytes[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private hashBytes(start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ this.bytes[i]!, FNV_PRIME);
    return h >>> 0;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over a binary string's char codes: the same value hashBytes gives its bytes. */
function hashString(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/**
 * Reads tiktoken's rank file ("<first token> <offset> <base64 token> <base64 token> ..." per line,
 * ranks consecutive from the offset) into a table.
 */
export function parseRankFile(bpeRanks: string): RankTable {
  const lines = bpeRanks.split("\n");
  let count = 0;
  let byteLength = 0;
  const decoded: Buffer[] = [];
  const rankList: number[] = [];
  for (const line of lines) {
    if (line === "") continue;
    const fields = line.split(" ");
    const offset = Number.parseInt(fields[1] ?? "", 10);
    for (let i = 2; i < fields.length; i++) {
      const token = Buffer.from(fields[i]!, "base64");
      decoded.push(token);
      rankList.push(offset + i - 2);
      byteLength += token.length;
      count++;
    }
  }
  const bytes = new Uint8Array(byteLength);
  const offsets = new Uint32Array(count + 1);
  let at = 0;
  for (let t = 0; t < count; t++) {
    offsets[t] = at;
    bytes.set(decoded[t]!, at);
    at += decoded[t]!.length;
  }
  offsets[count] = at;
  return new RankTable({ bytes, offsets, ranks: Int32Array.from(rankList) });
}
