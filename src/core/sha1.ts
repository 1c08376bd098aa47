/**
 * @module sha1 — a small synchronous SHA-1, only for deriving UUIDv5 ids (not for security).
 *
 * Web Crypto's digest is asynchronous; deriving hundreds of thousands of ids through it spends
 * most of a load waiting on the thread pool, so ids are hashed here, reusing one work buffer.
 */

const W = new Int32Array(80);

/** SHA-1 digest (20 bytes) of bytes. */
export function sha1(data: Uint8Array): Uint8Array {
  const n = data.length;
  const blocks = (n + 9 + 63) >> 6;
  let h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0, h3 = 0x10325476, h4 = 0xc3d2e1f0 | 0;
  for (let block = 0; block < blocks; block++) {
    const base = block << 6;
    for (let i = 0; i < 16; i++) {
      let word = 0;
      for (let b = 0; b < 4; b++) {
        const at = base + i * 4 + b;
        // Message bytes, then 0x80, then zeros, then the bit length in the last 8 bytes.
        const byte = at < n ? (data[at] as number) : at === n ? 0x80 : 0;
        word = (word << 8) | byte;
      }
      W[i] = word;
    }
    if (block === blocks - 1) {
      const bits = n * 8;
      W[14] = Math.floor(bits / 0x100000000);
      W[15] = bits | 0;
    }
    for (let i = 16; i < 80; i++) {
      const x = (W[i - 3] as number) ^ (W[i - 8] as number) ^ (W[i - 14] as number) ^ (W[i - 16] as number);
      W[i] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc | 0 : 0xca62c1d6 | 0;
      const t = (((a << 5) | (a >>> 27)) + f + e + k + (W[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  const hs = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 5; i++) {
    const h = hs[i] as number;
    out[i * 4] = h >>> 24;
    out[i * 4 + 1] = (h >>> 16) & 0xff;
    out[i * 4 + 2] = (h >>> 8) & 0xff;
    out[i * 4 + 3] = h & 0xff;
  }
  return out;
}
