/**
 * Keeps the last `capBytes` bytes of a stream. Test runners print their errors and summary at the
 * end, so when output must be capped the end is what is worth keeping.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  private readonly capBytes: number;

  constructor(capBytes: number) {
    this.capBytes = capBytes;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.capBytes && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.capBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  /** Bytes that were dropped from the front. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** The kept text; a multi-byte character cut at the front becomes U+FFFD, which is harmless. */
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The last `maxLines` lines of `text` (without a trailing empty line). */
export function lastLines(text: string, maxLines: number): { lines: string[]; omitted: number } {
  const all = text.replace(/\r\n/g, '\n').split('\n');
  if (all.at(-1) === '') all.pop();
  if (all.length <= maxLines) return { lines: all, omitted: 0 };
  return { lines: all.slice(all.length - maxLines), omitted: all.length - maxLines };
}
