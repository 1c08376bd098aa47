/**
 * @module bench/profile-publish-tauri — W6's Tauri figure taken apart, in process: eight readers
 * (as wrk's eight connections) cycle through W6's Tauri check paths as the license holder, and
 * between rounds a publish makes its four store writes into the package read (draft, WAITING
 * artifact, upload, publish). Counted (load-independent): answers worked out again per publish (the
 * store's `getReleaseByVersion` calls, one per worked-out answer), and CPU per check in rounds
 * after a publish against rounds without one.
 * Usage (after `npm run build`): node bench/profile-publish-tauri.mjs [publishes, default 10] [sqlite|postgres|memory …]
 */
import { createFetchHandler } from "../dist/index.js";
import { median } from "./lib/stats.mjs";
import { onEachStore, publishWrites } from "./lib/stores.mjs";
import { buildWorld, tauriVersion, WORLD } from "./lib/world.mjs";

const PUBLISHES = Number(process.argv[2] ?? 10);
const KINDS = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ["memory", "sqlite", "postgres"];
const A = WORLD.account;
const LICENSE = { authorization: `License ${WORLD.appKey}`, accept: "application/json" };
const READERS = 8;
/** Checks per reader per round: every path ~8 times per round. */
const PER_READER = 32;
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** What each publish writes: a signed Linux bundle into the Tauri package. */
const TAURI_PUBLISH = { productId: WORLD.productApp, packageId: WORLD.pkgTauri, artifact: (v) => ({ filename: `App_${v}_amd64.AppImage.tar.gz`, filetype: "gz", platform: "linux", arch: "x86_64", signature: "c2ln" }) };

async function profile(name, store) {
  let worked = 0;
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== "getReleaseByVersion" || typeof value !== "function") return value;
      return (...args) => { worked++; return value.apply(target, args); };
    },
  });
  const handler = createFetchHandler({ store: counted });
  const paths = [];
  for (let i = 0; i < 1000 && paths.length < 32; i += 5) paths.push(`http://bench.test/v1/accounts/${WORLD.slug}/engines/tauri/${WORLD.tauriKey}?platform=linux&arch=x86_64&channel=stable&version=${encodeURIComponent(tauriVersion(i).version)}`);
  let cursor = 0;
  const reader = async (offset) => {
    for (let i = 0; i < PER_READER; i++) {
      const res = await handler(new Request(paths[(offset + cursor++) % paths.length], { headers: LICENSE }));
      await res.arrayBuffer();
      if (res.status !== 200 && res.status !== 204) throw new Error(`${name}: a check answered ${res.status}`);
    }
  };
  const round = async () => {
    const c0 = cpuUs();
    await Promise.all(Array.from({ length: READERS }, (_, r) => reader(r * 4)));
    return (cpuUs() - c0) / (READERS * PER_READER);
  };
  for (let i = 0; i < 20; i++) await round();
  const quiet = [];
  const after = [];
  const workedPerPublish = [];
  for (let k = 0; k < PUBLISHES; k++) {
    for (let i = 0; i < 3; i++) quiet.push(await round());
    const before = worked;
    for (const write of publishWrites(store, A, k, TAURI_PUBLISH)) {
      await write();
      after.push(await round());
    }
    for (let i = 0; i < 3; i++) await round();
    workedPerPublish.push(worked - before);
  }
  console.log(`${name}: answers worked out again per publish: median ${median(workedPerPublish)} (${paths.length} paths, ${READERS} readers); CPU per check: quiet ${median(quiet).toFixed(1)} µs, first round after each write ${median(after).toFixed(1)} µs (${READERS * PER_READER} checks per round)`);
}

await onEachStore(buildWorld({ tauri: 1000, pypiFiles: 10, admin: true }), profile, KINDS);
