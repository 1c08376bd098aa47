/**
 * @module block-digest — the buffering and padding SHA-256 and SHA-512 share (FIPS 180-4 padding):
 * whole blocks go to the subclass's compression function; the tail is padded with 0x80, zeros and
 * the length in bits.
 */

/** An incremental Merkle–Damgård digest over blocks of `blockSize` bytes, its state as 32-bit words. */
export abstract class BlockDigest {
  private readonly block: Uint8Array;
  private used = 0;
  private length = 0;

  /** `h`: the state words (read as the digest, big-endian); `blockSize`: 64 or 128 bytes. */
  protected constructor(protected readonly h: Int32Array, private readonly blockSize: number) {
    this.block = new Uint8Array(blockSize);
  }

  /** Mix the block at `data[offset…offset + blockSize]` into `h`. */
  protected abstract compress(data: Uint8Array, offset: number): void;

  /** Add bytes to the hash. */
  update(data: Uint8Array): this {
    const size = this.blockSize;
    this.length += data.length;
    let at = 0;
    if (this.used > 0) {
      const take = Math.min(size - this.used, data.length);
      this.block.set(data.subarray(0, take), this.used);
      this.used += take;
      at = take;
      if (this.used < size) return this;
      this.compress(this.block, 0);
      this.used = 0;
    }
    for (; at + size <= data.length; at += size) this.compress(data, at);
    if (at < data.length) {
      this.block.set(data.subarray(at), 0);
      this.used = data.length - at;
    }
    return this;
  }

  /** The lower-case hex digest of everything added (the hash cannot be updated afterwards). */
  hex(): string {
    const size = this.blockSize;
    const bits = this.length * 8;
    // The length field is an eighth of a block (64 bits for SHA-256, 128 for SHA-512); lengths fit its last 64.
    const tail = new Uint8Array(this.used < size - size / 8 ? size - this.used : 2 * size - this.used);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    this.update(tail);
    let out = "";
    for (const word of this.h) out += (word >>> 0).toString(16).padStart(8, "0");
    return out;
  }
}
