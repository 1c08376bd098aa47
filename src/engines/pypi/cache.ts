/**
 * @module engines/pypi/cache — a bounded in-memory LRU of rendered pages and their compressed
 * variants, keyed by weak ETag + format + coding, so a repeat request costs no rendering and no
 * compression. Concurrent misses for one key share one render.
 */
import { readAllBytes } from "../../core/bytes.js";

/** A rendered (and possibly compressed) page. */
export interface CachedPage {
  body: Uint8Array;
  /** HTTP-date of the newest change shown on the page, or null. */
  lastModified: string | null;
}

/** Counters a host (or a test) can read to see what the cache saved. */
export interface PageCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

/** The page cache a fetch handler keeps. */
export interface PageCache {
  /** The entry under `key`, made by `make` on a miss (once, even for concurrent callers). */
  getOrCreate(key: string, make: () => Promise<CachedPage>): Promise<CachedPage>;
  /** The entry under `key` if one is kept (counted as a hit), without a promise; undefined otherwise (nothing counted: ask {@link PageCache.getOrCreate}). */
  peek?(key: string): CachedPage | undefined;
  /** Current counters. */
  stats(): PageCacheStats;
}

/** Options of {@link createPageCache}. */
export interface PageCacheOptions {
  /** Most entries kept (default 1000). */
  maxEntries?: number;
  /** Most body bytes kept (default 64 MiB); a page larger than this is served but not kept. */
  maxBytes?: number;
}

/** A bounded LRU {@link PageCache}. */
export function createPageCache(options: PageCacheOptions = {}): PageCache {
  const maxEntries = Math.max(1, options.maxEntries ?? 1000);
  const maxBytes = Math.max(0, options.maxBytes ?? 64 * 1024 * 1024);
  const entries = new Map<string, CachedPage>();
  const pending = new Map<string, Promise<CachedPage>>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  const evict = () => {
    while (entries.size > maxEntries || bytes > maxBytes) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      bytes -= (entries.get(oldest.value) as CachedPage).body.byteLength;
      entries.delete(oldest.value);
    }
  };
  /** The key set last: already at the young end, so a hit on it moves nothing (one hot page costs one lookup). */
  let youngest: string | undefined;
  /** A kept entry, moved to the young end and counted, or undefined. */
  const hitOf = (key: string): CachedPage | undefined => {
    const hit = entries.get(key);
    if (hit === undefined) return undefined;
    hits++;
    if (key !== youngest) {
      entries.delete(key);
      entries.set(key, hit);
      youngest = key;
    }
    return hit;
  };
  return {
    peek: hitOf,
    async getOrCreate(key, make) {
      const hit = hitOf(key);
      if (hit !== undefined) return hit;
      const inflight = pending.get(key);
      if (inflight !== undefined) {
        hits++;
        return inflight;
      }
      misses++;
      const promise = make().then(
        (page) => {
          pending.delete(key);
          if (page.body.byteLength <= maxBytes) {
            entries.set(key, page);
            youngest = key;
            bytes += page.body.byteLength;
            evict();
          }
          return page;
        },
        (error: unknown) => {
          pending.delete(key);
          throw error;
        },
      );
      pending.set(key, promise);
      return promise;
    },
    stats: () => ({ hits, misses, entries: entries.size, bytes }),
  };
}

let brotliSupport: boolean | null = null;

/** True when this runtime's `CompressionStream` can make brotli (no runtime-specific imports). */
export function canBrotli(): boolean {
  if (brotliSupport === null) {
    try {
      new CompressionStream("brotli" as CompressionFormat);
      brotliSupport = true;
    } catch {
      brotliSupport = false;
    }
  }
  return brotliSupport;
}

/** Compress bytes with the web `CompressionStream` (`gzip`, or `brotli` where the runtime has it). */
export async function compress(bytes: Uint8Array, coding: "gzip" | "br"): Promise<Uint8Array> {
  const format = (coding === "br" ? "brotli" : "gzip") as CompressionFormat;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream(format));
  return (await readAllBytes(stream)) as Uint8Array;
}
