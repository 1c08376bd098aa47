/**
 * @module bench/w2-pypi — W2: the PyPI project page, cold (HTML and JSON) against the
 * `JSON.stringify` floor of the same entries, and repeated from the page cache.
 */
import { createMemoryStore, createPageCache, renderPep503Index, scopeOf } from "../dist/index.js";
import { timeRepeated } from "./lib/stats.mjs";
import { buildWorld, WORLD } from "./lib/world.mjs";

const NOW = new Date("2026-06-01T00:00:00Z");
const ACCEPT = { html: "text/html", json: "application/vnd.pypi.simple.v1+json" };

/** Run W2 for each file count; `reps` cold renders (each with a new cache) per format. */
export async function runW2({ files: sizes, reps, log }) {
  const results = [];
  for (const files of sizes) {
    const ds = buildWorld({ pypiFiles: files });
    const store = createMemoryStore(ds);
    const license = ds.licenses.find((l) => l.id === WORLD.licensePy);
    const policy = ds.policies.find((p) => p.id === license.policyId);
    const principal = { kind: "license", license: { license, policy, owner: null }, via: "key", token: null };
    const ctx = { store, now: NOW, account: ds.accounts[0], principal, scope: scopeOf(principal, NOW), lookupScope: scopeOf(principal, NOW, true), origin: "http://bench.local" };
    const input = (format, cache) => ({ project: WORLD.pypiKey, trailingSlash: true, search: "", headers: new Headers({ accept: ACCEPT[format] }), cache });

    // The floor: the page's entries (the artifact records the store lists) through JSON.stringify and UTF-8.
    const encoder = new TextEncoder();
    const rows = await store.listPackageArtifacts(ds.accounts[0].id, WORLD.pkgPypi, ctx.lookupScope);
    if (rows.length !== files) throw new Error(`W2: the store lists ${rows.length} files, expected ${files}`);
    const entries = rows.map((r) => r.artifact);
    const floor = await timeRepeated(() => encoder.encode(JSON.stringify(entries)), reps * 3);

    const row = { files, floorNs: floor.medianNs, floorBytes: encoder.encode(JSON.stringify(entries)).byteLength, formats: {} };
    for (const format of ["html", "json"]) {
      let bytes = 0;
      // As many untimed renders first: "cold" means a new page cache, not code V8 has yet to compile
      // (otherwise the first format at the first size pays the whole JIT warm-up, and the other
      // format, sharing most of the code, does not).
      for (let i = 0; i < reps; i++) await renderPep503Index(ctx, input(format, createPageCache()));
      const cold = await timeRepeated(async () => {
        const result = await renderPep503Index(ctx, input(format, createPageCache()));
        if (result.status !== 200) throw new Error(`W2: ${format} page answered ${result.status}`);
        bytes = result.body.byteLength;
      }, reps);
      const cache = createPageCache();
      await renderPep503Index(ctx, input(format, cache));
      const before = cache.stats();
      const warm = await timeRepeated(() => renderPep503Index(ctx, input(format, cache)), reps * 10);
      const after = cache.stats();
      // "No rendering": every repeat was a cache hit, and nothing was rendered again.
      const rendered = after.misses - before.misses;
      if (rendered !== 0) throw new Error(`W2: ${rendered} repeat requests rendered the page again`);
      row.formats[format] = {
        bytes, coldNs: cold.medianNs, ratioToFloor: cold.medianNs / floor.medianNs, warmNs: warm.medianNs,
        warmToCold: warm.medianNs / cold.medianNs, repeatsRendered: rendered, repeatHits: after.hits - before.hits,
      };
      log(`W2 ${files} files ${format}: cold ${(cold.medianNs / 1e6).toFixed(2)} ms (${(cold.medianNs / floor.medianNs).toFixed(2)}× the floor of ${(floor.medianNs / 1e6).toFixed(2)} ms), from cache ${(warm.medianNs / 1e3).toFixed(1)} µs`);
    }
    results.push(row);
  }
  return results;
}

