// The one handler every runtime serves: the package's createFetchHandler over the memory store of an in-code
// dataset (./dataset.mjs, written by the test), signed blob URLs over in-memory bytes, and a fixed clock.
import dataset from "./dataset.mjs";

/** Build the handler from the package's namespace, however the runtime imported it (`extra`: more handler options). */
export async function makeHandler(RE, extra = {}) {
  const loaded = await RE.loadDataset(dataset.file);
  const store = RE.createMemoryStore({ ...loaded, artifacts: loaded.artifacts.map((a) => (a.status === "UPLOADED" ? { ...a, blob: `${a.id}.bin` } : a)) });
  const blobs = RE.createSignedBlobStorage({
    open: async (key) => {
      const bytes = new TextEncoder().encode(`blob:${key}`);
      return { body: new Blob([bytes]).stream(), size: bytes.length };
    },
  });
  return RE.createFetchHandler({ store, blobs, now: () => new Date(dataset.now), ...extra });
}
