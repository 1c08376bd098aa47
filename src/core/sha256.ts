/**
 * @module sha256 — an incremental SHA-256 (FIPS 180-4) for hashing a stream without holding it in memory.
 *
 * Web Crypto's digest takes the whole input at once; checking an object in a bucket that may be
 * gigabytes needs a hash fed chunk by chunk.
 */
import { BlockDigest } from "./block-digest.js";

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Mix the 64-byte block at `data[offset…]` into the state `h`, with `w` as the message schedule's scratch. */
function compressBlock(h: Int32Array, w: Int32Array, data: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    w[i] = ((data[j] as number) << 24) | ((data[j + 1] as number) << 16) | ((data[j + 2] as number) << 8) | (data[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15] as number;
    const b = w[i - 2] as number;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = h[0] as number, b = h[1] as number, c = h[2] as number, d = h[3] as number;
  let e = h[4] as number, f = h[5] as number, g = h[6] as number, k = h[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + (K[i] as number) + (w[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] as number) + a;
  h[1] = (h[1] as number) + b;
  h[2] = (h[2] as number) + c;
  h[3] = (h[3] as number) + d;
  h[4] = (h[4] as number) + e;
  h[5] = (h[5] as number) + f;
  h[6] = (h[6] as number) + g;
  h[7] = (h[7] as number) + k;
}

/** A SHA-256 being computed: feed bytes with `update`, read the hex digest once with `hex`. */
export class Sha256 extends BlockDigest {
  private readonly w = new Int32Array(64);

  constructor() {
    super(new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]), 64);
  }

  protected compress(data: Uint8Array, offset: number): void {
    compressBlock(this.h, this.w, data, offset);
  }
}

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();
const state = new Int32Array(8);
const schedule = new Int32Array(64);
let scratch = new Uint8Array(1 << 16);
/** Buffers up to this size are kept for the next call; a larger one (a whole package's digests: tens of MB) is used once and let go. */
const KEEP_SCRATCH = 1 << 20;

/**
 * The lower-case hex SHA-256 of a string's UTF-8 bytes in one call: the bytes are encoded into,
 * and padded inside, one buffer kept between calls (for hashing many small texts without an object each).
 */
export function sha256HexOfText(text: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; the padding at most 72 more.
  const room = text.length * 3 + 72;
  if (scratch.length < room && room <= KEEP_SCRATCH) scratch = new Uint8Array(Math.min(KEEP_SCRATCH, Math.max(room, scratch.length * 2)));
  const bytes = scratch.length >= room ? scratch : new Uint8Array(room);
  const length = encoder.encodeInto(text, bytes).written;
  const padded = (length + 72) & ~63;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, padded);
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  const low = bits >>> 0;
  bytes[padded - 8] = high >>> 24;
  bytes[padded - 7] = high >>> 16;
  bytes[padded - 6] = high >>> 8;
  bytes[padded - 5] = high;
  bytes[padded - 4] = low >>> 24;
  bytes[padded - 3] = low >>> 16;
  bytes[padded - 2] = low >>> 8;
  bytes[padded - 1] = low;
  state.set(INITIAL);
  for (let at = 0; at < padded; at += 64) compressBlock(state, schedule, bytes, at);
  let out = "";
  for (let i = 0; i < 8; i++) {
    const word = state[i] as number;
    out += (HEX_BYTES[word >>> 24] as string) + (HEX_BYTES[(word >>> 16) & 255] as string) + (HEX_BYTES[(word >>> 8) & 255] as string) + (HEX_BYTES[word & 255] as string);
  }
  return out;
}
