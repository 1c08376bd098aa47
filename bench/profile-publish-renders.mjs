/**
 * @module bench/profile-publish-renders — W6's load-independent figure: how many times one publish
 * makes the 1,000-file PyPI page be rendered again, counted on the handler's page cache (its misses),
 * in process on memory, SQLite and PostgreSQL. A publish is the four store writes a CI job's
 * publish makes (release created DRAFT, artifact created WAITING, the upload marking it UPLOADED,
 * the release published); after each one the license holder W6 reads as and an admin GET the page
 * once. Also the handler's CPU for the license holder's first GET after each kind of write (medians
 * over the publishes; CPU moves with the machine's load, the counts do not).
 * Usage (after `npm run build`): node bench/profile-publish-renders.mjs [publishes]
 */
import { createFetchHandler, createPageCache } from "../dist/index.js";
import { median } from "./lib/stats.mjs";
import { onEachStore, publishWrites } from "./lib/stores.mjs";
import { buildWorld, WORLD } from "./lib/world.mjs";

const PUBLISHES = Number(process.argv[2] ?? 12);
const A = WORLD.account;
const PAGE = `http://bench.test/v1/accounts/${WORLD.slug}/engines/pypi/simple/${WORLD.pypiKey}/`;
const ACCEPT = "application/vnd.pypi.simple.v1+json";
const READERS = {
  license: { authorization: `Basic ${Buffer.from(`license:${WORLD.pyKey}`).toString("base64")}`, accept: ACCEPT },
  admin: { authorization: `Bearer ${WORLD.adminToken}`, accept: ACCEPT },
};
const STEPS = ["draft created", "artifact WAITING", "upload (UPLOADED)", "published"];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** What each publish writes: a wheel into the PyPI package. */
const PYPI_PUBLISH = { productId: WORLD.productPy, packageId: WORLD.pkgPypi, artifact: (v) => ({ filename: `bench_py-${v}-py3-none-any.whl`, filetype: "whl" }) };

async function profile(name, store) {
  const cache = createPageCache();
  const handler = createFetchHandler({ store, pypi: { cache } });
  const get = async (reader) => {
    const res = await handler(new Request(PAGE, { headers: READERS[reader] }));
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${name}: the page answered ${res.status} to the ${reader}`);
  };
  for (let i = 0; i < 5; i++) for (const reader of Object.keys(READERS)) await get(reader);
  const renders = { license: 0, admin: 0 };
  const cpu = STEPS.map(() => []);
  for (let k = 0; k < PUBLISHES; k++) {
    const writes = publishWrites(store, A, k, PYPI_PUBLISH);
    for (let s = 0; s < writes.length; s++) {
      await writes[s]();
      for (const reader of ["license", "admin"]) {
        const misses = cache.stats().misses;
        const c0 = cpuMs();
        await get(reader);
        if (reader === "license") cpu[s].push(cpuMs() - c0);
        renders[reader] += cache.stats().misses - misses;
      }
    }
  }
  const perPublish = (n) => (n / PUBLISHES).toFixed(2);
  console.log(`${name}: page renders per publish: license ${perPublish(renders.license)}, admin ${perPublish(renders.admin)} (over ${PUBLISHES} publishes)`);
  console.log(`${name}: the license holder's first GET after each write, CPU ms (median): ${STEPS.map((step, s) => `${step} ${median(cpu[s]).toFixed(1)}`).join(", ")}`);
}

await onEachStore(buildWorld({ tauri: 10, pypiFiles: 1000, admin: true }), profile);
