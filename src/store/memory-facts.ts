/**
 * @module store/memory-facts — what the memory store knows of each release's visibility, packed in
 * one typed array, and a check equal to scope.ts `isReleaseVisible` that reads it instead of the
 * record (a release, its entitlement list and its date strings lie far apart in a large heap).
 */
import type { Product, Release } from "../model/records.js";
import { isCanonicalInstant, withinWindow, type Grant, type Scope } from "../access/scope.js";

// Flags in the low bits of a release's first slot; its entitlement list's number above them.
const COMPUTED = 1;
const PUBLISHED = 2;
const ENTITLED = 4;
/** Every date of the release compares by milliseconds exactly as scope.ts `notAfter` compares it. */
const NUMERIC = 8;
const BACKDATED = 16;
const YANKED = 32;
const SET_UNIT = 64;
/** Per release: flags and entitlement list number, created ms, backdated ms. */
const STRIDE = 3;

/**
 * True when comparing instant `text` by its milliseconds `ms` equals scope.ts `notAfter` against any
 * other instant this is true of: `notAfter` compares two canonical instants as text, anything else
 * with `Date.parse`; text and milliseconds agree for canonical text that `toISOString` gives back.
 */
function comparesByMs(text: string, ms: number): boolean {
  if (!isCanonicalInstant(text)) return true;
  return Number.isFinite(ms) && new Date(ms).toISOString() === text;
}

/** Per-release visibility facts by dataset position, computed on first use. */
export class ReleaseFacts {
  private readonly data: Float64Array;
  /** Distinct entitlement lists, by number. */
  private readonly sets: (readonly string[])[] = [];
  private readonly setNumbers = new Map<string, number>();
  // The last cutoff seen (scopes repeat theirs) and how it compares.
  private cutoff: string | null = null;
  private cutoffMs = 0;
  private cutoffByMs = false;

  constructor(private readonly releases: readonly Release[]) {
    this.data = new Float64Array(releases.length * STRIDE);
  }

  private flags(at: number): number {
    const f = this.data[at * STRIDE] as number;
    return f !== 0 ? f : this.compute(at);
  }

  private compute(at: number): number {
    const r = this.releases[at] as Release;
    let f = COMPUTED;
    if (r.status === "PUBLISHED") f |= PUBLISHED;
    else if (r.status === "YANKED") f |= YANKED;
    if (r.entitlements.length > 0) {
      const key = JSON.stringify(r.entitlements);
      let n = this.setNumbers.get(key);
      if (n === undefined) {
        n = this.sets.length;
        this.sets.push(r.entitlements.slice());
        this.setNumbers.set(key, n);
      }
      f |= ENTITLED;
      f += n * SET_UNIT;
    }
    const created = Date.parse(r.created);
    let byMs = comparesByMs(r.created, created);
    if (r.backdated !== null) {
      const backdated = Date.parse(r.backdated);
      byMs &&= comparesByMs(r.backdated, backdated);
      f |= BACKDATED;
      this.data[at * STRIDE + 2] = backdated;
    }
    if (byMs) f |= NUMERIC;
    this.data[at * STRIDE + 1] = created;
    this.data[at * STRIDE] = f;
    return f;
  }

  private cutoffComparesByMs(cutoff: string): boolean {
    if (cutoff !== this.cutoff) {
      const ms = Date.parse(cutoff);
      this.cutoffByMs = comparesByMs(cutoff, ms);
      this.cutoffMs = ms;
      this.cutoff = cutoff;
    }
    return this.cutoffByMs;
  }

  private grantAllows(grant: Grant, at: number, f: number, productId: string): boolean {
    if (grant.productId !== productId) return false;
    if ((f & ENTITLED) !== 0) {
      for (const code of this.sets[Math.floor(f / SET_UNIT)] as readonly string[]) if (!grant.entitlements.includes(code)) return false;
    }
    const cutoff = grant.cutoff;
    if (cutoff === null) return true;
    if ((f & NUMERIC) === 0 || !this.cutoffComparesByMs(cutoff)) return withinWindow(this.releases[at] as Release, cutoff, grant.window);
    const c = this.cutoffMs;
    const created = this.data[at * STRIDE + 1] as number;
    const backdated = this.data[at * STRIDE + 2] as number;
    if (grant.window === "either") return created <= c || ((f & BACKDATED) !== 0 && backdated <= c);
    return ((f & BACKDATED) !== 0 ? backdated : created) <= c;
  }

  /**
   * scope.ts `isReleaseVisible(scope, release, product)` for the release at dataset position `at`,
   * whose product is `productId` (its `productId`) and `product`.
   */
  visible(scope: Scope, at: number, productId: string, product: Product): boolean {
    if (scope.all || scope.products.includes(productId)) return true;
    if (scope.ownOnly === true) return false;
    if (product.distributionStrategy === "CLOSED") return false;
    const f = this.flags(at);
    if ((f & PUBLISHED) === 0 && ((f & YANKED) === 0 || scope.yankedAsPublished !== true)) return false;
    if (product.distributionStrategy === "OPEN" && (f & ENTITLED) === 0) return true;
    for (const grant of scope.grants) if (this.grantAllows(grant, at, f, productId)) return true;
    return false;
  }
}
