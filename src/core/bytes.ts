/**
 * @module core/bytes — a byte stream read whole into one array, optionally capped.
 */

/** Chunks of `size` bytes in all, copied into one array of its own. */
export function joinBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Every byte of a stream in one `Uint8Array`; null once more than `limit` bytes arrive (the stream
 * is then cancelled, and what was read is dropped).
 */
export async function readAllBytes(stream: ReadableStream<Uint8Array>, limit = Number.POSITIVE_INFINITY): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      void reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return joinBytes(chunks, total);
}
