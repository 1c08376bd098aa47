/**
 * @module engines/pypi/wheel — a wheel's `*.dist-info/METADATA`, read from its zip with Web APIs only.
 *
 * Only what is needed is read: the end-of-central-directory record, the central directory and the
 * one entry. Every size is bounded before anything is read or inflated, and anything unexpected
 * (zip64, encryption, several METADATA files, a CRC or size that does not match, a deflate stream
 * that is broken or grows past its declared size) gives null: hostile bytes never throw or hang.
 */
import { utf8 } from "../../core/encoding.js";

/** Random access to bytes of a known size. */
export interface ByteSource {
  size: number;
  /** Up to `length` bytes from `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** What a wheel says about itself. */
export interface WheelMetadata {
  /** The METADATA file's bytes, as PEP 658 serves them. */
  metadata: Uint8Array;
  /** Its `Requires-Python`, or null. */
  requiresPython: string | null;
}

const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** Bounds: a central directory of 16 MiB and a METADATA of 4 MiB are far above any real wheel's. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
const MAX_METADATA_BYTES = 4 * 1024 * 1024;
const MAX_REQUIRES_PYTHON = 256;
const METADATA_NAME = /^[^/\\]+\.dist-info\/METADATA$/;

function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/** Exactly `length` bytes from `offset`, or null when the source is shorter. */
async function readExact(source: ByteSource, offset: number, length: number): Promise<Uint8Array | null> {
  if (offset < 0 || length < 0 || offset + length > source.size) return null;
  const bytes = await source.read(offset, length);
  return bytes.byteLength === length ? bytes : null;
}

/** Where the central directory is, from the end-of-central-directory record; null when there is none or it is zip64. */
async function findDirectory(source: ByteSource): Promise<{ offset: number; size: number; entries: number } | null> {
  if (source.size < EOCD_SIZE) return null;
  const tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT);
  const tail = await readExact(source, source.size - tailLength, tailLength);
  if (tail === null) return null;
  for (let at = tailLength - EOCD_SIZE; at >= 0; at--) {
    // The record whose comment ends exactly at the end of the file.
    if (u32(tail, at) !== 0x06054b50 || at + EOCD_SIZE + u16(tail, at + 20) !== tailLength) continue;
    const disk = u16(tail, at + 4);
    const directoryDisk = u16(tail, at + 6);
    const here = u16(tail, at + 8);
    const entries = u16(tail, at + 10);
    const size = u32(tail, at + 12);
    const offset = u32(tail, at + 16);
    if (disk !== 0 || directoryDisk !== 0 || here !== entries || entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) return null;
    const recordAt = source.size - tailLength + at;
    if (size > MAX_DIRECTORY_BYTES || offset + size > recordAt) return null;
    return { offset, size, entries };
  }
  return null;
}

/** One central-directory entry, as far as reading it needs. */
interface Entry {
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  uncompressed: number;
  local: number;
}

/** The one `*.dist-info/METADATA` entry at the top of the zip; null when there is none or more than one. */
function metadataEntry(directory: Uint8Array, entries: number): Entry | null {
  let found: Entry | null = null;
  let at = 0;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  for (let i = 0; i < entries; i++) {
    if (at + 46 > directory.length || u32(directory, at) !== 0x02014b50) return null;
    const nameLength = u16(directory, at + 28);
    const next = at + 46 + nameLength + u16(directory, at + 30) + u16(directory, at + 32);
    if (next > directory.length) return null;
    if (nameLength <= 1024 && METADATA_NAME.test(decoder.decode(directory.subarray(at + 46, at + 46 + nameLength)))) {
      if (found !== null) return null;
      found = {
        flags: u16(directory, at + 8), method: u16(directory, at + 10), crc: u32(directory, at + 16),
        compressed: u32(directory, at + 20), uncompressed: u32(directory, at + 24), local: u32(directory, at + 42),
      };
    }
    at = next;
  }
  return found;
}

/** Inflate raw deflate data to exactly `size` bytes; null when it is broken or its size differs. */
async function inflateRaw(data: Uint8Array, size: number): Promise<Uint8Array | null> {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; these promises must never reject unobserved.
  writer.write(data as BufferSource).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const out = new Uint8Array(size);
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > size) {
        await reader.cancel().catch(() => {});
        return null;
      }
      out.set(value, total);
      total += value.byteLength;
    }
  } catch {
    return null;
  }
  return total === size ? out : null;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), as zip stores it. */
export function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (table[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The bytes of an entry, checked against its sizes and CRC; null when anything does not match. */
async function entryBytes(source: ByteSource, entry: Entry, directoryOffset: number): Promise<Uint8Array | null> {
  if ((entry.flags & 1) !== 0 || (entry.method !== 0 && entry.method !== 8)) return null;
  if (entry.uncompressed > MAX_METADATA_BYTES || entry.compressed > MAX_METADATA_BYTES) return null;
  const header = await readExact(source, entry.local, 30);
  if (header === null || u32(header, 0) !== 0x04034b50) return null;
  const start = entry.local + 30 + u16(header, 26) + u16(header, 28);
  // The data lies before the central directory, never inside or after it.
  if (start + entry.compressed > directoryOffset) return null;
  const data = await readExact(source, start, entry.compressed);
  if (data === null) return null;
  const bytes = entry.method === 0 ? (entry.compressed === entry.uncompressed ? data : null) : await inflateRaw(data, entry.uncompressed);
  return bytes !== null && crc32(bytes) === entry.crc ? bytes : null;
}

/** `Requires-Python` of a METADATA file (RFC 822 headers up to the first blank line); null when absent or unusable. */
export function requiresPythonOf(metadata: Uint8Array): string | null {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(metadata);
  let value: string | null = null;
  let inField = false;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === "") break;
    if (/^[ \t]/.test(line)) {
      if (inField && value !== null) value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    inField = colon > 0 && line.slice(0, colon).trim().toLowerCase() === "requires-python";
    if (inField) {
      if (value !== null) return null;
      value = line.slice(colon + 1).trim();
    }
  }
  if (value === null || value === "" || utf8(value).length > MAX_REQUIRES_PYTHON || /[\x00-\x1f\x7f]/.test(value)) return null;
  return value;
}

/**
 * A wheel's METADATA and its `Requires-Python`, read from the zip's central directory; null when the
 * bytes are not a wheel this reader accepts (never throws for any bytes).
 */
export async function readWheelMetadata(source: ByteSource): Promise<WheelMetadata | null> {
  try {
    const where = await findDirectory(source);
    if (where === null) return null;
    const directory = await readExact(source, where.offset, where.size);
    if (directory === null) return null;
    const entry = metadataEntry(directory, where.entries);
    if (entry === null) return null;
    const metadata = await entryBytes(source, entry, where.offset);
    return metadata === null ? null : { metadata, requiresPython: requiresPythonOf(metadata) };
  } catch {
    return null;
  }
}
