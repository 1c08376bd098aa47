/**
 * @module bench/lib/stats — timing and summary statistics: medians, percentiles, a seeded PRNG.
 */

/** Nanoseconds from a monotonic clock, as a Number (safe for any run shorter than 104 days). */
export const nowNs = () => Number(process.hrtime.bigint());

/** The q-quantile (0..1) of numbers, nearest-rank on a sorted copy; NaN when empty. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The median of numbers (mean of the two middle ones for an even count); NaN when empty. */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A deterministic PRNG (mulberry32): the same seed gives the same workload in every run. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [0, n). */
    int: (n) => Math.floor(next() * n),
    /** One element of a non-empty array. */
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/**
 * Time `fn(item)` once per item, `rounds` times over the list; returns per-round medians and p99s
 * (ns), the median of each over the rounds, and what `fn` returned in the first round (`answers`).
 * The first `warmup` items of each round are not kept.
 */
export async function timeEach(items, fn, { rounds = 3, warmup = 0 } = {}) {
  const medians = [];
  const p99s = [];
  const answers = [];
  for (let r = 0; r < rounds; r++) {
    const samples = new Float64Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const t0 = nowNs();
      const answer = await fn(items[i], i);
      samples[i] = nowNs() - t0;
      if (r === 0) answers.push(answer);
    }
    const kept = samples.subarray(Math.min(warmup, samples.length - 1));
    medians.push(median(kept));
    p99s.push(quantile(kept, 0.99));
  }
  return { medianNs: median(medians), p99Ns: median(p99s), roundMediansNs: medians, rounds, answers };
}

/** Time a whole async operation `reps` times; returns every duration (ns) and their median. */
export async function timeRepeated(fn, reps) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const t0 = nowNs();
    await fn(i);
    runs.push(nowNs() - t0);
  }
  return { medianNs: median(runs), runsNs: runs };
}

/** A duration in ns as a short human string (ns, µs, ms or s). */
export function fmtNs(ns) {
  if (!Number.isFinite(ns)) return "—";
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

/** A ratio as `12.3×` (or `—`). */
export function fmtRatio(r) {
  if (!Number.isFinite(r)) return "—";
  return r >= 100 ? `${Math.round(r).toLocaleString("en-US")}×` : `${r.toFixed(r >= 10 ? 1 : 2)}×`;
}
